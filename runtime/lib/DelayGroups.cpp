//===- DelayGroups.cpp - Sets grouped by their delay table ----------------===//
//
// Delays are computed once per distinct speed (docs/simulation.md's
// rounding, Delays.cpp); speeds are then merged by their tables, so two
// speeds that give the same integer delays form one group.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/DelayGroups.h"
#include "rateml/runtime/Delays.h"
#include <algorithm>
#include <cstdint>
#include <map>

using namespace rateml::runtime;

DelayGroups
rateml::runtime::groupByDelays(const ModelInfo &info, const EdgeList &edges,
                               double dt,
                               const std::vector<std::vector<double>> &slots) {
  DelayGroups groups;
  if (!info.speedSlot) {
    for (size_t k = 0; k < slots.size(); ++k)
      groups.order.push_back(k);
    groups.starts = {0, slots.size()};
    return groups;
  }
  const unsigned speed = *info.speedSlot;
  // Speeds ascending, each with its delay table's group.
  std::map<double, size_t> groupOfSpeed;
  std::map<std::vector<int32_t>, size_t> groupOfTable;
  for (const std::vector<double> &s : slots)
    groupOfSpeed.emplace(s[speed], 0);
  for (auto &[v, group] : groupOfSpeed)
    group = groupOfTable
                .try_emplace(computeDelays(edges, v, dt), groupOfTable.size())
                .first->second;
  std::vector<std::vector<size_t>> members(groupOfTable.size());
  for (size_t k = 0; k < slots.size(); ++k)
    members[groupOfSpeed[slots[k][speed]]].push_back(k);
  groups.starts.push_back(0);
  for (const std::vector<size_t> &m : members) {
    groups.order.insert(groups.order.end(), m.begin(), m.end());
    groups.starts.push_back(groups.order.size());
  }
  return groups;
}

std::vector<std::vector<size_t>>
rateml::runtime::planTiles(const DelayGroups &groups, size_t lanes) {
  std::vector<std::vector<size_t>> shared, remainders;
  size_t remainderSets = 0;
  for (size_t g = 0; g < groups.numGroups(); ++g) {
    for (size_t k = groups.starts[g]; k < groups.starts[g + 1]; k += lanes) {
      const size_t end = std::min(k + lanes, groups.starts[g + 1]);
      std::vector<size_t> tile(groups.order.begin() + k,
                               groups.order.begin() + end);
      if (tile.size() == lanes) {
        shared.push_back(std::move(tile));
        continue;
      }
      remainderSets += tile.size();
      remainders.push_back(std::move(tile));
    }
  }
  const size_t packedTiles = (remainderSets + lanes - 1) / lanes;
  if (packedTiles * kGatherTileCost >= remainders.size()) {
    shared.insert(shared.end(), remainders.begin(), remainders.end());
    return shared;
  }
  // Remainders are in group order, so a packed tile's lanes have the
  // closest speeds available.
  std::vector<std::vector<size_t>> tiles;
  for (const std::vector<size_t> &r : remainders)
    for (size_t set : r) {
      if (tiles.empty() || tiles.back().size() == lanes)
        tiles.emplace_back();
      tiles.back().push_back(set);
    }
  tiles.insert(tiles.end(), shared.begin(), shared.end());
  return tiles;
}
