//===- SweepCommand.h - The sweep.bin command as a function -----*- C++ -*-===//
//
// All of sweep.bin in one function, with C linkage so that the Python
// package can find it with dlsym in a model's library (rateml-compile
// --emit=library) and call it with the same arguments a user gives
// sweep.bin: both run the same code and write the same file. Both sides are
// C++ built by the same compiler from this header.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_SWEEPCOMMAND_H
#define RATEML_RUNTIME_SWEEPCOMMAND_H

#include "rateml/runtime/Backend.h"
#include <atomic>
#include <cstdint>
#include <string>

/// What a caller shares with a running sweep command and gets back.
struct RatemlSweepCall {
  /// Progress (set-steps done) and the request to stop.
  rateml::runtime::SweepControl control;
  /// Set-steps of the whole sweep, known once its options are checked.
  std::atomic<uint64_t> total{0};
  /// Why a run failed: its one-line message and kind. kRankFailed: one
  /// rank failed on its own once the ranks were writing the file together;
  /// only ending every rank (MPI_Abort) stops the others.
  enum ErrorKind { kNone, kBadInput, kMissingFile, kInterrupted, kRankFailed };
  ErrorKind errorKind = kNone;
  std::string error;
};

namespace rateml::runtime {
class Ranks;
/// rateml_sweep_run in one of the ranks `ranks` (Ranks.h): they split the
/// sets and write one file; rank 0 prints the progress and the summary.
/// Bad input is found by every rank before any writes, and reported by all
/// (kBadInput, kMissingFile) in the same words or, where the ranks
/// disagree, as the first failing rank's message, "rank R of K: ...".
int runSweepCommand(int argc, const char *const *argv, RatemlSweepCall *call,
                    const Ranks &ranks);
} // namespace rateml::runtime

extern "C" {
/// sweep.bin with `argv` (argv[0] is the program name): 0 when it ran (or
/// printed --help or --version), 2 with `call->error` set otherwise.
int rateml_sweep_run(int argc, const char *const *argv, RatemlSweepCall *call);
/// sweep.bin's options as JSON (CommandLine.h: sweepOptionsJson).
const char *rateml_sweep_options_json();
}

#endif // RATEML_RUNTIME_SWEEPCOMMAND_H
