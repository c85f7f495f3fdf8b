"""Compares the sweeps of sweep-constants.test set by set."""
import sys

import h5py
import numpy as np

d = sys.argv[1]
swept, set14, plain, table = (
    h5py.File(f"{d}/{n}.h5", "r") for n in ("swept", "set14", "plain", "table"))
names = [n.decode() if isinstance(n, bytes) else n
         for n in swept["params"].attrs["names"]]
print("params:", " ".join(names))
print("J=14 set 0 equals --set J=14:",
      np.array_equal(swept["data"][0], set14["data"][0]))
print("J=15 set 1 equals the model's J=15:",
      np.array_equal(swept["data"][1], plain["data"][1]))
print("the two J differ:", not np.array_equal(swept["data"][0],
                                              swept["data"][1]))
for f in (swept, set14, plain, table):
    assert (f["diverged_step"][:] == -1).all()
print("table equals grid:", np.array_equal(swept["data"][:], table["data"][:]))
