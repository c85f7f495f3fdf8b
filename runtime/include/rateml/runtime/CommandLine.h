//===- CommandLine.h - The sweep.bin command line ---------------*- C++ -*-===//
//
// Parses the options users and scripts rely on (docs/sweep.md), including
// RateML's driver flags -s0 N -s1 M, -n and -dt.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_COMMANDLINE_H
#define RATEML_RUNTIME_COMMANDLINE_H

#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/SweepOptions.h"
#include <string>
#include <vector>

namespace rateml::runtime {

enum class CommandLineAction { Run, Help, Version };

/// Fills `options`; throws Error with a one-line message on bad input.
CommandLineAction parseCommandLine(int argc, const char *const *argv,
                                   SweepOptions &options);

/// The options parseCommandLine knows (but RateML's -sN), which an unknown
/// option's "did you mean" is chosen from.
const std::vector<std::string> &commandLineOptionNames();

/// The --help text for a sweep of `info`; `gpuKernels` says which GPU
/// kernels sweep.bin carries (CudaBackend::embeddedKernels()).
std::string helpText(const ModelInfo &info, const std::string &gpuKernels);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_COMMANDLINE_H
