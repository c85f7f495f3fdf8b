#!/usr/bin/python3
"""Compares two rateml-fit files to the bit: every dataset of /history and
/best (values and dtype) and the attributes; prints what differs, or
'identical' and how many datasets it compared, and exits non-zero if any
differ."""
import sys

import h5py
import numpy as np


def datasets(f):
    found = {}
    for group in ("history", "best"):
        f[group].visititems(lambda name, obj, group=group: found.update(
            {f"{group}/{name}": obj} if isinstance(obj, h5py.Dataset)
            else {}))
    return found


def content(value):
    """Bytes for numbers (NaN equals NaN, -0 differs from 0), the values
    themselves for strings."""
    value = np.asarray(value)
    if value.dtype.kind in "OSU":
        return value.tolist()
    return value.dtype.str, value.shape, value.tobytes()


def attributes(obj):
    # Dimension scales refer to objects by address, which files do not share.
    return {k: content(v) for k, v in obj.attrs.items()
            if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}


a, b = (h5py.File(path, "r") for path in sys.argv[1:3])
left, right = datasets(a), datasets(b)
differ = sorted(set(left) ^ set(right))
for name in sorted(set(left) & set(right)):
    if (content(left[name][()]) != content(right[name][()]) or
            attributes(left[name]) != attributes(right[name])):
        differ.append(name)
if attributes(a["history"]) != attributes(b["history"]):
    differ.append("history attributes")
for name in differ:
    print("differs:", name)
if not differ:
    print("identical:", len(left), "datasets")
sys.exit(1 if differ else 0)
