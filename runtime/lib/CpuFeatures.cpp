//===- CpuFeatures.cpp - Can this CPU run the kernels? --------------------===//
//
// __builtin_cpu_supports takes only string literals, so the names are
// spelled out here; test/unittests/Runtime/CpuFeaturesTest.cpp checks that
// every name KernelABI.h lists is among them.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CpuFeatures.h"
#include "rateml/runtime/Error.h"
#include <sstream>

using namespace rateml::runtime;

std::optional<bool> rateml::runtime::cpuSupports(const std::string &name) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
#define RATEML_CHECK(feature)                                                  \
  if (name == feature)                                                         \
    return bool(__builtin_cpu_supports(feature));
  RATEML_CHECK("avx512f")
  RATEML_CHECK("avx512bw")
  RATEML_CHECK("avx512dq")
  RATEML_CHECK("avx512vl")
  RATEML_CHECK("avx2")
  RATEML_CHECK("fma")
  RATEML_CHECK("avx")
  RATEML_CHECK("sse4.2")
  RATEML_CHECK("sse4.1")
#undef RATEML_CHECK
#endif
  return std::nullopt;
}

void rateml::runtime::checkCpuFeatures(const std::string &recorded) {
  std::string missing, name;
  std::istringstream features(recorded);
  while (features >> name) {
    std::optional<bool> supported = cpuSupports(name);
    if (!supported)
      throw Error("this sweep.bin's kernels need the CPU feature '" + name +
                  "', which this runtime cannot check; recompile it with "
                  "this version of rateml-compile");
    if (!*supported)
      missing += (missing.empty() ? "" : " ") + name;
  }
  if (!missing.empty())
    throw Error("this sweep.bin was compiled for a CPU with " + missing +
                ", which this CPU lacks; recompile on this machine or with "
                "rateml-compile --cpu x86-64-v3 (AVX2) or --cpu x86-64");
}
