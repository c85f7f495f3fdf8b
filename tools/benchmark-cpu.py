#!/usr/bin/python3
"""Benchmark of workload W1 on the CPU (see docs/performance.md).

W1: Montbrio on TVB's 68-node connectome (K = 1244 edges), dt = 0.1 ms,
4000 steps, speed 3 mm/ms, a grid of global couplings, deterministic Heun.
W1 couples r only; models/montbrio.xml couples r and V (TVB's model), so the
script runs both: "W1" is montbrio.xml with its V coupling removed (written
to a temporary file), "montbrio.xml" is the shipped model (twice the edge
work). Each is compiled in float32 and float64 and run with 1 and 2 threads
(best of --repeat runs, timed by sweep.bin itself, so compilation and file
output are excluded); the float64 reference interpreter runs a few sets in
the same invocation. Prints parameter-set steps per second (PSS/s).

usage: tools/benchmark-cpu.py [--build build] [--sets 256] [--repeat 3]
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
RATE = re.compile(r"([0-9.]+) s, ([0-9.e+]+) parameter-set steps/s")


def pss(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    match = RATE.search(out)
    if not match:
        sys.exit(f"no timing in the output of {cmd[0]}:\n{out}")
    return float(match.group(2))


def r_only(model, path):
    """montbrio.xml without the coupling through V (W1's model)."""
    tree = ET.parse(model)
    root = tree.getroot()
    for component in list(root):
        if component.get("name") == "coupling_V":
            root.remove(component)
    for derivative in root.iter("TimeDerivative"):
        value = derivative.get("value")
        derivative.set("value", value.replace(" + cv * c_v", ""))
    tree.write(path)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=ROOT / "build", type=pathlib.Path)
    parser.add_argument("--sets", type=int, default=256)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    shared = ROOT.parent / "shared" / "data" / "connectivity_68.zip"
    connectivity = str(shared) if shared.exists() else "builtin:68"
    model = ROOT / "models" / "montbrio.xml"
    bin_dir = args.build / "bin"
    work = pathlib.Path(tempfile.mkdtemp(prefix="rateml-bench-"))
    sweep = ["--connectivity", connectivity, "--dt", "0.1",
             "--values", "global_speed=3", "--no-noise",
             "--every", str(args.steps), "--output", str(work / "out.h5")]

    rows = []
    w1 = r_only(model, work / "montbrio_r.xml")
    reference_sets, reference_steps = 4, 400
    ref = pss([bin_dir / "rateml-reference", w1, *sweep,
               "--sweep", f"global_coupling=0:0.5:{reference_sets}",
               "--steps", str(reference_steps)])
    rows.append(("W1 reference (scalar f64 interpreter)", 1, reference_sets,
                 ref))
    for label, source in (("W1", w1), ("montbrio.xml (r and V)", model)):
        for precision in ("f32", "f64"):
            exe = work / f"{source.stem}-{precision}"
            subprocess.run([bin_dir / "rateml-compile", source, "--precision",
                            precision, "-o", exe], check=True)
            for threads in (1, 2):
                best = max(pss([exe, *sweep, "--sweep",
                                f"global_coupling=0:0.5:{args.sets}",
                                "--steps", str(args.steps), "--threads",
                                str(threads)]) for _ in range(args.repeat))
                rows.append((f"{label} sweep.bin {precision}", threads,
                             args.sets, best))

    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(f"W1: montbrio, {connectivity} (68 nodes, 1244 edges), dt 0.1 ms, "
          f"speed 3 mm/ms, Heun, no noise; {cpu}")
    print(f"{'variant':40} {'threads':>7} {'sets':>6} {'PSS/s':>10} "
          f"{'per core':>10} {'vs reference':>13}")
    for name, threads, sets, rate in rows:
        print(f"{name:40} {threads:7d} {sets:6d} {rate:10.3g} "
              f"{rate / threads:10.3g} {rate / ref:12.0f}x")


main()
