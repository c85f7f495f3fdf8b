//===- CpuFeatures.h - Can this CPU run the kernels? ------------*- C++ -*-===//
//
// rateml-compile records the x86 extensions the kernels may use
// (KernelABI.h: kCheckedCpuFeatures, symbol rateml_target_features);
// sweep.bin checks them before running any kernel, so a binary built for a
// newer CPU stops with a message instead of an illegal instruction.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_CPUFEATURES_H
#define RATEML_RUNTIME_CPUFEATURES_H

#include <optional>
#include <string>

namespace rateml::runtime {

/// Whether this CPU has the extension `name`; nullopt for a name this
/// runtime cannot check.
std::optional<bool> cpuSupports(const std::string &name);

/// Throws Error unless this CPU has every extension in `recorded`
/// (space-separated) and each is one the runtime can check.
void checkCpuFeatures(const std::string &recorded);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_CPUFEATURES_H
