#!/usr/bin/python3
"""Exits 0 when /data of PART equals sets OFFSET.. of WHOLE to the bit."""
import sys

import h5py
import numpy as np

whole, part, offset = sys.argv[1], sys.argv[2], int(sys.argv[3])
with h5py.File(whole) as a, h5py.File(part) as b:
    y = b["data"][()]
    x = a["data"][offset:offset + len(y)]
span = f"sets {offset}-{offset + len(y) - 1}"
if not np.array_equal(x, y, equal_nan=True):
    print(span, "differ")
    sys.exit(1)
print(span, "identical")
