//===- SweepMain.cpp - main() of every sweep.bin --------------------------===//
//
// Runs the sweep command (SweepCommand.h) and prints its error, if any, as
// one line on stderr.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/SweepCommand.h"
#include <cstdio>

int main(int argc, char **argv) {
  RatemlSweepCall call;
  int status = rateml_sweep_run(argc, argv, &call);
  if (status != 0)
    std::fprintf(stderr, "sweep: error: %s\n", call.error.c_str());
  return status;
}
