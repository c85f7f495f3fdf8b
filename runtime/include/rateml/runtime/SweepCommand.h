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
  /// Why a run failed: its one-line message and kind.
  enum ErrorKind { kNone, kBadInput, kMissingFile, kInterrupted };
  ErrorKind errorKind = kNone;
  std::string error;
};

extern "C" {
/// sweep.bin with `argv` (argv[0] is the program name): 0 when it ran (or
/// printed --help or --version), 2 with `call->error` set otherwise.
int rateml_sweep_run(int argc, const char *const *argv, RatemlSweepCall *call);
/// sweep.bin's options as JSON (CommandLine.h: sweepOptionsJson).
const char *rateml_sweep_options_json();
}

#endif // RATEML_RUNTIME_SWEEPCOMMAND_H
