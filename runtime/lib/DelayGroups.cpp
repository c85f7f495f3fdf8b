//===- DelayGroups.cpp - Sets grouped by their delay table ----------------===//
//
// Delays are computed once per distinct subject and speed
// (docs/simulation.md's rounding, Delays.cpp); speeds are then merged by
// their tables, so two speeds that give the same integer delays on one
// subject form one group.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/DelayGroups.h"
#include "rateml/runtime/Cohort.h"
#include "rateml/runtime/Delays.h"
#include <algorithm>
#include <cstdint>
#include <map>

using namespace rateml::runtime;

DelayGroups
rateml::runtime::groupByDelays(const ModelInfo &info,
                               const std::vector<EdgeList> &subjects,
                               std::optional<size_t> subjectIndex, double dt,
                               const std::vector<std::vector<double>> &slots) {
  // Per subject, speeds ascending, each with its delay table's group
  // (numbered in that order); without a speed, one table per subject.
  using Table = std::pair<size_t, std::vector<int32_t>>;
  std::map<std::pair<size_t, double>, size_t> groupOfSpeed;
  std::map<Table, size_t> groupOfTable;
  auto keyOf = [&](const std::vector<double> &s) {
    return std::make_pair(subjectOf(s, subjectIndex),
                          info.speedSlot ? s[*info.speedSlot] : 0.0);
  };
  for (const std::vector<double> &s : slots)
    groupOfSpeed.emplace(keyOf(s), 0);
  DelayGroups groups;
  for (auto &[key, group] : groupOfSpeed) {
    const auto [subject, speed] = key;
    Table table{subject, {}};
    if (info.speedSlot)
      table.second = computeDelays(subjects[subject], speed, dt);
    auto [it, added] =
        groupOfTable.try_emplace(std::move(table), groupOfTable.size());
    if (added)
      groups.subjects.push_back(subject);
    group = it->second;
  }
  std::vector<std::vector<size_t>> members(groupOfTable.size());
  for (size_t k = 0; k < slots.size(); ++k)
    members[groupOfSpeed[keyOf(slots[k])]].push_back(k);
  groups.starts.push_back(0);
  for (const std::vector<size_t> &m : members) {
    groups.order.insert(groups.order.end(), m.begin(), m.end());
    groups.starts.push_back(groups.order.size());
  }
  return groups;
}

std::vector<std::vector<size_t>>
rateml::runtime::planTiles(const DelayGroups &groups, size_t lanes) {
  std::vector<std::vector<size_t>> packed, shared;
  for (size_t g = 0; g < groups.numGroups();) {
    // The groups of one subject: only their remainders may share a tile.
    std::vector<std::vector<size_t>> remainders;
    size_t remainderSets = 0;
    const size_t subject = groups.subjects[g];
    for (; g < groups.numGroups() && groups.subjects[g] == subject; ++g) {
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
      continue;
    }
    // Remainders are in group order, so a packed tile's lanes have the
    // closest speeds available.
    const size_t first = packed.size();
    for (const std::vector<size_t> &r : remainders)
      for (size_t set : r) {
        if (packed.size() == first || packed.back().size() == lanes)
          packed.emplace_back();
        packed.back().push_back(set);
      }
  }
  packed.insert(packed.end(), shared.begin(), shared.end());
  return packed;
}
