"""Fitting a model to functional data: CMA-ES over batched sweeps
(docs/fitting.md).

Each generation's population is one sweep, one call of the engine with a
parameter table, so CPU tiles and GPU batches are full. The optimiser is an
ask/tell library (Debian's python3-cmaes: CMA-ES, or its separable variant
for many parameters) working on the free parameters normalised to [0, 1]
within their bounds. A set's score is the sum of its objective terms, each a
metric the engine computes during the sweep with a sign saying which way is
better ("fc_corr", "-fcd_ks"); it is maximised. A set whose simulation
diverged, or whose metric is NaN, gets the worst score, below any other.
Several subjects (a list of connectomes and of targets) are fitted in one
run, each by its own optimiser, all populations in one sweep per generation.
Under an MPI launcher every rank runs the same optimisers and sweeps its own
rows of each generation's table; the ranks share the results, so each tells
its optimisers what one process would (docs/fitting.md, "Across MPI ranks").
"""
import contextlib
import dataclasses
import math
import os
import pathlib
import sys
import tempfile
import time

import numpy as np
import xarray

from . import _options, _ranks

# Metric -> (dataset in the results, its range, the option it needs).
_METRICS = {
    "fc_corr": ("fit/fc_corr", (-1.0, 1.0), "target_fc"),
    "fcd_ks": ("fit/fcd_ks", (0.0, 1.0), "target_fcd"),
}
_OPTIMIZERS = ("cmaes", "sep-cmaes")
# Options the fit sets itself for every generation's sweep.
_RESERVED = ("sweep", "values", "param_table", "output", "quiet",
             "connectivity", "target_fc", "target_fcd", "seed", "set_offset")
# What the fit reads from a sweep's results, per set: these of every set on
# every rank, the FC only of the sets that became a subject's best.
_RESULTS = (*(path for path, _, _ in _METRICS.values()), "diverged_step",
            "fcd_var")


@dataclasses.dataclass
class FitResult:
    """What rateml.fit found. With one subject: `best` maps each free
    parameter to its best value, `best_score` is that set's score and
    `best_fc` its FC [node, node_j]; with several subjects each is a list,
    one per subject in the order given. `history` has every evaluated set
    along the dimension 'evaluation' (generation, subject, the free
    parameters, every metric, the score, diverged_step, and the step size
    sigma of the optimiser after that generation)."""
    best: object
    best_score: object
    best_fc: object
    history: xarray.Dataset


def parse_objective(objective, target_fc, target_fcd):
    """[(sign, metric)] for `objective` ("fc_corr,-fcd_ks" or a sequence of
    terms); by default fc_corr, minus fcd_ks when an FCD target is given."""
    if objective is None:
        objective = ["fc_corr"] if target_fc is not None else []
        if target_fcd is not None:
            objective.append("-fcd_ks")
        if not objective:
            raise ValueError("fit: give target_fc and/or target_fcd, the "
                             "empirical data to fit")
    if isinstance(objective, str):
        objective = objective.split(",")
    terms = []
    for term in objective:
        term = term.strip()
        sign = -1.0 if term.startswith("-") else 1.0
        metric = term.lstrip("+-")
        if metric not in _METRICS:
            raise ValueError(f"objective: unknown metric '{metric}' (known: "
                             f"{', '.join(_METRICS)}; a leading '-' "
                             "minimises it)")
        need = _METRICS[metric][2]
        if {"target_fc": target_fc, "target_fcd": target_fcd}[need] is None:
            raise ValueError(f"objective: '{metric}' needs {need}")
        terms.append((sign, metric))
    if not terms:
        raise ValueError("objective: no terms")
    return terms


def worst_score(terms):
    """Below the score of any set whose metrics are finite."""
    return sum(sign * (_METRICS[m][1][0] if sign > 0 else _METRICS[m][1][1])
               for sign, m in terms) - 1.0


