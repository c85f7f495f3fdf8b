#!/usr/bin/python3
"""rateml.fit from a Python script started by mpirun: the fit of
rateml-fit-mpi.test's rateml-fit command, written by rank 0 to argv[2]
(the working directory holds fc.npy); prints whether every rank returned
the same FitResult, to the bit."""
import pickle
import sys

import rateml
from rateml import _ranks

model = rateml.compile(sys.argv[1])
result = rateml.fit(model, free={"global_coupling": (0, 1),
                                 "global_speed": (1, 10)},
                    target_fc="fc.npy", popsize=6, generations=3, seed=5,
                    steps=4000, bold="r", bold_tr=20, bold_dt=1, quiet=True,
                    output=sys.argv[2])
ranks = _ranks.world()
mine = pickle.dumps((result.best, result.best_score, result.best_fc,
                     result.history.to_dict()))
agree = [theirs == mine for theirs in ranks.allgather(mine)]
if ranks.rank == 0:
    print(f"ranks {ranks.size}, the same result on {sum(agree)}")
