#!/usr/bin/python3
"""Compiles every model to PTX (f32 and f64) and assembles it with ptxas for
sm_80 and sm_90, requiring no local-memory spills. Prints a summary line;
exits 1 on any failure."""
import argparse
import pathlib
import re
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--models", type=pathlib.Path, required=True)
parser.add_argument("--work", type=pathlib.Path, required=True)
parser.add_argument("--ptxas", default="ptxas")
args = parser.parse_args()

count = 0
for model in sorted(args.models.glob("*.xml")):
    for precision in ("f32", "f64"):
        ptx = args.work / f"{model.stem}-{precision}.ptx"
        subprocess.run(["rateml-compile", model, "--emit=ptx", "--precision",
                        precision, "-o", ptx], check=True)
        for arch in ("sm_80", "sm_90"):
            done = subprocess.run([args.ptxas, f"-arch={arch}", "-v", ptx,
                                   "-o", args.work / "out.cubin"],
                                  capture_output=True, text=True)
            report = done.stdout + done.stderr
            spills = re.findall(r"(\d+) bytes spill stores, (\d+) bytes spill loads", report)
            if done.returncode != 0 or not spills or any(s != ("0", "0") for s in spills):
                sys.exit(f"{ptx.name} for {arch}:\n{report}")
        count += 1
print(f"{count} PTX files (models x f32/f64) assembled for sm_80 and sm_90 "
      "without spills")
