//===- LaneArraysTest.cpp - When a CPU tile's coupling is blocked ---------===//
//
// enableBlockedCoupling: blocked when every delay of every lane is at least
// block - 1 steps; lanes that share their delays keep the [C][N][R][W]
// history, lanes with delays of their own get kFlagLaneSeries and the
// history laid out again as [C][N][W][R], and the longer lane block
// (kFlagLongBlock) when every delay is at least lane_block - 1
// (docs/kernel-abi.md).
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/LaneArrays.h"
#include "TwoNodes.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/SweepOptions.h"
#include "gtest/gtest.h"

using namespace rateml::runtime;

namespace {

/// Three states, the first and third delayed, two couplings, a conduction
/// speed in slot 2, a block of 4 steps.
ModelInfo blockedModel() {
  ModelInfo info;
  info.precision = "f64";
  info.lanes = 4;
  info.block = 4;
  info.numSlots = 3;
  info.numCouplings = 2;
  info.states = {{"a", 0.0, 1.0}, {"b", 0.0, 1.0}, {"c", 0.0, 1.0}};
  info.exposures = {"a"};
  info.historyStates = {0, 2};
  info.speedSlot = 2;
  return info;
}

struct Tile {
  std::vector<std::vector<double>> slots;
  LaneArrays<double> a;
};

/// The arrays of four lanes with these conduction speeds (dt = 0.1 ms),
/// their history filled with distinct values.
Tile tile(const ModelInfo &info, const EdgeList &edges,
          std::vector<double> speeds) {
  SweepOptions options;
  options.dt = 0.1;
  Tile t;
  for (double v : speeds)
    t.slots.push_back({0.1, 2.0, v});
  std::vector<const std::vector<double> *> laneSlots;
  std::vector<size_t> laneSets;
  for (size_t l = 0; l < speeds.size(); ++l) {
    laneSlots.push_back(&t.slots[l]);
    laneSets.push_back(l);
  }
  t.a =
      buildLaneArrays<double>(info, edges, options, nullptr, nullptr, laneSlots,
                              laneSets, info.copiedHistoryRows(), true);
  for (size_t k = 0; k < t.a.history.size(); ++k)
    t.a.history[k] = double(k);
  return t;
}

} // namespace

TEST(EnableBlockedCoupling, SharedDelaysKeepTheirLayout) {
  const ModelInfo info = blockedModel();
  const EdgeList edges = twoNodes();
  // 1 mm/ms: delays of 100 and 200 steps.
  Tile t = tile(info, edges, {1, 1, 1, 1});
  ASSERT_TRUE(t.a.sharedDelays);
  const HistoryArray<double> before = t.a.history;
  EXPECT_EQ(enableBlockedCoupling(t.a, info, edges.numEdges(), 2), 4u);
  EXPECT_EQ(t.a.flags & (kFlagBlocked | kFlagLaneSeries), kFlagBlocked);
  EXPECT_EQ(t.a.history, before);
  EXPECT_EQ(t.a.coupling.size(), 4u * 2 * 2 * 4);
}

TEST(EnableBlockedCoupling, LanesWithTheirOwnDelaysGetLaneSeries) {
  const ModelInfo info = blockedModel();
  const EdgeList edges = twoNodes();
  // Delays 10/20, 20/40, 25/50 and 50/100 steps: a ring of 101 rows and 3
  // copies.
  Tile t = tile(info, edges, {10, 5, 4, 2});
  ASSERT_FALSE(t.a.sharedDelays);
  ASSERT_EQ(t.a.horizon, 101);
  ASSERT_EQ(t.a.historyRows, 104);
  const HistoryArray<double> before = t.a.history;
  EXPECT_EQ(enableBlockedCoupling(t.a, info, edges.numEdges(), 2), 4u);
  EXPECT_EQ(t.a.flags & (kFlagBlocked | kFlagLaneSeries),
            kFlagBlocked | kFlagLaneSeries);
  EXPECT_EQ(t.a.coupling.size(), 4u * 2 * 2 * 4);
  // [C][N][R][W] -> [C][N][W][R], series by series.
  const size_t R = 104, L = 4;
  ASSERT_EQ(t.a.history.size(), 2 * 2 * R * L);
  for (size_t s = 0; s < 4; ++s)
    for (size_t r = 0; r < R; ++r)
      for (size_t l = 0; l < L; ++l)
        ASSERT_EQ(t.a.history[(s * L + l) * R + r], before[(s * R + r) * L + l])
            << "series " << s << " row " << r << " lane " << l;
}

