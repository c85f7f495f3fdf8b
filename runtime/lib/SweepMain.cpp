//===- SweepMain.cpp - main() of every sweep.bin --------------------------===//
//
// Runs the sweep command (SweepCommand.h) in this process or, under an MPI
// launcher, in every rank (docs/cluster.md), and prints its error, if any,
// as one line on stderr: once for an error all ranks found, from the failing
// rank for one only it met, which then ends the job.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/MpiRanks.h"
#include "rateml/runtime/SweepCommand.h"
#include <cstdio>

using namespace rateml::runtime;

int main(int argc, char **argv) {
  std::unique_ptr<MpiRanks> mpi = MpiRanks::fromLauncher(&argc, &argv);
  const Ranks oneProcess;
  const Ranks &ranks = mpi ? static_cast<const Ranks &>(*mpi) : oneProcess;
  RatemlSweepCall call;
  int status = runSweepCommand(argc, argv, &call, ranks);
  const bool alone = call.errorKind == RatemlSweepCall::kRankFailed;
  if (status != 0 && (alone || ranks.rank() == 0)) {
    std::fprintf(stderr, "sweep: error: %s\n", call.error.c_str());
    std::fflush(stderr);
  }
  if (alone)
    mpi->abort(status);
  return status;
}
