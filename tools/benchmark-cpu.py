#!/usr/bin/python3
"""Benchmark of workload W1 on the CPU (see docs/performance.md).

W1: Montbrio on TVB's 68-node connectome (K = 1244 edges), dt = 0.1 ms,
4000 steps, speed 3 mm/ms, a grid of global couplings, deterministic Heun.
W1 couples r only; models/montbrio.xml couples r and V (TVB's model), so the
script runs both: "W1" is montbrio.xml with its V coupling removed (written
to a temporary file), "montbrio.xml" is the shipped model (twice the edge
work). Each is compiled in float32 and float64 and run with 1 and 2 threads;
W1 float32 also with --block 1 (coupling one step at a time) and with
--lanes W (sweep.bin chooses between its W- and W/2-lane kernels by the L2
size; this forces the wide ones), and W1 in both precisions with noise (one
thread). The workloads of delays and noise follow, each printed as a ratio
to the run it varies (one thread): W1-grid, the RateML paper's 16 x 16
coupling x speed grid written in the CLI's order (speed varying fastest)
and the other way round, W1-spread, one set per distinct speed (an
optimiser's population), and montbrio.xml with noise in both precisions.

Side by side in the same invocation: the float64 reference interpreter
(a few sets) and rateml-baseline-cpu, the hand-written W1 loop a user would
write (tools/baseline/montbrio_w1_cpu.cpp), plain and summing the coupling
of 8 and 16 steps per pass over the edges (--block), whose per-set results
are checked against sweep.bin's; "vs hand" is against the best of them. Variants run round-robin, --repeat rounds,
best of each (timed by the programs themselves, so compilation and file
output are excluded), because this machine's speed drifts. Prints
parameter-set steps per second (PSS/s).

With --compare OTHER_BUILD, W1 (float32 and float64, deterministic and
with noise, one thread) is also compiled by OTHER_BUILD's rateml-compile
(e.g. a build of an earlier commit) and run in the same rounds, so a change
is measured side by side with what it changes.

usage: tools/benchmark-cpu.py [--build build] [--compare OTHER_BUILD]
                              [--sets 256] [--repeat 5]
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The hand-written loop's blocks of steps per pass over the edges (1: none;
# W1's shortest delay at 3 mm/ms is 30 steps).
HAND_BLOCKS = (1, 8, 16)
RATE = re.compile(r"([0-9.]+) s, ([0-9.e+]+) parameter-set steps/s")


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    match = RATE.search(out)
    if not match:
        sys.exit(f"no timing in the output of {cmd[0]}:\n{out}")
    return float(match.group(2)), out


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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", type=pathlib.Path,
                        help="another build whose W1 kernels run alongside")
    args = parser.parse_args()

    shared = ROOT.parent / "shared" / "data" / "connectivity_68.zip"
    connectivity = str(shared) if shared.exists() else "builtin:68"
    model = ROOT / "models" / "montbrio.xml"
    bin_dir = args.build / "bin"
    work = pathlib.Path(tempfile.mkdtemp(prefix="rateml-bench-"))
    common = ["--connectivity", connectivity, "--dt", "0.1", "--seed", "1"]
    sweep = [*common, "--values", "global_speed=3", "--no-noise",
             "--every", str(args.steps), "--steps", str(args.steps),
             "--sweep", f"global_coupling=0:0.5:{args.sets}"]

    w1 = r_only(model, work / "montbrio_r.xml")
    reference_sets, reference_steps = 4, 400
    variants = [("W1 reference (scalar f64 interpreter)", 1, reference_sets,
                 [bin_dir / "rateml-reference", w1, *common, "--values",
                  "global_speed=3", "--no-noise", "--every",
                  str(reference_steps), "--steps", str(reference_steps),
                  "--sweep", f"global_coupling=0:0.5:{reference_sets}",
                  "--output", str(work / "ref.h5")]),
                *[("W1 hand-written loop (C++, -O3 -march=native)"
                   if block == 1 else f"W1 hand-written loop, --block {block}",
                   1,
                   args.sets,
                   [bin_dir / "rateml-baseline-cpu", *common, "--speed",
                    "3", "--sets", str(args.sets), "--steps",
                    str(args.steps), "--coupling-hi", "0.5", "--block",
                    str(block)])
                  for block in HAND_BLOCKS]]
    builds = [("W1", w1, "f32", []), ("W1", w1, "f64", []),
              ("W1 --block 1", w1, "f32", ["--block", "1"]),
              ("montbrio.xml (r and V)", model, "f32", []),
              ("montbrio.xml (r and V)", model, "f64", [])]
    for label, source, precision, flags in builds:
        exe = work / f"{source.stem}-{precision}{''.join(flags)}"
        subprocess.run([bin_dir / "rateml-compile", source, "--precision",
                        precision, *flags, "-o", exe], check=True)
        for threads in (1, 2):
            if flags and threads == 2:
                continue
            out = work / f"{exe.name}-{threads}.h5"
            variants.append((f"{label} sweep.bin {precision}", threads,
                             args.sets, [exe, *sweep, "--threads",
                                         str(threads), "--output", str(out)]))
        if source == w1 and not flags and precision == "f32":
            # The sweep as sweep.bin chooses its lanes, and forced to the
            # wide kernels.
            usage = subprocess.run([exe, "--help"], check=True,
                                   capture_output=True, text=True).stdout
            wide = re.search(r"(\d+) sets per vector", usage).group(1)
            variants.append((f"W1 sweep.bin {precision}, --lanes {wide}", 1,
                             args.sets, [exe, *sweep, "--threads", "1",
                                         "--lanes", wide, "--output",
                                         str(work / f"{exe.name}-wide.h5")]))
        if source == w1 and not flags:
            # W1 with TVB's additive noise drawn in the kernel.
            noisy = [arg for arg in sweep if arg != "--no-noise"]
            variants.append((f"W1 with noise sweep.bin {precision}", 1,
                             args.sets, [exe, *noisy, "--threads", "1",
                                         "--output",
                                         str(work / f"{exe.name}-noise.h5")]))

    # The workloads of delays and noise (docs/performance.md), one thread,
    # each against the run of the same binary it varies: the speed grid of
    # the RateML paper (16 couplings x 16 speeds) in the CLI's order (speed
    # fastest) and the other way round, 256 distinct speeds (an optimiser's
    # population), and TVB's MPR (montbrio.xml) with noise in both
    # precisions.
    speeds = "global_speed=2:8:16"
    grid = [*common, "--no-noise", "--every", str(args.steps), "--steps",
            str(args.steps)]
    w1_f32 = work / "montbrio_r-f32"
    one_speed = "W1 sweep.bin f32"
    ratios = [("W1-grid f32, 16 G x 16 speeds, speed fastest", one_speed,
               [w1_f32, *grid, "--sweep", "global_coupling=0:0.5:16",
                "--sweep", speeds]),
              ("W1-grid f32, 16 speeds x 16 G, speed slowest", one_speed,
               [w1_f32, *grid, "--sweep", speeds, "--sweep",
                "global_coupling=0:0.5:16"]),
              (f"W1-spread f32, {args.sets} distinct speeds", one_speed,
               [w1_f32, *grid, "--values", "global_coupling=0.3", "--sweep",
                f"global_speed=2:8:{args.sets}"])]
    for precision in ("f32", "f64"):
        noisy = [arg for arg in sweep if arg != "--no-noise"]
        ratios.append((f"W1-noise montbrio.xml {precision} with noise",
                       f"montbrio.xml (r and V) sweep.bin {precision}",
                       [work / f"montbrio-{precision}", *noisy]))
    for name, _, cmd in ratios:
        variants.append((name, 1, args.sets,
                         [*cmd, "--threads", "1", "--output",
                          str(work / f"{len(variants)}.h5")]))

    if args.compare:
        for precision in ("f32", "f64"):
            exe = work / f"compare-{precision}"
            subprocess.run([args.compare / "bin" / "rateml-compile", w1,
                            "--precision", precision, "-o", exe], check=True)
            noisy = [arg for arg in sweep if arg != "--no-noise"]
            for label, options in (("", sweep), (" with noise", noisy)):
                variants.append(
                    (f"W1{label} sweep.bin {precision} "
                     f"({args.compare.parent.name}/{args.compare.name})",
                     1, args.sets,
                     [exe, *options, "--threads", "1", "--output",
                      str(work / f"{exe.name}{label.strip()}.h5")]))

    best = [0.0] * len(variants)
    outputs = [""] * len(variants)
    for _ in range(args.repeat):
        for k, (_, _, _, cmd) in enumerate(variants):
            rate, outputs[k] = run(cmd)
            best[k] = max(best[k], rate)

    # The hand-written loop computes what the W1 f32 sweep.bin computes.
    hand = np.array([float(v) for v in
                     outputs[1].split("mean r per set:")[1].split()])
    with h5py.File(work / f"montbrio_r-f32-1.h5") as f:
        compiled = f["data"][:, -1, 0, :].mean(axis=1)
    difference = float(np.max(np.abs(hand - compiled)))

    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    # The best of the hand-written loops: step blocks of 1, 8 and 16.
    ref, hand_rate = best[0], max(best[1:1 + len(HAND_BLOCKS)])
    print(f"W1: montbrio, {connectivity} (68 nodes, 1244 edges), dt 0.1 ms, "
          f"speed 3 mm/ms, Heun, no noise; {cpu}; best of {args.repeat}")
    print(f"{'variant':48} {'threads':>7} {'sets':>5} {'PSS/s':>9} "
          f"{'per core':>9} {'vs ref':>7} {'vs hand':>8}")
    for (name, threads, sets, _), rate in zip(variants, best):
        print(f"{name:48} {threads:7d} {sets:5d} {rate:9.3g} "
              f"{rate / threads:9.3g} {rate / ref:6.0f}x "
              f"{rate / threads / hand_rate:7.2f}x")
    rate_of = {name: rate for (name, threads, _, _), rate in
               zip(variants, best) if threads == 1}
    print(f"\n{'workload (one thread)':48} {'PSS/s':>9} {'vs':>40} "
          f"{'ratio':>6}")
    for name, baseline, _ in ratios:
        print(f"{name:48} {rate_of[name]:9.3g} {baseline:>40} "
              f"{rate_of[name] / rate_of[baseline]:6.2f}")
    print(f"W1 sweep.bin f32, one thread, against the best hand-written "
          f"loop: {rate_of['W1 sweep.bin f32'] / hand_rate:.2f}x")
    print(f"hand-written vs sweep.bin W1 f32: max |mean r difference| over "
          f"sets = {difference:.2g}")
    if difference > 1e-3:
        sys.exit("the hand-written loop and sweep.bin disagree")


if __name__ == "__main__":
    main()
