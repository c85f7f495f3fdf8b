#!/usr/bin/python3
"""Prints the named dimensions xarray (engine h5netcdf) sees in a sweep's
result file and checks its values against h5py's (hdf5-dimensions.test)."""
import sys

import h5py
import numpy as np
import xarray

path = sys.argv[1]
ds = xarray.open_dataset(path, engine="h5netcdf")
for name in ("data", "params", "diverged_step", "bold", "fc", "fcd_var"):
    print(name, " ".join(ds[name].dims), ds[name].shape)
print(f"variable {list(ds['variable'].values)}; "
      f"param {list(ds['param'].values)}; "
      f"time {ds['time'].values[0]} .. {ds['time'].values[-1]} ms; "
      f"bold_time {ds['bold_time'].values[0]} .. "
      f"{ds['bold_time'].values[-1]} ms")
with h5py.File(path, "r") as f:
    for name in ds.variables:
        ours = ds[name].values
        if ours.dtype.kind == "O":
            same = list(ours) == list(f[name].asstr()[...])
        else:
            same = np.array_equal(ours, f[name][...],
                                  equal_nan=ours.dtype.kind == "f")
        if not same:
            sys.exit(f"{name} differs from h5py's")
print("every variable equals h5py's")
