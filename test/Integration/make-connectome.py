#!/usr/bin/python3
"""Writes a random TVB connectivity folder (weights.txt, tract_lengths.txt)
for the cohort tests: FOLDER NODES SEED MAX_LENGTH_MM. Weights are sparse
(about half the pairs), lengths uniform in [5, MAX_LENGTH_MM], so two
folders with different maxima have different delay horizons."""
import pathlib
import sys

import numpy as np

folder, nodes, seed, longest = (pathlib.Path(sys.argv[1]), int(sys.argv[2]),
                                int(sys.argv[3]), float(sys.argv[4]))
rng = np.random.default_rng(seed)
weights = rng.uniform(0.1, 1.0, (nodes, nodes))
weights *= rng.uniform(size=(nodes, nodes)) < 0.5
np.fill_diagonal(weights, 0)
lengths = rng.uniform(5.0, longest, (nodes, nodes))
lengths = (lengths + lengths.T) / 2
np.fill_diagonal(lengths, 0)
folder.mkdir(parents=True, exist_ok=True)
np.savetxt(folder / "weights.txt", weights, fmt="%.17g")
np.savetxt(folder / "tract_lengths.txt", lengths, fmt="%.17g")
