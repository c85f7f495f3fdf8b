"""sweep.bin's options as keyword arguments (docs/python.md).

The table of options comes from the model's library (the runtime's
CommandLine.cpp, the same table sweep.bin parses), so every option is a
keyword argument of the same name ('--bold-tr' is bold_tr) and the two
cannot drift apart. A flag is a bool; a file option also takes an array,
written to a scratch directory for the engine to read.
"""
import os
import pathlib

import numpy as np

def _number(value):
    """A number as the command line reads it back exactly."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(float(value))


def _assignments(option, mapping):
    """NAME=VALUE for --set and --bold-set."""
    if not isinstance(mapping, dict):
        raise ValueError(f"{option}: expected a dict of NAME: value")
    return [arg for name, value in mapping.items()
            for arg in (option, f"{name}={_number(value)}")]


def _axes(mapping, option):
    """--sweep as a dict: a sequence of values (--values) or 'LO:HI:COUNT'."""
    if not isinstance(mapping, dict):
        raise ValueError(f"{option}: expected a dict of parameter: values")
    args = []
    for name, values in mapping.items():
        if isinstance(values, str):
            args += ["--sweep", f"{name}={values}"]
            continue
        values = np.atleast_1d(np.asarray(values, dtype=float))
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"{option} {name}: expected a 1-D sequence of "
                             "values")
        args += ["--values", f"{name}=" + ",".join(map(_number, values))]
    return args


def _named_files(option, key, mapping, scratch):
    """NAME=FILE options given as a dict of NAME: path or array (--stimulus
    STATE=FILE, --node-values, --map), each array written into `scratch`
    (_file)."""
    if not isinstance(mapping, dict):
        raise ValueError(f"{option}: expected a dict of NAME: array or path")
    return [arg for k, (name, value) in enumerate(mapping.items())
            for arg in (option, f"{name}={_file(key, value, scratch, k)}")]


def _param_table(table, path):
    """A dict of equal-length columns or a pandas DataFrame as CSV."""
    columns = {str(k): np.atleast_1d(np.asarray(v, dtype=float))
               for k, v in dict(table).items()}
    lengths = {c.shape for c in columns.values()}
    if not columns or len(lengths) != 1 or len(next(iter(lengths))) != 1:
        raise ValueError("param_table: expected columns of equal length")
    with open(path, "w") as f:
        f.write(",".join(columns) + "\n")
        for row in zip(*columns.values()):
            f.write(",".join(map(_number, row)) + "\n")
    return path


def _connectivity(value, scratch, index=0):
    """A path, 'builtin:N', or an object with weights and tract_lengths
    (rateml.Connectivity), written as a TVB connectivity folder (the
    `index`-th subject's)."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    weights = np.asarray(value.weights, dtype=float)
    lengths = np.asarray(value.tract_lengths, dtype=float)
    folder = pathlib.Path(scratch) / f"connectivity{index}"
    folder.mkdir()
    np.savetxt(folder / "weights.txt", weights, fmt="%.17g")
    np.savetxt(folder / "tract_lengths.txt", lengths, fmt="%.17g")
    return str(folder)


def arguments(table, kwargs, scratch):
    """sweep.bin's arguments for the keyword arguments `kwargs` (without
    output and quiet, which Model.sweep sets itself); arrays for file
    options are written into the directory `scratch`."""
    by_keyword = {spec["name"].lstrip("-").replace("-", "_"): spec
                  for spec in table}
    args = []
    for key, value in kwargs.items():
        if value is None:
            continue
        if key in ("sweep", "values"):
            args += _axes(value, key)
            continue
        if key in ("node_values", "maps"):
            option = "--node-values" if key == "node_values" else "--map"
            args += _named_files(option, key, value, scratch)
            continue
        if key == "connectivity":
            # A list is a cohort: one subject per entry, in order.
            cohort = value if isinstance(value, (list, tuple)) else [value]
            for k, subject in enumerate(cohort):
                args += ["--connectivity", _connectivity(subject, scratch, k)]
            continue
        spec = by_keyword.get(key)
        if spec is None:
            # sweep.bin's own message, with its "did you mean".
            args.append("--" + key.replace("_", "-"))
            continue
        option = spec["name"]
        if not spec["metavar"]:
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{key}: expected True or False")
            if value:
                args.append(option)
        elif key in ("set", "bold_set"):
            args += _assignments(option, value)
        elif key == "stimulus":
            args += _named_files(option, key, value, scratch)
        elif (spec["file"] and spec["repeatable"] and
              isinstance(value, (list, tuple)) and value and
              all(isinstance(v, (str, os.PathLike, np.ndarray))
                  for v in value)):
            # One file per subject of a cohort (target_fc=[fc0, fc1]).
            for k, one in enumerate(value):
                args += [option, _file(key, one, scratch, k)]
        elif spec["file"]:
            args += [option, _file(key, value, scratch, 0)]
        elif isinstance(value, (str, os.PathLike)):
            args += [option, os.fspath(value)]
        else:
            args += [option, _number(value)]
    return args


def _file(key, value, scratch, index):
    """The path for file option `key`: a path as given, an array (or for
    param_table, columns) written into `scratch` as the `index`-th one."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    path = pathlib.Path(scratch) / f"{key}{index}"
    if key == "param_table":
        return str(_param_table(value, path.with_suffix(".csv")))
    array = np.asarray(value)
    if array.dtype.kind != "f":  # the engine reads float32 and float64
        array = array.astype(float)
    np.save(path.with_suffix(".npy"), array)
    return str(path.with_suffix(".npy"))
