//===- CpuFeaturesTest.cpp - The run-time CPU check -----------------------===//
//
// Every feature rateml-compile may record (KernelABI.h) must be one the
// runtime can check, and a name it cannot check is refused rather than
// passed.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CpuFeatures.h"
#include "ErrorOf.h"
#include "rateml/runtime/KernelABI.h"
#include <gtest/gtest.h>

using namespace rateml::runtime;

namespace {

#if defined(__x86_64__)
TEST(CpuFeatures, EveryRecordedFeatureCanBeChecked) {
  for (const char *name : kCheckedCpuFeatures)
    EXPECT_TRUE(cpuSupports(name).has_value()) << name;
  // Every x86-64 CPU has SSE2, and the baseline needs none of the list.
  EXPECT_NO_THROW(checkCpuFeatures(""));
}
#endif

TEST(CpuFeatures, UnknownFeatureIsRefused) {
  EXPECT_FALSE(cpuSupports("avx10.2").has_value());
  EXPECT_EQ(errorOf([] { checkCpuFeatures("avx10.2"); }),
            "this sweep.bin's kernels need the CPU feature 'avx10.2', which "
            "this runtime cannot check; recompile it with this version of "
            "rateml-compile");
}

} // namespace
