#!/usr/bin/python3
"""Prints the groups, shapes and dimension scales of a rateml-fit file."""
import sys

import h5py


def dims(dataset):
    return " ".join(s.name for d in dataset.dims for s in d.values())


f = h5py.File(sys.argv[1], "r")
print("history:", " ".join(sorted(f["history"])))
print("score", f["history/score"].shape, "dims", dims(f["history/score"]))
for name in ("values", "fc"):
    print("best", name, f["best"][name].shape, "dims", dims(f["best"][name]))
print("best param", [p.decode() if isinstance(p, bytes) else p
                     for p in f["best/param"][:]])
