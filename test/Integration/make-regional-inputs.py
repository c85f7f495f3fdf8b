#!/usr/bin/python3
"""Writes the per-node inputs of regional-vs-reference.test and
regional-errors.test (20 nodes) into the given folder."""
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(16)
# Montbrio's tau per node around 1 ms, and a z-scored map.
np.save(f"{out}/tau.npy", rng.uniform(0.7, 1.4, size=20))
z = rng.normal(size=20)
np.savetxt(f"{out}/map.txt", (z - z.mean()) / z.std())
np.save(f"{out}/eta.npy", rng.uniform(-6.0, -4.0, size=20))
np.save(f"{out}/short.npy", np.ones(19))
np.save(f"{out}/square.npy", np.ones((20, 20)))
bad = np.ones(20)
bad[4] = np.nan
np.save(f"{out}/nan.npy", bad)
with open(f"{out}/inf.txt", "w") as f:
    f.write(" ".join(["1"] * 7 + ["inf"] + ["1"] * 12) + "\n")
