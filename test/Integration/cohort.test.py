#!/usr/bin/python3
"""The files and checks of cohort.test: `table CO.h5 OUT.csv` writes the
cohort's rows without their subject; `initial OUT.npy` an initial state;
`targets DIR` a target FC per subject; `check DIR` prints the checks."""
import sys

import h5py
import numpy as np


def upper(m):
    return m[np.triu_indices(m.shape[0], 1)]


def same(x, y):
    return bool(np.array_equal(x, y, equal_nan=True))


if sys.argv[1] == "table":
    with h5py.File(sys.argv[2]) as f:
        names = [str(n) for n in f["params"].attrs["names"]]
        params = f["params"][...]
    keep = [k for k, n in enumerate(names) if n != "subject"]
    with open(sys.argv[3], "w") as out:
        out.write(",".join(names[k] for k in keep) + "\n")
        for row in params:
            out.write(",".join(repr(float(row[k])) for k in keep) + "\n")
    sys.exit(0)
if sys.argv[1] == "initial":
    np.save(sys.argv[2], np.random.default_rng(5).uniform(-1, 1.5, (2, 12)))
    sys.exit(0)
d = sys.argv[2]
if sys.argv[1] == "targets":
    rng = np.random.default_rng(9)
    for name in ("a", "b"):
        m = rng.uniform(-1, 1, (12, 12))
        m = (m + m.T) / 2
        np.fill_diagonal(m, 1)
        np.save(f"{d}/fc-{name}.npy", m)
    sys.exit(0)

with h5py.File(f"{d}/co.h5") as co, h5py.File(f"{d}/b.h5") as single:
    paths = [str(p) for p in co.attrs["connectivity"]]
    hashes = [str(h) for h in co.attrs["connectivity_sha256"]]
    print(f"attributes: {paths} {len(hashes)} hashes, distinct: "
          f"{hashes[0] != hashes[1]}")
    print("single subject: scalar attributes:",
          isinstance(single.attrs["connectivity"], str) and
          single.attrs["connectivity_sha256"] == hashes[1])
    names = [str(n) for n in co["params"].attrs["names"]]
    print("params:", " ".join(names))
    subject = co["params"][:, 0].astype(int)
    print("subject column:", subject.tolist())
    data = co["data"][...]
longest = {}
for name in ("a", "b"):
    w = np.loadtxt(f"{d}/{name}/weights.txt")
    lengths = np.loadtxt(f"{d}/{name}/tract_lengths.txt")
    longest[name] = int(np.rint(lengths[w != 0].max() / 2 / 0.1))
print(f"longest delays at 2 mm/ms: a {longest['a']} < b {longest['b']} steps:",
      longest["a"] < longest["b"] <= 600)
for k, name in enumerate(("a", "b")):
    with h5py.File(f"{d}/{name}.h5") as f:
        alone = f["data"][...]
    print(f"subject {k} equals {name} alone, same rows, noise:",
          same(data[subject == k], alone[subject == k]))
print("subjects differ:", not same(data[subject == 0], data[subject == 1]))
with h5py.File(f"{d}/co-init.h5") as f:
    init = f["data"][...]
for k, name in enumerate(("a", "b")):
    with h5py.File(f"{d}/{name}-init.h5") as f:
        print(f"subject {k} equals {name} alone, initial state:",
              same(init[subject == k], f["data"][...]))
with h5py.File(f"{d}/fit.h5") as f:
    fc, corr = f["fc"][...], f["fit/fc_corr"][...]
    fit_subject = f["params"][:, 0].astype(int)
targets = [upper(np.load(f"{d}/fc-{name}.npy")) for name in ("a", "b")]
own = [np.corrcoef(upper(fc[s]), targets[fit_subject[s]])[0, 1]
       for s in range(len(corr))]
other = [np.corrcoef(upper(fc[s]), targets[1 - fit_subject[s]])[0, 1]
         for s in range(len(corr))]
print("fc_corr against each subject's target:",
      bool(np.allclose(corr, own, rtol=0, atol=1e-12, equal_nan=True)) and
      set(fit_subject) == {0, 1})
print("fc_corr differs from the other subject's target:",
      bool(np.all(np.abs(corr - other)[np.isfinite(corr)] > 1e-6)))