def parse_bounds(free):
    """{name: (lo, hi)} checked: finite, lo < hi."""
    if not isinstance(free, dict) or not free:
        raise ValueError("free: expected a dict of NAME: (LO, HI)")
    bounds = {}
    for name, pair in free.items():
        try:
            lo, hi = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ValueError(f"free {name}: expected (LO, HI)") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"free {name}: bounds ({lo:g}, {hi:g}) must be "
                             "finite with LO < HI")
        bounds[str(name)] = (lo, hi)
    return bounds


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _given(key, sweep_options, sweep_args):
    """Whether the sweep.bin option `key` is among the keyword arguments or
    sweep.bin's own arguments."""
    option = "--" + key.replace("_", "-")
    return sweep_options.get(key) is not None or any(
        a == option or a.startswith(option + "=") for a in sweep_args)


def _evaluate(model, base, table, scratch, ranks):
    """Sweeps the parameter table `table` (columns) and returns what the fit
    reads from the results (_RESULTS), row by row, and a function that
    returns the FC of given rows (None without one), which every rank must
    call alike. Each rank sweeps its contiguous share of the rows, as even
    as can be, from row `a` on with --set-offset a, so that its sets draw
    the noise and initial states they would in the whole table; the ranks'
    parts are then joined in row order on every rank, but the FC, a matrix
    per set, stays with the rank that swept it until it is asked for."""
    rows = len(next(iter(table.values())))
    a = ranks.rank * rows // ranks.size
    b = (ranks.rank + 1) * rows // ranks.size
    part = fc = None
    with ranks.together():
        if b > a:  # more ranks than rows leaves some without any
            path = pathlib.Path(scratch) / "population.csv"
            _options._param_table({k: v[a:b] for k, v in table.items()},
                                  path)
            ds = model._run([*base, "--param-table", str(path),
                             "--set-offset", str(a)], scratch, quiet=True)
            part = {key: ds[key].values for key in _RESULTS if key in ds}
            fc = ds["fc"].values if "fc" in ds else None
    parts = [p for p in ranks.allgather(part) if p is not None]
    results = {key: np.concatenate([p[key] for p in parts])
               for key in parts[0]}

    def fc_rows(wanted):
        if not wanted:
            return {}
        mine = {k: fc[k - a] for k in wanted
                if a <= k < b and fc is not None}
        found = {}
        for theirs in ranks.allgather(mine):
            found.update(theirs)
        return found

    return results, fc_rows


def _make_optimizer(kind, dim, sigma, popsize, seed):
    """An ask/tell optimiser over [0, 1]^dim. python3-cmaes needs at least
    two dimensions: one free parameter gets a second coordinate that
    nothing reads (a flat direction does not bias CMA-ES), which ask()'s
    callers drop."""
    import cmaes
    cls = {"cmaes": cmaes.CMA, "sep-cmaes": cmaes.SepCMA}[kind]
    dim = max(dim, 2)
    return cls(mean=np.full(dim, 0.5), sigma=sigma,
               bounds=np.tile([0.0, 1.0], (dim, 1)), seed=seed,
               population_size=popsize)


