//===- LimitsTest.cpp - Checked sizes of input-derived quantities ---------===//

#include "rateml/runtime/Limits.h"
#include "gtest/gtest.h"
#include <cmath>
#include <limits>

using namespace rateml::runtime;

TEST(Limits, BoundedProduct) {
  EXPECT_EQ(boundedProduct({}), 1u);
  EXPECT_EQ(boundedProduct({3, 4, 5}), 60u);
  EXPECT_EQ(boundedProduct({3, 4, 5}, 60), 60u);
  EXPECT_EQ(boundedProduct({3, 4, 5}, 59), std::nullopt);
  // 2^32 * 2^32 wraps to 0 in 64 bits; 2^61 * 8 to 0 and (2^61 + 1) * 8 to 8.
  EXPECT_EQ(boundedProduct({uint64_t(1) << 32, uint64_t(1) << 32}),
            std::nullopt);
  EXPECT_EQ(boundedProduct({(uint64_t(1) << 61) + 1, 8}), std::nullopt);
  EXPECT_EQ(boundedProduct({uint64_t(1) << 63, 0, 5}), 0u);
}

TEST(Limits, WholeSteps) {
  EXPECT_EQ(wholeSteps(1000, 0.1), 10000u);
  EXPECT_EQ(wholeSteps(0.04, 0.1), 0u);
  EXPECT_EQ(wholeSteps(1e300, 0.1), std::nullopt);
  EXPECT_EQ(wholeSteps(1000, 1e-300), std::nullopt);
  EXPECT_EQ(wholeSteps(-10, 1), std::nullopt);
  EXPECT_EQ(wholeSteps(std::nan(""), 1), std::nullopt);
  EXPECT_EQ(wholeSteps(double(kMaxSteps), 1), kMaxSteps);
  EXPECT_EQ(wholeSteps(double(kMaxSteps) + 1, 1), std::nullopt);
  EXPECT_EQ(wholeSteps(11, 1, 10), std::nullopt);
}

TEST(Limits, FirstNonFinite) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> v{0, 1, -inf, std::nan("")};
  EXPECT_EQ(firstNonFinite(v.data(), 2), std::nullopt);
  EXPECT_EQ(firstNonFinite(v.data(), 4), 2u);
}

TEST(Limits, FormatBytes) {
  EXPECT_EQ(formatBytes(512), "512 B");
  EXPECT_EQ(formatBytes(3 << 20), "3.0 MiB");
  EXPECT_EQ(formatBytes(uint64_t(3) << 39), "1.5 TiB");
  EXPECT_EQ(formatBytes(UINT64_MAX), "16.0 EiB");
}
