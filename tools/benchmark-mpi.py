#!/usr/bin/python3
"""Strong scaling of sweep.bin across MPI ranks (see docs/performance.md).

W1 (Montbrio coupled through r, TVB's 68-node connectome, dt 0.1 ms, speed
3 mm/ms, float32, deterministic Heun) with --sets sets and --steps steps,
raw samples every --every steps written to /data, run three ways in the
same rounds, interleaved, best of --repeat:

  1 process, 1 thread        ./w1.bin --threads 1
  2 MPI ranks x 1 thread     mpirun -n 2 --bind-to core ./w1.bin --threads 1
  1 process, 2 threads       ./w1.bin --threads 2   (the alternative on one
                             machine)

Each run's time is the whole command's wall time (MPI start-up, planning,
the file write and close included). Prints the times, the speed-up and
parallel efficiency of the ranks against one process, and what the ranks'
summary reports of their time writing the one file (the slowest rank's
MPI-IO writes plus rank 0's metadata, as a share of the run). The two
files are compared dataset by dataset (tools' mpi-same-file check).

usage: tools/benchmark-mpi.py [--build build] [--sets 4096]
                              [--steps 40000] [--every 1000] [--repeat 3]
"""
import argparse
import importlib.util
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WRITE = re.compile(r"mpi: ([0-9.]+) s writing the file \(([0-9.]+)% of")


def w1_model(path):
    """W1's model, written by tools/benchmark-cpu.py's r_only."""
    spec = importlib.util.spec_from_file_location(
        "benchmark_cpu", ROOT / "tools" / "benchmark-cpu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.r_only(ROOT / "models" / "montbrio.xml", path)


def timed(cmd):
    start = time.monotonic()
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    return time.monotonic() - start, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=ROOT / "build", type=pathlib.Path)
    parser.add_argument("--sets", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=40000)
    parser.add_argument("--every", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    shared = ROOT.parent / "shared" / "data" / "connectivity_68.zip"
    connectivity = str(shared) if shared.exists() else "builtin:68"
    work = pathlib.Path(tempfile.mkdtemp(prefix="rateml-mpi-bench-"))
    exe = work / "w1.bin"
    subprocess.run([args.build / "bin" / "rateml-compile",
                    w1_model(work / "w1.xml"), "-o", exe], check=True)
    sweep = ["--connectivity", connectivity, "--dt", "0.1", "--seed", "1",
             "--values", "global_speed=3", "--no-noise", "--steps",
             str(args.steps), "--every", str(args.every), "--sweep",
             f"global_coupling=0:0.5:{args.sets}"]
    mpirun = ["mpirun", "--allow-run-as-root", "--bind-to", "core"]
    variants = [
        ("1 process, 1 thread", [exe, *sweep, "--threads", "1", "--output",
                                 str(work / "one.h5")]),
        ("2 MPI ranks x 1 thread", [*mpirun, "-n", "2", exe, *sweep,
                                    "--threads", "1", "--output",
                                    str(work / "ranks.h5")]),
        ("1 process, 2 threads", [exe, *sweep, "--threads", "2", "--output",
                                  str(work / "threads.h5")]),
    ]
    times = {label: [] for label, _ in variants}
    writes = []
    for _ in range(args.repeat):
        for label, cmd in variants:
            seconds, out = timed(cmd)
            times[label].append(seconds)
            if match := WRITE.search(out):
                writes.append((float(match.group(1)), float(match.group(2))))
    same = subprocess.run(
        ["/usr/bin/python3", ROOT / "test" / "Integration" /
         "mpi-same-file.py", work / "one.h5", work / "ranks.h5", "2"],
        capture_output=True, text=True).stdout.strip()

    pss = args.sets * args.steps
    one = min(times["1 process, 1 thread"])
    print(f"W1 f32, {args.sets} sets x {args.steps} steps, /data every "
          f"{args.every} steps, {connectivity}; best of {args.repeat} "
          "(min-max), whole command wall time")
    print(f"{'run':28} {'seconds':>20} {'PSS/s':>10} {'speed-up':>9} "
          f"{'efficiency':>10}")
    for label, _ in variants:
        best, worst = min(times[label]), max(times[label])
        speedup = one / best
        print(f"{label:28} {best:9.2f} ({best:.2f}-{worst:.2f}) "
              f"{pss / best:10.3g} {speedup:9.2f} {speedup / 2:10.1%}"
              if label != "1 process, 1 thread" else
              f"{label:28} {best:9.2f} ({best:.2f}-{worst:.2f}) "
              f"{pss / best:10.3g} {1.0:9.2f} {'':>10}")
    if writes:
        seconds = [w[0] for w in writes]
        shares = [w[1] for w in writes]
        print(f"2 ranks writing the one file: {min(seconds):.3f}-"
              f"{max(seconds):.3f} s, {min(shares):.1f}-{max(shares):.1f}% "
              "of the run")
    print(f"files: {same}")


if __name__ == "__main__":
    sys.exit(main())
