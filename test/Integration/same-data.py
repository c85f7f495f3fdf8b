#!/usr/bin/python3
"""Exits 0 when /data of two result files is identical to the bit (their
/params may differ by run-parameter columns), else prints where and 1."""
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2]) as b:
    x, y = a["data"][()], b["data"][()]
if x.shape != y.shape or not np.array_equal(x, y, equal_nan=True):
    print("differ:", x.shape, y.shape,
          np.max(np.abs(x - y)) if x.shape == y.shape else "")
    sys.exit(1)
print("identical")
