"""Sweep results as xarray Datasets (docs/python.md).

sweep.bin's HDF5 files name their dimensions with HDF5 dimension scales
(docs/sweep.md), so xarray's h5netcdf engine reads them as they are;
open_results adds what that leaves out: the datasets of the /fit group
(as variables 'fit/fc_corr' and 'fit/fcd_ks', their paths in the file),
and each swept parameter's values as a coordinate along 'set'.
"""
import xarray


def _with_extras(ds, path):
    try:
        fit = xarray.open_dataset(path, engine="h5netcdf", group="fit")
    except (OSError, KeyError, ValueError):
        fit = None  # no /fit group
    if fit is not None:
        for name, variable in fit.data_vars.items():
            ds[f"fit/{name}"] = variable
    if "params" in ds and "param" in ds.coords:
        for k, name in enumerate(ds["param"].values):
            ds.coords[str(name)] = ("set", ds["params"].values[:, k])
    return ds


def open_results(path, load=False):
    """The HDF5 file `path` written by sweep.bin (or model.sweep) as an
    xarray.Dataset with the file's variables and attributes, named
    dimensions, and the swept parameters as coordinates along 'set'. The
    arrays are read when used, unless `load`."""
    ds = xarray.open_dataset(path, engine="h5netcdf")
    ds = _with_extras(ds, path)
    if load:
        ds = ds.load()
        ds.close()
    return ds
