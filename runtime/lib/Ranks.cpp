//===- Ranks.cpp - Sharing a sweep's sets between ranks -------------------===//
//
// The split of a sweep across ranks: sets ordered by their delay table and
// cut by cost, so that each rank's tiles and batches stay as full as the
// grouping by delay table (DelayGroups.h) can make them.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Ranks.h"
#include <algorithm>
#include <numeric>

using namespace rateml::runtime;

std::string rateml::runtime::rankText(const Ranks &ranks, unsigned rank) {
  if (ranks.size() == 1)
    return "";
  return "rank " + std::to_string(rank) + " of " +
         std::to_string(ranks.size()) + ": ";
}

SetRanges
rateml::runtime::shareOfSets(const std::vector<std::pair<size_t, double>> &keys,
                             const std::vector<double> &cost, unsigned rank,
                             unsigned size) {
  const size_t numSets = keys.size();
  if (size <= 1)
    return numSets ? SetRanges{{0, numSets}} : SetRanges{};
  std::vector<size_t> order(numSets);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  double total = 0;
  for (const auto &key : keys)
    total += cost[key.first];
  // A set belongs to the rank whose equal slice of the total cost holds
  // the middle of its own cost.
  const double from = total * rank / size, to = total * (rank + 1) / size;
  std::vector<size_t> mine;
  double before = 0;
  for (size_t set : order) {
    const double c = cost[keys[set].first], middle = before + c / 2;
    if (middle >= from && (middle < to || rank + 1 == size))
      mine.push_back(set);
    before += c;
  }
  std::sort(mine.begin(), mine.end());
  SetRanges ranges;
  for (size_t set : mine)
    if (!ranges.empty() && ranges.back().second == set)
      ++ranges.back().second;
    else
      ranges.push_back({set, set + 1});
  return ranges;
}
