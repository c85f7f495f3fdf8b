#!/usr/bin/python3
"""Fits a model's free parameters to empirical FC/FCD with CMA-ES over
batched sweeps (docs/fitting.md); the command-line face of rateml.fit.

    rateml-fit MODEL.xml --free NAME=LO:HI [--free ...] --target-fc FILE
               [--target-fcd FILE] [--objective fc_corr,-fcd_ks]
               [--popsize N] [--generations N] [--seed N] --output fit.h5
               [any sweep.bin option]

Writes the history of every evaluated set and the best set (with its FC)
to HDF5 with named dimensions, and a progress line per generation. Bad
input: one line on stderr, exit status 2, no output file. Under mpirun or
srun the ranks share each generation's sweeps; rank 0 prints and writes,
and a failure on any rank ends every rank with one line naming it.
"""
import argparse
import pathlib
import sys

# The build puts this script in bin/ and the Python package in python/.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent /
                       "python"))


def fail(message, rank=None):
    """Ends this rank; the message is every rank's, so rank 0 says it (the
    launcher's rank 0 before MPI is set up)."""
    if rank is None:
        from rateml import _ranks
        rank = _ranks.launcher_rank()
    if rank == 0:
        print(f"rateml-fit: error: {message}", file=sys.stderr)
    sys.exit(2)


class Parser(argparse.ArgumentParser):
    """argparse's errors, said once under a launcher."""

    def error(self, message):
        fail(message)


def parse_free(spec):
    name, sep, bounds = spec.partition("=")
    lo, sep2, hi = bounds.partition(":")
    if not (name and sep and sep2):
        fail(f"--free: malformed '{spec}': expected NAME=LO:HI")
    try:
        return name, (float(lo), float(hi))
    except ValueError:
        fail(f"--free: malformed '{spec}': LO and HI must be numbers")


def parse_set(spec):
    name, sep, value = spec.partition("=")
    try:
        return name, float(value) if sep and name else fail("")
    except ValueError:
        fail(f"--set: malformed '{spec}': expected NAME=VALUE")


def main():
    p = Parser(
        prog="rateml-fit",
        description="Fits a model's free parameters to empirical FC/FCD: "
        "CMA-ES (python3-cmaes), one batched sweep per generation. Every "
        "option not listed here is a sweep.bin option, shared by every "
        "evaluation (e.g. --bold r --duration 300000 --fc-transient 60000; "
        "MODEL.xml's sweep.bin --help lists them).",
        epilog="docs/fitting.md describes the objectives, the history file "
        "and the cohort fit (several --connectivity with one --target-fc "
        "each).")
    p.add_argument("model", metavar="MODEL.xml")
    p.add_argument("--free", action="append", default=[],
                   metavar="NAME=LO:HI",
                   help="a free parameter and its bounds (repeatable): a "
                   "swept parameter, a constant, the conduction speed or a "
                   "run parameter such as NAME.scale")
    p.add_argument("--set", action="append", default=[],
                   metavar="NAME=VALUE",
                   help="a fixed value: every swept parameter that is not "
                   "free, and any constant")
    p.add_argument("--target-fc", action="append", default=[],
                   metavar="FILE", help="empirical FC (.npy or text; once, "
                   "or once per --connectivity)")
    p.add_argument("--target-fcd", action="append", default=[],
                   metavar="FILE", help="empirical FCD, as --target-fc")
    p.add_argument("--connectivity", action="append", default=[],
                   metavar="PATH", help="the subject's connectome "
                   "(repeatable: one CMA-ES per subject; default builtin)")
    p.add_argument("--objective", metavar="TERMS",
                   help="comma-separated metrics to maximise, '-' to "
                   "minimise one (default: fc_corr, and -fcd_ks with "
                   "--target-fcd)")
    p.add_argument("--popsize", type=int, default=32, metavar="N",
                   help="sets per subject and generation (default 32)")
    p.add_argument("--generations", type=int, default=30, metavar="N",
                   help="at most N generations (default 30)")
    p.add_argument("--seed", type=int, default=1, metavar="N",
                   help="seed of the optimiser and of the simulations "
                   "(default 1)")
    p.add_argument("--sigma", type=float, default=0.3, metavar="S",
                   help="initial step size, bounds scaled to [0, 1] "
                   "(default 0.3)")
    p.add_argument("--optimizer", default="cmaes",
                   choices=["cmaes", "sep-cmaes"],
                   help="CMA-ES, or its separable variant for many free "
                   "parameters")
    p.add_argument("--stop-score", type=float, metavar="X",
                   help="stop once every subject's best score reaches X")
    p.add_argument("--patience", type=int, metavar="N",
                   help="stop after N generations without improvement")
    p.add_argument("--precision", default="f32", choices=["f32", "f64"],
                   help="precision of the compiled kernels (default f32)")
    p.add_argument("--output", required=True, metavar="FILE.h5",
                   help="the history and the best sets")
    p.add_argument("--quiet", action="store_true",
                   help="no progress line per generation")
    args, sweep_args = p.parse_known_args()
    if not args.free:
        fail("give at least one --free NAME=LO:HI")
    if not args.target_fc and not args.target_fcd:
        fail("give --target-fc and/or --target-fcd")

    import rateml
    from rateml import _ranks
    try:
        ranks = _ranks.world()
    except ImportError as e:
        fail(str(e))
    try:
        with ranks.together():  # each rank compiles (or finds) its own
            model = rateml.compile(args.model, precision=args.precision)
        rateml.fit(
            model, free=dict(map(parse_free, args.free)),
            set=dict(map(parse_set, args.set)) or None,
            target_fc=args.target_fc or None,
            target_fcd=args.target_fcd or None,
            connectivity=args.connectivity or "builtin",
            objective=args.objective, popsize=args.popsize,
            generations=args.generations, seed=args.seed, sigma=args.sigma,
            optimizer=args.optimizer, stop_score=args.stop_score,
            patience=args.patience, output=args.output, quiet=args.quiet,
            sweep_args=sweep_args)
    except rateml.CompileError as e:
        print(e, file=sys.stderr)
        sys.exit(2)
    # A ValueError comes from the arguments, the same on every rank, and a
    # RankError is raised on every rank: rank 0 says either once.
    except (ValueError, FileNotFoundError, rateml.RankError) as e:
        fail(str(e), ranks.rank)
    except KeyboardInterrupt:
        print("rateml-fit: interrupted; no output written", file=sys.stderr)
        sys.exit(130)
    if not args.quiet and ranks.rank == 0:
        print(f"rateml-fit: wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
