#!/usr/bin/python3
"""Compiles every model file to a sweep.bin, runs it, and checks its output.

Each model runs a small sweep for 200 steps with Heun and noise, and again
with Euler and no noise. Where a model has them, the speed is 2 mm/ms
(RateML's epileptor.xml sweeps it from 0, which sweep.bin rightly refuses)
and the coupling is weak. The output must have the documented layout and a
finite initial sample (some RateML models diverge later, as they do in the
reference). Prints 'NAME: ok' per model; any failure makes the exit status 1.
"""
import argparse
import pathlib
import subprocess
import sys

import h5py
import numpy as np


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))}: {done.stderr.strip()}")


def check(model, label, args):
    exe = args.work / (model.stem + "-" + model.parent.name + ".bin")
    run(["rateml-compile", model, "-o", exe])
    help_text = subprocess.run([exe, "--help"], capture_output=True,
                               text=True).stdout
    sweep = []
    if "  global_speed [" in help_text:
        sweep += ["--values", "global_speed=2"]
    if "  global_coupling [" in help_text:
        sweep += ["--values", "global_coupling=0,0.01"]
    for options in (["--integrator", "heun"],
                    ["--integrator", "euler", "--no-noise", "--dt", "0.01"]):
        out = args.work / (exe.stem + ".h5")
        run([exe, "--connectivity", args.connectivity, "--steps", "200",
             "--every", "50", "--quiet", "--output", out] + sweep + options)
        with h5py.File(out, "r") as f:
            data = f["data"][...]
            names = list(f["params"].attrs["names"])
            if (data.ndim != 4 or data.shape[1] != 5 or data.shape[3] != 76
                    or data.shape[0] != len(f["params"][...])
                    or len(names) != f["params"].shape[1]
                    or not np.isfinite(data[:, 0]).all()):
                raise RuntimeError(f"{label}: unexpected output {data.shape}")
    print(f"{label}: ok")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=pathlib.Path, required=True)
    parser.add_argument("--rateml-xml", type=pathlib.Path, required=True)
    parser.add_argument("--connectivity", required=True)
    parser.add_argument("--work", type=pathlib.Path, required=True)
    args = parser.parse_args()
    models = sorted(args.models.glob("*.xml"))
    rateml = sorted(p for p in args.rateml_xml.glob("*.xml")
                    if p.name != "model_template.xml")
    count = 0
    for model in models + rateml:
        label = f"{model.parent.name}/{model.name}"
        try:
            check(model, label, args)
            count += 1
        except RuntimeError as e:
            print(f"{label}: FAILED: {e}")
    print(f"{count} models compiled and ran")
    sys.exit(0 if count == len(models) + len(rateml) else 1)


main()
