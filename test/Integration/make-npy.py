#!/usr/bin/python3
"""Writes the .npy inputs of initial-history.test into the given folder."""
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
state = rng.uniform(-1.0, 1.5, size=(2, 20))
np.save(f"{out}/state.npy", state)
np.save(f"{out}/history32.npy",
        rng.uniform(-1.0, 1.5, size=(450, 2, 20)).astype(np.float32))
np.save(f"{out}/wrong.npy", np.zeros((3, 20)))
np.save(f"{out}/short.npy", np.zeros((5, 2, 20)))
np.save(f"{out}/ints.npy", np.zeros((2, 20), dtype=np.int64))
