"""rateml from Python: compile a RateML/LEMS model and sweep it, results as
xarray Datasets with named dimensions (docs/python.md).

    import numpy as np, rateml
    model = rateml.compile("models/montbrio.xml", precision="f32")
    ds = model.sweep(connectivity="builtin:68",
                     sweep={"global_coupling": np.linspace(0, 1, 8)},
                     steps=2000, no_noise=True)

Every sweep.bin option is a keyword argument of model.sweep with the same
name (dashes become underscores; a flag is a bool; file options also take
arrays), and the Dataset mirrors the HDF5 file sweep.bin writes for the same
options, bit for bit: both run the same engine (a library rateml-compile
links from the model's kernels and the sweep runtime).
"""
import hashlib
import json
import os
import pathlib
import subprocess
import tempfile

from . import _config, _options
from ._rateml import Library
from ._ranks import RankError
from .fit import FitResult, fit
from .results import open_results

__all__ = ["compile", "Model", "Connectivity", "CompileError",
           "open_results", "fit", "FitResult", "RankError"]


class CompileError(Exception):
    """A model rateml-compile refused; the message is its diagnostic
    (file:line:col: error: ...)."""


class Connectivity:
    """A connectome given as arrays: weights[i, j] and tract_lengths[i, j]
    (mm) of the connection from node j to node i, TVB's convention."""

    def __init__(self, weights, tract_lengths):
        self.weights = weights
        self.tract_lengths = tract_lengths


def _cache_dir():
    root = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    path = pathlib.Path(root) / "rateml"
    path.mkdir(parents=True, exist_ok=True)
    return path


def compile(xml, precision="f32", **compile_options):
    """Compiles the model file `xml` (rateml-compile) into a library this
    process loads; `compile_options` are rateml-compile's other options
    (lanes=8, block=1, cuda_toolkit="...": dashes as underscores). Raises
    CompileError with the diagnostic for a bad model, FileNotFoundError when
    `xml` does not exist. Compiled libraries are cached by the content of
    the model, the options, rateml-compile and the sweep runtime."""
    source = pathlib.Path(xml)
    if not source.is_file():
        raise FileNotFoundError(f"model '{xml}' does not exist")
    flags = ["--precision", str(precision)]
    for key, value in sorted(compile_options.items()):
        if isinstance(value, (list, tuple)):
            value = ",".join(value)  # regional=["eta", "J"]
        flags += [f"--{key.replace('_', '-')}", str(value)]
    # The model, the options, the compiler and the runtime it links in.
    digest = hashlib.sha256(source.read_bytes() + repr(flags).encode())
    for tool in [_config.RATEML_COMPILE, *_config.RUNTIME_LIBRARIES]:
        digest.update(pathlib.Path(tool).read_bytes())
    digest = digest.hexdigest()[:20]
    library = _cache_dir() / f"{source.stem}-{digest}.so"
    if not library.exists():
        partial = library.with_suffix(f".{os.getpid()}.partial")
        done = subprocess.run([_config.RATEML_COMPILE, str(source),
                               "--emit=library", "-o", str(partial), *flags],
                              capture_output=True, text=True)
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CompileError(done.stderr.strip())
        os.replace(partial, library)
    return Model(library)


class Model:
    """A compiled model: its swept parameters, constants, states and
    exposures, and sweep()."""

    def __init__(self, library):
        self.library = pathlib.Path(library)
        self._engine = Library(str(self.library))
        info = json.loads(self._engine.model_json())
        self._options = json.loads(self._engine.options_json())
        self.name = info["model"]
        self.precision = info["precision"]
        self.parameters = {p["name"]: (p["lo"], p["hi"])
                           for p in info["params"]}
        self.constants = {c["name"]: c["value"] for c in info["constants"]}
        # What node_values= and maps= may name (compile(regional=...)).
        self.regional = [r["name"] for r in info["regional"]]
        self.states = [s["name"] for s in info["states"]]
        self.exposures = list(info["exposures"])

    def __repr__(self):
        return (f"<rateml.Model {self.name} ({self.precision}): parameters "
                f"{list(self.parameters)}, states {self.states}>")

    @property
    def options(self):
        """The keyword arguments of sweep(), with sweep.bin's help for
        each."""
        return {o["name"].lstrip("-").replace("-", "_"): o["help"]
                for o in self._options}

    def sweep(self, quiet=False, output=None, **options):
        """Runs a sweep; returns an xarray.Dataset that mirrors the HDF5
        file sweep.bin writes for the same options (open_results). With
        `output`, that file is kept there as well. Shows a progress bar
        (python3-tqdm) unless `quiet`. Bad options raise ValueError, missing
        files FileNotFoundError, with sweep.bin's message; Ctrl-C stops the
        run (KeyboardInterrupt) and leaves no file."""
        with tempfile.TemporaryDirectory(prefix="rateml-") as scratch:
            args = _options.arguments(self._options, options, scratch)
            return self._run(args, scratch, output, quiet)

    def _run(self, args, scratch, output=None, quiet=False):
        """Runs the engine with sweep.bin's arguments `args` into `output`
        (or a file in the directory `scratch`); the results as a Dataset,
        loaded unless `output` keeps them."""
        path = pathlib.Path(output) if output else \
            pathlib.Path(scratch) / "results.h5"
        args = [*args, "--output", str(path), "--quiet"]
        self._engine.sweep(args, None if quiet else _progress_bar())
        return open_results(path, load=output is None)


def _progress_bar():
    """progress(done, total) drawing a tqdm bar, or None without tqdm."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar = None

    def progress(done, total):
        nonlocal bar
        if bar is None and total:
            bar = tqdm(total=total, unit="set-step", unit_scale=True,
                       leave=False)
        if bar is not None:
            bar.update(done - bar.n)
            if done >= total:
                bar.close()
    return progress
