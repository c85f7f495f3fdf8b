//===- RanksTest.cpp - Sharing a sweep's sets between MPI ranks -----------===//
//
// shareOfSets: every set runs on exactly one rank, shares are balanced by
// cost, a delay table's sets stay on one rank unless a cut falls inside
// them, and one rank runs everything as a single range.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Ranks.h"
#include <gtest/gtest.h>

using namespace rateml::runtime;

namespace {

using Keys = std::vector<std::pair<size_t, double>>;

std::vector<size_t> expand(const SetRanges &ranges) {
  std::vector<size_t> sets;
  for (const auto &[first, last] : ranges) {
    EXPECT_LT(first, last);
    for (size_t s = first; s < last; ++s)
      sets.push_back(s);
  }
  return sets;
}

TEST(RanksTest, OneRankRunsEverySetAsOneRange) {
  Keys keys(10, {0, 3.0});
  keys[4].second = 1.0;
  EXPECT_EQ(shareOfSets(keys, {1.0}, 0, 1), (SetRanges{{0, 10}}));
  EXPECT_TRUE(shareOfSets({}, {1.0}, 0, 1).empty());
}

TEST(RanksTest, EverySetOnExactlyOneRankBalanced) {
  // A speed x coupling grid with the speed varying fastest: 7 speeds.
  Keys keys;
  for (int coupling = 0; coupling < 5; ++coupling)
    for (int speed = 0; speed < 7; ++speed)
      keys.push_back({0, 2.0 + speed});
  for (unsigned size : {2u, 3u, 4u, 35u, 50u}) {
    std::vector<int> owner(keys.size(), -1);
    for (unsigned rank = 0; rank < size; ++rank) {
      SetRanges share = shareOfSets(keys, {1.0}, rank, size);
      std::vector<size_t> sets = expand(share);
      EXPECT_TRUE(std::is_sorted(sets.begin(), sets.end()));
      // Equal costs: shares differ by at most one set.
      EXPECT_LE(sets.size(), keys.size() / size + 1) << size;
      EXPECT_GE(sets.size() + 1, keys.size() / size) << size;
      for (size_t s : sets) {
        EXPECT_EQ(owner[s], -1) << "set " << s << " on two ranks";
        owner[s] = int(rank);
      }
    }
    for (size_t s = 0; s < keys.size(); ++s)
      EXPECT_NE(owner[s], -1) << "set " << s << " on no rank";
  }
}

TEST(RanksTest, DelayTablesStayTogether) {
  // 7 speeds x 4 couplings on 7 ranks: each rank gets one speed's sets,
  // strided in the sweep's order.
  Keys keys;
  for (int coupling = 0; coupling < 4; ++coupling)
    for (int speed = 0; speed < 7; ++speed)
      keys.push_back({0, 2.0 + speed});
  for (unsigned rank = 0; rank < 7; ++rank) {
    std::vector<size_t> sets = expand(shareOfSets(keys, {1.0}, rank, 7));
    ASSERT_EQ(sets.size(), 4u);
    for (size_t s : sets)
      EXPECT_EQ(keys[s].second, 2.0 + rank);
  }
}

TEST(RanksTest, SharesBalanceTheSubjectsCosts) {
  // Subject 1's sets cost three times subject 0's: of 8 sets each (costs
  // 8 and 24), the first rank takes subject 0's and the three of subject
  // 1's whose middles fall in the first half (costs 17 and 15).
  Keys keys;
  for (size_t subject : {0, 1})
    for (int k = 0; k < 8; ++k)
      keys.push_back({subject, 3.0});
  std::vector<size_t> first = expand(shareOfSets(keys, {1.0, 3.0}, 0, 2));
  std::vector<size_t> second = expand(shareOfSets(keys, {1.0, 3.0}, 1, 2));
  EXPECT_EQ(first.size(), 11u);
  EXPECT_EQ(second.size(), 5u);
  EXPECT_EQ(first.back(), 10u);
}

} // namespace
