//===- CommandLine.h - The sweep.bin command line ---------------*- C++ -*-===//
//
// The options users and scripts rely on (docs/sweep.md), including RateML's
// driver flags -s0 N -s1 M, -n and -dt, as one table: the parser, --help and
// the Python package's keyword arguments (python/rateml) are all made from
// it, so they cannot drift apart.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_COMMANDLINE_H
#define RATEML_RUNTIME_COMMANDLINE_H

#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/SweepOptions.h"
#include <functional>
#include <string>
#include <vector>

namespace rateml::runtime {

/// One option of sweep.bin.
struct OptionSpec {
  /// "--dt"; the Python keyword is the name without dashes, '-' -> '_'.
  std::string name;
  /// Other spellings accepted on the command line ("-dt").
  std::vector<std::string> aliases;
  /// What the value looks like in --help ("MS"); empty for a flag.
  std::string metavar;
  /// May be given several times (--sweep, --set).
  bool repeatable = false;
  /// The value names a file the sweep reads (Python may pass an array).
  bool file = false;
  /// --help's text; a "\n" continues on the next line.
  std::string help;
  /// --help's section: 0 the run, 1 BOLD and FC, 2 how it runs.
  int section = 0;
  /// Stores the value (or, for a flag, the flag) in `options`; `spelled`
  /// is the spelling used, for messages. Throws Error.
  std::function<void(SweepOptions &options, const std::string &value,
                     const std::string &spelled)>
      apply;
};

/// Every option of sweep.bin but --help, --version and RateML's -sN.
const std::vector<OptionSpec> &sweepOptionTable();

/// The table as JSON for the Python package: [{"name", "metavar",
/// "repeatable", "file", "help"}, ...].
std::string sweepOptionsJson();

enum class CommandLineAction { Run, Help, Version };

/// Fills `options`; throws Error with a one-line message on bad input.
CommandLineAction parseCommandLine(int argc, const char *const *argv,
                                   SweepOptions &options);

/// The --help text for a sweep of `info`; `gpuKernels` says which GPU
/// kernels sweep.bin carries (CudaBackend::embeddedKernels()).
std::string helpText(const ModelInfo &info, const std::string &gpuKernels);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_COMMANDLINE_H
