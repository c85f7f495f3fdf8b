//===- DelayGroupsTest.cpp - Sets grouped by their delay table ------------===//
//
// Groups follow the delay tables, not the speeds (two speeds that round to
// the same delays are one group), slowest first, each keeping its sets'
// order; CPU tiles keep a group's lanes together and pack the remainders
// into gathering tiles only when that takes less time.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/DelayGroups.h"
#include "TwoNodes.h"
#include "rateml/runtime/Delays.h"
#include "gtest/gtest.h"

using namespace rateml::runtime;

namespace {

ModelInfo withSpeedSlot(std::optional<unsigned> slot) {
  ModelInfo info;
  info.speedSlot = slot;
  return info;
}

/// Slots [dt, n_node, speed] of sets with these speeds.
std::vector<std::vector<double>> sets(std::vector<double> speeds) {
  std::vector<std::vector<double>> slots;
  for (double v : speeds)
    slots.push_back({1.0, 2.0, v});
  return slots;
}

} // namespace

TEST(DelayGroups, ByDelayTableSlowestFirst) {
  // At dt 1 ms: 2 mm/ms gives delays (5, 10), 2.01 rounds to the same,
  // 4 gives (2, 5) (2.5 rounds to even), 1 gives (10, 20).
  DelayGroups g = groupByDelays(withSpeedSlot(2), {twoNodes()}, std::nullopt,
                                1.0, sets({4, 2, 1, 2.01, 4, 2}));
  EXPECT_EQ(g.order, (std::vector<size_t>{2, 1, 3, 5, 0, 4}));
  EXPECT_EQ(g.starts, (std::vector<size_t>{0, 1, 4, 6}));
  EXPECT_EQ(g.subjects, (std::vector<size_t>{0, 0, 0}));
  EXPECT_EQ(g.numGroups(), 3u);
}

TEST(DelayGroups, SubjectsFirstThenTheirDelayTables) {
  // Slots [dt, n_node, speed, subject]: subject 1's tract lengths are
  // doubled, so its speed 2 has subject 0's delays at speed 1, yet the two
  // never share a group (their edges differ).
  EdgeList longer = twoNodes();
  for (double &l : longer.length)
    l *= 2;
  std::vector<std::vector<double>> slots = {
      {1, 2, 2, 1}, {1, 2, 1, 0}, {1, 2, 2, 0}, {1, 2, 2, 1}, {1, 2, 1, 1}};
  DelayGroups g = groupByDelays(withSpeedSlot(2), {twoNodes(), longer},
                                size_t(3), 1.0, slots);
  EXPECT_EQ(g.order, (std::vector<size_t>{1, 2, 4, 0, 3}));
  EXPECT_EQ(g.starts, (std::vector<size_t>{0, 1, 2, 3, 5}));
  EXPECT_EQ(g.subjects, (std::vector<size_t>{0, 0, 1, 1}));
}

TEST(DelayGroups, RemaindersArePackedOnlyWithinASubject) {
  // Sixteen groups of one set, eight per subject: a packed tile each.
  DelayGroups g;
  for (size_t k = 0; k < 16; ++k) {
    g.order.push_back(k);
    g.starts.push_back(k);
    g.subjects.push_back(k / 8);
  }
  g.starts.push_back(16);
  std::vector<std::vector<size_t>> tiles = planTiles(g, 8);
  ASSERT_EQ(tiles.size(), 2u);
  EXPECT_EQ(tiles[0], (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(tiles[1], (std::vector<size_t>{8, 9, 10, 11, 12, 13, 14, 15}));
  // With twelve and four, subject 1's four do not fill subject 0's tile.
  for (size_t k = 8; k < 12; ++k)
    g.subjects[k] = 0;
  tiles = planTiles(g, 8);
  ASSERT_EQ(tiles.size(), 3u);
  EXPECT_EQ(tiles[1], (std::vector<size_t>{8, 9, 10, 11}));
  EXPECT_EQ(tiles[2], (std::vector<size_t>{12, 13, 14, 15}));
}

TEST(DelayGroups, WithoutASpeedEverySetIsOneGroupInOrder) {
  DelayGroups g = groupByDelays(withSpeedSlot(std::nullopt), {twoNodes()},
                                std::nullopt, 1.0, sets({4, 2, 1}));
  EXPECT_EQ(g.order, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(g.starts, (std::vector<size_t>{0, 3}));
}

TEST(DelayGroups, TilesKeepGroupsTogether) {
  // Two groups of five sets in tiles of four: a full tile each, and the two
  // remainders get a tile each (packing them would save nothing).
  DelayGroups g;
  g.order = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
  g.starts = {0, 5, 10};
  g.subjects = {0, 0};
  EXPECT_EQ(planTiles(g, 4), (std::vector<std::vector<size_t>>{
                                 {0, 2, 4, 6}, {1, 3, 5, 7}, {8}, {9}}));
}

TEST(DelayGroups, RemaindersOfManyGroupsArePackedFirst) {
  // Sixteen groups of one set: two tiles of eight that gather.
  DelayGroups g;
  for (size_t k = 0; k < 16; ++k) {
    g.order.push_back(15 - k);
    g.starts.push_back(k);
    g.subjects.push_back(0);
  }
  g.starts.push_back(16);
  std::vector<std::vector<size_t>> tiles = planTiles(g, 8);
  ASSERT_EQ(tiles.size(), 2u);
  EXPECT_EQ(tiles[0], (std::vector<size_t>{15, 14, 13, 12, 11, 10, 9, 8}));
  EXPECT_EQ(tiles[1], (std::vector<size_t>{7, 6, 5, 4, 3, 2, 1, 0}));
  // With a full group as well, its shared tile runs after the packed ones.
  g.order.insert(g.order.end(), {16, 17, 18, 19, 20, 21, 22, 23});
  g.starts.push_back(24);
  g.subjects.push_back(0);
  tiles = planTiles(g, 8);
  ASSERT_EQ(tiles.size(), 3u);
  EXPECT_EQ(tiles[2], (std::vector<size_t>{16, 17, 18, 19, 20, 21, 22, 23}));
}