def fit(model, free, target_fc=None, target_fcd=None, objective=None,
        popsize=32, generations=30, seed=1, sigma=0.3, optimizer="cmaes",
        stop_score=None, patience=None, connectivity="builtin",
        output=None, quiet=False, sweep_args=(), **sweep_options):
    """Fits the free parameters of `model` (rateml.Model) to empirical FC
    and/or FCD; returns a FitResult. See docs/fitting.md.

    free: {NAME: (LO, HI)}: swept parameters, constants, the conduction
    speed, run parameters (a map's NAME.scale, stimulus.scale). Every other
    swept parameter must be fixed in `set` (with the constants).
    target_fc, target_fcd: arrays or .npy paths; with several subjects
    (`connectivity` a list), a list with one per subject, or one for all.
    objective: "fc_corr,-fcd_ks" or a sequence of such terms (default:
    fc_corr, minus fcd_ks with an FCD target); maximised.
    popsize, generations, sigma (initial step size in the normalised
    space), seed (of the optimiser and of the simulations' noise and
    initial states), optimizer ("cmaes" or "sep-cmaes"), stop_score (stop
    once a subject's best score reaches it), patience (stop after this many
    generations without improvement).
    sweep_options: every other sweep.bin option (bold="r", duration=...,
    fc_transient=..., ...), shared by every evaluation; sweep_args: more
    of them as sweep.bin's own arguments (rateml-fit passes its command
    line's).
    output: an HDF5 file to write the history and the best sets to.
    Under an MPI launcher (mpirun, srun) the ranks share each generation's
    sweeps and every rank returns the same FitResult; rank 0 alone prints
    and writes `output`, and a failure on any rank raises RankError on
    every rank (docs/fitting.md, "Across MPI ranks")."""
    terms = parse_objective(objective, target_fc, target_fcd)
    bounds = parse_bounds(free)
    for key in _RESERVED:
        if key in sweep_options:
            raise ValueError(f"fit: '{key}' is set by the fit itself")
    sweep_args = [str(a) for a in sweep_args]
    for arg in sweep_args:
        key = arg.lstrip("-").split("=")[0].replace("-", "_")
        if arg.startswith("--") and key in _RESERVED:
            raise ValueError(f"fit: '{arg}' is set by the fit itself")
    if not _given("bold", sweep_options, sweep_args):
        raise ValueError("fit: FC and FCD need BOLD: give bold=VAR (the "
                         "variable that drives it, e.g. bold='r')")
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"optimizer: '{optimizer}' is not one of "
                         f"{', '.join(_OPTIMIZERS)}")
    if int(popsize) < 2 or int(generations) < 1:
        raise ValueError("fit: popsize must be at least 2 and generations "
                         "at least 1")
    popsize, generations = int(popsize), int(generations)
    subjects = _as_list(connectivity)

    fixed = dict(sweep_options.pop("set", None) or {})
    fixed_params = {k: v for k, v in fixed.items() if k in model.parameters}
    constants = {k: v for k, v in fixed.items() if k not in fixed_params}
    missing = [p for p in model.parameters
               if p not in bounds and p not in fixed_params]
    if missing:
        raise ValueError(f"fit: swept parameter(s) {', '.join(missing)} "
                         "neither free nor fixed: give free={...} or "
                         "set={...}")
    names = list(bounds)
    lo = np.array([bounds[n][0] for n in names])
    span = np.array([bounds[n][1] - bounds[n][0] for n in names])
    optimizers = [_make_optimizer(optimizer, len(names), float(sigma),
                                  popsize, int(seed) + s)
                  for s in range(len(subjects))]
    worst = worst_score(terms)
    rows, sigmas = [], []
    best = [None] * len(subjects)  # (score, values, fc)
    stale = [0] * len(subjects)
    ranks = _ranks.world()
    quiet = quiet or ranks.rank != 0
    with contextlib.ExitStack() as stack:
        with ranks.together():
            scratch = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="rateml-fit-"))
            # Lists of connectomes and targets are a cohort (docs/sweep.md).
            base = _options.arguments(
                model._options, {**sweep_options, "set": constants or None,
                                 "connectivity": connectivity,
                                 "target_fc": target_fc,
                                 "target_fcd": target_fcd}, scratch)
        base += ["--seed", str(int(seed)), *sweep_args]
        if ranks.launched and not _given("threads", sweep_options,
                                         sweep_args):
            # Ranks on one machine would each start a thread per core.
            base += ["--threads", str(len(os.sched_getaffinity(0)))]
        for generation in range(generations):
            started = time.monotonic()
            asked = [[opt.ask() for _ in range(popsize)]
                     for opt in optimizers]
            points = np.array([x[:len(names)] for xs in asked for x in xs])
            values = lo + points * span
            table = {n: values[:, k] for k, n in enumerate(names)}
            for name, value in fixed_params.items():
                table[name] = np.full(len(points), float(value))
            if len(subjects) > 1:
                table["subject"] = np.repeat(np.arange(len(subjects)),
                                             popsize)
            results, fc_rows = _evaluate(model, base, table, scratch, ranks)
            metrics = {m: results[_METRICS[m][0]] for _, m in terms}
            score = sum(sign * metrics[m] for sign, m in terms)
            diverged = results["diverged_step"]
            score = np.where(np.isfinite(score) & (diverged < 0), score,
                             worst)
            improved = {}
            for s, opt in enumerate(optimizers):
                part = slice(s * popsize, (s + 1) * popsize)
                opt.tell([(x, -float(v))
                          for x, v in zip(asked[s], score[part])])
                k = s * popsize + int(np.argmax(score[part]))
                if best[s] is None or score[k] > best[s][0]:
                    improved[s] = k
                    stale[s] = 0
                else:
                    stale[s] += 1
            fcs = fc_rows(sorted(improved.values()))
            for s, k in improved.items():
                best[s] = (float(score[k]), values[k].copy(), fcs.get(k))
            sigmas.append([float(getattr(o, "_sigma", math.nan))
                           for o in optimizers])
            record = {"generation": np.full(len(points), generation),
                      "subject": np.repeat(np.arange(len(subjects)),
                                           popsize),
                      "score": score, "diverged_step": diverged,
                      "sigma": np.repeat(sigmas[-1], popsize)}
            record.update({n: values[:, k] for k, n in enumerate(names)})
            for metric in _METRICS:
                if _METRICS[metric][0] in results:
                    record[metric] = results[_METRICS[metric][0]]
            if "fcd_var" in results:
                record["fcd_var"] = results["fcd_var"]
            rows.append(record)
            if not quiet:
                scores = ", ".join(f"{b[0]:.4g}" for b in best)
                steps = ", ".join(f"{v:.3g}" for v in sigmas[-1])
                print(f"rateml-fit: generation {generation + 1}/"
                      f"{generations}: best score {scores}, sigma {steps} "
                      f"({time.monotonic() - started:.1f} s)",
                      file=sys.stderr, flush=True)
            done = [(stop_score is not None and b[0] >= stop_score) or
                    (patience is not None and n >= patience) or
                    opt.should_stop()
                    for b, n, opt in zip(best, stale, optimizers)]
            if all(done):
                break

    history = xarray.Dataset(
        {key: ("evaluation", np.concatenate([r[key] for r in rows]))
         for key in rows[0]})
    history.attrs.update({"model": model.name, "objective": ",".join(
        ("-" if sign < 0 else "") + m for sign, m in terms),
        "optimizer": optimizer, "popsize": popsize, "seed": int(seed),
        "free": names, "worst_score": worst})
    for n in names:
        history[n].attrs.update({"lo": bounds[n][0], "hi": bounds[n][1]})
    best_values = [dict(zip(names, map(float, b[1]))) for b in best]
    scores = [b[0] for b in best]
    fcs = [b[2] for b in best]
    if len(subjects) == 1:
        result = FitResult(best_values[0], scores[0], fcs[0], history)
    else:
        result = FitResult(best_values, scores, fcs, history)
    if output is not None:
        with ranks.together():  # the others learn whether rank 0 could
            if ranks.rank == 0:
                write_fit(output, result, names, len(subjects))
    return result


def write_fit(path, result, names, num_subjects):
    """The history (group /history) and the best set of each subject (group
    /best: its parameter values, score and FC) as HDF5 with named
    dimensions, written to a temporary name first so that a failed run
    leaves an earlier file as it was."""
    best = _as_list(result.best) if num_subjects > 1 else [result.best]
    scores = result.best_score if num_subjects > 1 else [result.best_score]
    fcs = result.best_fc if num_subjects > 1 else [result.best_fc]
    group = xarray.Dataset(
        {"values": (("subject", "param"),
                    np.array([[b[n] for n in names] for b in best])),
         "score": ("subject", np.array(scores))},
        coords={"param": names})
    if all(fc is not None for fc in fcs):
        group["fc"] = (("subject", "node", "node_j"), np.array(fcs))
    path = pathlib.Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        result.history.to_netcdf(partial, engine="h5netcdf",
                                 group="history", mode="w")
        group.to_netcdf(partial, engine="h5netcdf", group="best", mode="a")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
