#!/usr/bin/python3
"""Usage: mpi-same-file.py ONE.h5 RANKS.h5 K

Exits 0 when the file K MPI ranks wrote (RANKS.h5) is the one a single
process wrote (ONE.h5), dataset by dataset to the bit (values, shapes,
types, dimension names) and attribute by attribute, except the root
attributes `ranks` (K there, 1 here) and `backend` (one entry per rank);
else prints the first difference and exits 1."""
import sys

import h5py
import numpy as np

one_path, ranks_path, k = sys.argv[1], sys.argv[2], int(sys.argv[3])


def fail(what):
    print("differ:", what)
    sys.exit(1)


def same(x, y):
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            return False
        if x.dtype.kind == "O" or y.dtype.kind == "O":
            return [str(v) for v in x.ravel()] == [str(v) for v in y.ravel()]
        return x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True)
    return x == y


def attributes(obj):
    # Dimension scales' bookkeeping holds object references, compared as
    # the dimensions' names below.
    return {n: v for n, v in obj.attrs.items()
            if n not in ("DIMENSION_LIST", "REFERENCE_LIST")}


with h5py.File(one_path) as one, h5py.File(ranks_path) as ranks:
    if int(one.attrs["ranks"]) != 1 or int(ranks.attrs["ranks"]) != k:
        fail(f"ranks {one.attrs['ranks']} and {ranks.attrs['ranks']}")
    backends = ranks.attrs["backend"]
    if k > 1 and (np.ndim(backends) != 1 or len(backends) != k):
        fail(f"backend {backends!r} has not one entry per rank")
    a, b = attributes(one), attributes(ranks)
    for name in ("ranks", "backend"):
        a.pop(name), b.pop(name)
    if a.keys() != b.keys():
        fail(f"root attributes {sorted(a)} and {sorted(b)}")
    for name in a:
        if not same(a[name], b[name]):
            fail(f"attribute {name}: {a[name]!r} and {b[name]!r}")
    names = []
    one.visit(names.append)
    other = []
    ranks.visit(other.append)
    if sorted(names) != sorted(other):
        fail(f"objects {sorted(names)} and {sorted(other)}")
    for name in names:
        x, y = one[name], ranks[name]
        if isinstance(x, h5py.Group):
            continue
        if not same(x[()], y[()]):
            fail(f"/{name}")
        if x.dtype != y.dtype:
            fail(f"/{name}: type {x.dtype} and {y.dtype}")
        if [d.label for d in x.dims] != [d.label for d in y.dims] or \
                [[s.name for s in d.values()] for d in x.dims] != \
                [[s.name for s in d.values()] for d in y.dims]:
            fail(f"/{name}: dimensions")
        xa, ya = attributes(x), attributes(y)
        if xa.keys() != ya.keys() or any(not same(xa[n], ya[n]) for n in xa):
            fail(f"/{name}: attributes")
    print(f"same file from {k} ranks: {len(names)} objects")
