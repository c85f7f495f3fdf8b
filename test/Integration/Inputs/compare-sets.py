#!/usr/bin/python3
"""compare-sets.py A.h5 SET_A B.h5 SET_B: exits 1 unless /data of set
SET_A of A equals that of set SET_B of B to the bit (NaNs at the same
places), for the stimulus tests' runs whose /params differ (a swept
stimulus.scale against the plain model)."""
import sys

import h5py
import numpy as np

a = h5py.File(sys.argv[1], "r")["data"][int(sys.argv[2])]
b = h5py.File(sys.argv[3], "r")["data"][int(sys.argv[4])]
if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
    diff = np.nanmax(np.abs(a.astype(float) - b.astype(float)))
    sys.exit(f"compare-sets: set {sys.argv[2]} of {sys.argv[1]} differs "
             f"from set {sys.argv[4]} of {sys.argv[3]} (max |a - b| {diff})")
