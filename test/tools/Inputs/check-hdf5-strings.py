#!/usr/bin/python3
"""Checks that every string attribute of a sweep.bin result reads as str.

Walks the file's root, groups and datasets; every attribute that holds text
(a scalar or an array of strings) must be variable-length UTF-8 and come
back from h5py as str. The attributes of HDF5's dimension scales (CLASS,
NAME, written by the HDF5 library in its own fixed format, which netCDF
readers expect) are not sweep.bin's. Prints the count and a few values;
exits 1 otherwise.
"""
import sys

import h5py
import numpy as np

DIMENSION_SCALE_ATTRIBUTES = {"CLASS", "NAME", "REFERENCE_LIST",
                              "DIMENSION_LIST"}


def strings(name, obj, found, bad):
    for key, value in obj.attrs.items():
        if key in DIMENSION_SCALE_ATTRIBUTES:
            continue
        where = f"{name or '/'}@{key}"
        tid = obj.attrs.get_id(key).get_type()
        if tid.get_class() != h5py.h5t.STRING:
            continue
        if not tid.is_variable_str() or tid.get_cset() != h5py.h5t.CSET_UTF8:
            bad.append(f"{where}: not variable-length UTF-8")
        values = value.tolist() if isinstance(value, np.ndarray) else [value]
        for v in values:
            found.append(where)
            if not isinstance(v, str):
                bad.append(f"{where}: {type(v).__name__}, not str")


def main():
    found, bad = [], []
    with h5py.File(sys.argv[1]) as f:
        strings("", f, found, bad)
        f.visititems(lambda name, obj: strings(name, obj, found, bad))
        if bad:
            print("\n".join(bad))
            return 1
        print(f"strings: {len(found)}, all str")
        print(f"model {f.attrs['model']}, var_names "
              f"{list(f.attrs['var_names'])}, names "
              f"{list(f['params'].attrs['names'])}, driver "
              f"{f['bold'].attrs['driver']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
