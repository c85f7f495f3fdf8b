#!/usr/bin/python3
"""Writes the --stimulus inputs of stimulus-vs-reference.test and
stimulus-gpu.test into the given folder: pulses that start mid-run on the
20 nodes of builtin:20, and one (T,) series for every node."""
import sys

import numpy as np

out = sys.argv[1]
steps = 400
# V: nodes 0-4 from step 120 to 179, a negative pulse on nodes 6-7 later.
v = np.zeros((steps, 20))
v[120:180, 0:5] = 1.0
v[230:260, 6:8] = -0.8
np.save(f"{out}/pulse-V.npy", v)
# r: nodes 10-12 from step 200 on, in float32 (the reader converts).
r = np.zeros((steps + 50, 20), dtype=np.float32)
r[200:, 10:13] = 0.05
np.save(f"{out}/pulse-r.npy", r)
# The same at every node: a ramp from step 150.
g = np.zeros(steps)
g[150:] = np.linspace(0.0, 1.5, steps - 150)
np.save(f"{out}/global-V.npy", g)
# From the first step on, with a history of 1600 steps (more than the
# horizon of builtin:20 at 4 mm/ms and dt 0.01): row 0 is still the first
# step's.
first = np.zeros((steps, 20))
first[0:30, :] = 0.7
np.save(f"{out}/first-V.npy", first)
rng = np.random.default_rng(5)
history = np.stack([rng.uniform(0.1, 1.0, (1600, 20)),
                    rng.uniform(-2.0, -1.0, (1600, 20))], axis=1)
np.save(f"{out}/history.npy", history)