TEST(EnableBlockedCoupling, ShortDelaysInAnyLaneRunOneStepAtATime) {
  const ModelInfo info = blockedModel();
  const EdgeList edges = twoNodes();
  // 40 mm/ms in the last lane: a delay of 2.5 -> 2 steps < block - 1.
  for (std::vector<double> speeds : {std::vector<double>{1, 2, 3, 40},
                                     std::vector<double>{40, 40, 40, 40}}) {
    Tile t = tile(info, edges, speeds);
    const HistoryArray<double> before = t.a.history;
    const int32_t flags = t.a.flags;
    EXPECT_EQ(enableBlockedCoupling(t.a, info, edges.numEdges(), 2), 1u);
    EXPECT_EQ(t.a.flags, flags);
    EXPECT_EQ(t.a.history, before);
  }
  // 3 steps (10 mm / 33.4 mm/ms rounds to 3) = block - 1 is enough.
  Tile t = tile(info, edges, {1, 2, 3, 33.4});
  EXPECT_EQ(enableBlockedCoupling(t.a, info, edges.numEdges(), 2), 4u);
  EXPECT_NE(t.a.flags & kFlagLaneSeries, 0);
}

TEST(EnableBlockedCoupling, NotWithoutABlock) {
  ModelInfo info = blockedModel();
  info.block = 1;
  const EdgeList edges = twoNodes();
  Tile t = tile(info, edges, {10, 5, 4, 2});
  EXPECT_EQ(enableBlockedCoupling(t.a, info, edges.numEdges(), 2), 1u);
  EXPECT_EQ(t.a.flags & (kFlagBlocked | kFlagLaneSeries), 0);
}

TEST(EnableBlockedCoupling, LaneSeriesTakeTheLongerBlockWhenTheDelaysAllowIt) {
  ModelInfo info = blockedModel();
  info.laneBlock = 8;
  const EdgeList edges = twoNodes();
  // Shortest delay 10 steps >= 8 - 1: blocks of 8, 8 coupling slots, and
  // copies of the ring's first 7 rows.
  Tile t = tile(info, edges, {10, 5, 4, 2});
  ASSERT_EQ(t.a.historyRows, 101 + 7);
  EXPECT_EQ(enableBlockedCoupling(t.a, info, edges.numEdges(), 2), 8u);
  EXPECT_EQ(t.a.flags & (kFlagBlocked | kFlagLaneSeries | kFlagLongBlock),
            kFlagBlocked | kFlagLaneSeries | kFlagLongBlock);
  EXPECT_EQ(t.a.coupling.size(), 8u * 2 * 2 * 4);
  // Shortest delay 5 steps (10 mm / 20 mm/ms): only the block of 4.
  Tile fast = tile(info, edges, {20, 5, 4, 2});
  EXPECT_EQ(enableBlockedCoupling(fast.a, info, edges.numEdges(), 2), 4u);
  EXPECT_EQ(fast.a.flags & (kFlagLaneSeries | kFlagLongBlock), kFlagLaneSeries);
  EXPECT_EQ(fast.a.coupling.size(), 4u * 2 * 2 * 4);
  // Lanes that share their delays never take it.
  Tile shared = tile(info, edges, {1, 1, 1, 1});
  EXPECT_EQ(enableBlockedCoupling(shared.a, info, edges.numEdges(), 2), 4u);
  EXPECT_EQ(shared.a.flags & kFlagLongBlock, 0);
}
