//===- DelaysTest.cpp - Edges and delays ----------------------------------===//
//
// TVB's rounding (half to even, in double) and the horizons published for
// connectivity_68 in ../shared/data/README.md.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <filesystem>

using namespace rateml::runtime;

namespace {
Connectome twoNodes(double length01, double length10) {
  Connectome c;
  c.numNodes = 2;
  c.weights = {0.5, 1.0, 2.0, 0.0}; // self edge on node 0, no 1 -> 1
  c.lengths = {4.0, length01, length10, 7.0};
  return c;
}
} // namespace

TEST(Delays, EdgesAreGroupedByTargetAndSkipZeroWeights) {
  EdgeList e = makeEdgeList(twoNodes(1, 2));
  EXPECT_EQ(e.rowStart, (std::vector<uint32_t>{0, 2, 3}));
  EXPECT_EQ(e.source, (std::vector<uint32_t>{0, 1, 0}));
  EXPECT_EQ(e.weight, (std::vector<double>{0.5, 1.0, 2.0}));
}

TEST(Delays, RoundHalfToEvenInDouble) {
  EdgeList e = makeEdgeList(twoNodes(2.5, 3.5));
  // lengths 4, 2.5, 3.5 at speed 1, dt 1
  EXPECT_EQ(computeDelays(e, 1.0, 1.0), (std::vector<int32_t>{4, 2, 4}));
  // 0.3 / 0.1 is 2.9999999999999996 in double: rounds to 3.
  EdgeList f = makeEdgeList(twoNodes(0.3, 0.25));
  EXPECT_EQ(computeDelays(f, 1.0, 0.1)[1], 3);
  EXPECT_EQ(computeDelays(f, 1.0, 0.1)[2], 2); // 2.5 -> 2
}

TEST(Delays, InvalidSpeedOrDt) {
  EdgeList e = makeEdgeList(twoNodes(1, 1));
  EXPECT_THROW(computeDelays(e, 0.0, 0.1), Error);
  EXPECT_THROW(computeDelays(e, -3.0, 0.1), Error);
  EXPECT_THROW(computeDelays(e, 3.0, 0.0), Error);
  EXPECT_THROW(computeDelays(e, 1e-300, 0.1), Error);
  try {
    computeDelays(e, 0.0, 0.1);
  } catch (const Error &err) {
    EXPECT_STREQ(err.what(),
                 "conduction speed must be positive (mm/ms), got 0");
  }
}

TEST(Delays, Connectivity68Horizons) {
  std::string path =
      std::string(RATEML_SHARED_DIR) + "/data/connectivity_68.zip";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << "../shared/data is not available";
  EdgeList e = makeEdgeList(loadConnectome(path));
  EXPECT_EQ(e.numEdges(), 1244u);
  auto maxOf = [](const std::vector<int32_t> &d) {
    return *std::max_element(d.begin(), d.end());
  };
  EXPECT_EQ(maxOf(computeDelays(e, 3.0, 0.1)), 843);
  EXPECT_EQ(maxOf(computeDelays(e, 10.0, 0.1)), 253);
}
