#!/usr/bin/python3
"""Compares two sweep result files (sweep.bin or rateml-reference output).

usage: compare-h5.py RESULT REFERENCE --rtol X [--samples N]

Checks that /params and the shapes agree, that NaNs sit at the same places,
and that max |a - b| / max(1, |b|) over /data (the first N samples when
given) is at most X. Prints the error; exits 1 on any mismatch.
"""
import argparse
import sys

import h5py
import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("result")
    parser.add_argument("reference")
    parser.add_argument("--rtol", type=float, required=True)
    parser.add_argument("--samples", type=int)
    args = parser.parse_args()
    with h5py.File(args.result, "r") as a, h5py.File(args.reference, "r") as b:
        if not np.array_equal(a["params"][...], b["params"][...]):
            sys.exit("mismatch: /params differ")
        x = a["data"][...].astype(np.float64)
        y = b["data"][...].astype(np.float64)
    if x.shape != y.shape:
        sys.exit(f"mismatch: /data shapes {x.shape} and {y.shape}")
    if args.samples:
        x, y = x[:, : args.samples], y[:, : args.samples]
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        sys.exit("mismatch: NaNs at different places")
    finite = ~np.isnan(y)
    if not finite.any():
        sys.exit("mismatch: nothing finite to compare")
    error = np.max(np.abs(x[finite] - y[finite]) / np.maximum(1, np.abs(y[finite])))
    spread = np.ptp(y[finite])
    print(f"max scaled error {error:.3g} (tolerance {args.rtol:g}), spread {spread:.3g}")
    if not error <= args.rtol:
        sys.exit("mismatch: error above tolerance")
    if spread == 0:
        sys.exit("mismatch: the reference trajectory is constant; nothing is tested")


main()
