//===- CpuLanesTest.cpp - The choice between the kernels' lane counts -----===//
//
// Narrow tiles only when their history fits the L2 cache and the wide
// tiles' exceeds it by more than half; --lanes must name a compiled width.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CpuLanes.h"
#include "ErrorOf.h"
#include "gtest/gtest.h"

using namespace rateml::runtime;

namespace {
ModelInfo kernels(unsigned lanes, unsigned narrowLanes) {
  ModelInfo info;
  info.lanes = lanes;
  info.narrowLanes = narrowLanes;
  return info;
}
constexpr size_t MiB = size_t(1) << 20;
} // namespace

TEST(CpuLanes, NarrowWhenOnlyItsHistoryFitsTheL2) {
  // W1 at 3 mm/ms: 231 KB per set; 16 sets 3.7 MB, 8 sets 1.85 MB.
  EXPECT_EQ(chooseCpuLanes(kernels(16, 8), 0, 231'000, 2 * MiB), 8u);
  // 2.5 MB for 16 sets: within 1.5 x L2, the wide tiles stay.
  EXPECT_EQ(chooseCpuLanes(kernels(16, 8), 0, 155'000, 2 * MiB), 16u);
  // Both fit.
  EXPECT_EQ(chooseCpuLanes(kernels(16, 8), 0, 50'000, 2 * MiB), 16u);
  // Neither fits (e.g. dt 0.01 ms): the wide ones need fewer instructions.
  EXPECT_EQ(chooseCpuLanes(kernels(16, 8), 0, 27'000'000, 2 * MiB), 16u);
}

TEST(CpuLanes, WideWithoutNarrowKernelsOrAnL2Size) {
  EXPECT_EQ(chooseCpuLanes(kernels(16, 0), 0, 231'000, 2 * MiB), 16u);
  EXPECT_EQ(chooseCpuLanes(kernels(16, 8), 0, 231'000, 0), 16u);
}

TEST(CpuLanes, RequestedLanesMustBeCompiled) {
  EXPECT_EQ(chooseCpuLanes(kernels(16, 8), 8, 50'000, 2 * MiB), 8u);
  EXPECT_EQ(chooseCpuLanes(kernels(16, 8), 16, 231'000, 2 * MiB), 16u);
  EXPECT_EQ(errorOf([] { chooseCpuLanes(kernels(16, 8), 4, 1, 2 * MiB); }),
            "--lanes 4: the kernels were compiled for 16 or 8 lanes");
  EXPECT_EQ(errorOf([] { chooseCpuLanes(kernels(8, 0), 4, 1, 2 * MiB); }),
            "--lanes 4: the kernels were compiled for 8 lanes");
}

TEST(CpuLanes, L2SizeIsReadWhereTheSystemGivesIt) {
  // Any Linux machine the tests run on reports its L2; the value is only
  // plausible, not known.
  size_t bytes = l2CacheBytes();
  EXPECT_TRUE(bytes == 0 || (bytes >= 64 * 1024 && bytes <= 256 * MiB));
}
