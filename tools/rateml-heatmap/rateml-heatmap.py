#!/usr/bin/python3
"""Draws a scalar per-set dataset of a sweep's HDF5 file as a heat map.

    rateml-heatmap results.h5 [--dataset fcd_var] [--x NAME] [--y NAME]
                   [--output fcd_var.png] [--title TEXT] [--log]

The sweep must be a full grid over the two parameters (every combination
present once; other swept parameters, if any, must be fixed with --where
NAME=VALUE). A cohort's `subject` column is not a default axis: its maps
are drawn one subject at a time (--where subject=K), or side by side with
--x subject. Axes are labelled with the parameter names and their values,
with a colour bar; NaN cells are drawn grey. Uses matplotlib (Debian's
python3-matplotlib). Bad input: one line on stderr, exit status 2.
"""
import argparse
import sys

import h5py
import numpy as np


def fail(message):
    print(f"rateml-heatmap: error: {message}", file=sys.stderr)
    sys.exit(2)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def main():
    p = argparse.ArgumentParser(
        description="Heat map of a per-set dataset over two swept parameters.")
    p.add_argument("file", help="HDF5 file written by sweep.bin")
    p.add_argument("--dataset", default="fcd_var",
                   help="dataset with one value per set (default fcd_var)")
    p.add_argument("--x", help="parameter on the x axis (default: the "
                   "second swept parameter)")
    p.add_argument("--y", help="parameter on the y axis (default: the first)")
    p.add_argument("--where", action="append", default=[],
                   metavar="NAME=VALUE", help="fix another swept parameter")
    p.add_argument("--output", "-o", help="PNG file (default DATASET.png)")
    p.add_argument("--title", help="plot title (default: dataset and model)")
    p.add_argument("--log", action="store_true", help="log colour scale")
    args = p.parse_args()

    try:
        f = h5py.File(args.file, "r")
    except OSError as e:
        fail(f"cannot open '{args.file}': {e}")
    with f:
        if "params" not in f:
            fail(f"'{args.file}' has no /params: not a sweep result")
        names = [text(n) for n in f["params"].attrs["names"]]
        params = f["params"][...]
        key = args.dataset.lstrip("/")
        if key not in f or not isinstance(f[key], h5py.Dataset):
            scalars = []
            # Per-set scalars, not the dimension scale /set itself.
            f.visititems(lambda n, o: scalars.append(n)
                         if isinstance(o, h5py.Dataset) and o.shape ==
                         (params.shape[0],) and
                         o.attrs.get("CLASS") != b"DIMENSION_SCALE"
                         else None)
            fail(f"no dataset '/{key}' (per-set datasets here: "
                 f"{', '.join('/' + s for s in scalars) or 'none'})")
        values = f[key][...]
        model = text(f.attrs.get("model", ""))
    if values.shape != (params.shape[0],):
        fail(f"/{key} has shape {values.shape}, not one value per set "
             f"({params.shape[0]})")
    # The default axes are the first two parameters but a cohort's subject.
    axes = [n for n in names if n != "subject"] + (
        ["subject"] if "subject" in names else [])
    if len(names) < 2:
        fail("the sweep has fewer than two swept parameters")
    y = args.y or axes[0]
    x = args.x or axes[1]
    for axis in (x, y):
        if axis not in names:
            fail(f"unknown parameter '{axis}' (swept: {', '.join(names)})")
    if x == y:
        fail("--x and --y name the same parameter")
    keep = np.ones(params.shape[0], dtype=bool)
    fixed = {}
    for spec in args.where:
        name, _, value = spec.partition("=")
        if name not in names or not value:
            fail(f"malformed --where '{spec}' (expected NAME=VALUE with NAME "
                 f"one of {', '.join(names)})")
        try:
            fixed[name] = float(value)
        except ValueError:
            fail(f"--where {name}: '{value}' is not a number")
        keep &= np.isclose(params[:, names.index(name)], fixed[name])
    others = [n for n in names if n not in (x, y) and n not in fixed]
    if others:
        fail(f"fix the other swept parameters with --where: "
             f"{', '.join(others)}")
    px, py = params[keep, names.index(x)], params[keep, names.index(y)]
    xs, ys = np.unique(px), np.unique(py)
    grid = np.full((len(ys), len(xs)), np.nan)
    seen = np.zeros_like(grid, dtype=int)
    for vx, vy, v in zip(px, py, values[keep]):
        i, j = np.searchsorted(ys, vy), np.searchsorted(xs, vx)
        grid[i, j] = v
        seen[i, j] += 1
    if len(xs) < 1 or np.any(seen != 1):
        fail(f"the sets do not form a full {x} x {y} grid "
             f"({len(xs)} x {len(ys)} cells, {int(keep.sum())} sets)")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    fig, ax = plt.subplots(figsize=(1.2 + 0.55 * len(xs), 1.2 + 0.5 * len(ys)),
                           constrained_layout=True)
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("0.75")
    finite = grid[np.isfinite(grid)]
    norm = LogNorm() if args.log and finite.size and finite.min() > 0 else None
    image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", cmap=cmap,
                      norm=norm, aspect="auto")
    ax.set_xticks(range(len(xs)), [f"{v:.3g}" for v in xs],
                  rotation=45 if len(xs) > 6 else 0)
    ax.set_yticks(range(len(ys)), [f"{v:.3g}" for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    where = ", ".join(f"{n}={v:g}" for n, v in fixed.items())
    ax.set_title(args.title or f"{key}" + (f" ({model})" if model else "") +
                 (f", {where}" if where else ""))
    fig.colorbar(image, ax=ax, label=key)
    output = args.output or f"{key.replace('/', '_')}.png"
    try:
        fig.savefig(output, dpi=120)
    except OSError as e:
        fail(f"cannot write '{output}': {e}")
    print(f"rateml-heatmap: wrote {output} ({key} over {x} x {y}, "
          f"{len(xs)} x {len(ys)})")


if __name__ == "__main__":
    main()
