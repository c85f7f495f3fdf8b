//===- DelayGroups.h - Sets grouped by their delay table --------*- C++ -*-===//
//
// A batch's sets in the order they run: those that share a subject and a
// delay table (the same conduction speed, or speeds whose delays round
// alike) next to each other, whatever the sweep's order, so that a CPU tile's
// lanes or a GPU warp's threads read one history row per edge instead of
// gathering. Results still go to each set's place in the user's order, and the
// noise is keyed by the set's index, so the grouping changes no result.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_DELAYGROUPS_H
#define RATEML_RUNTIME_DELAYGROUPS_H

#include "rateml/runtime/ModelInfo.h"
#include <cstddef>
#include <optional>
#include <vector>

namespace rateml::runtime {

struct EdgeList;

/// The sets of a batch (indices into its slots) grouped by subject and
/// delay table; groups are ordered by subject, then by speed, slowest
/// (longest delays) first, and the sets of a group keep their order.
struct DelayGroups {
  std::vector<size_t> order;
  /// Group g is order[starts[g] .. starts[g + 1]), of subject subjects[g].
  std::vector<size_t> starts, subjects;
  size_t numGroups() const { return starts.size() - 1; }
};

/// One group per subject when the model has no conduction speed. A set's
/// subject is its value at `subjectIndex` (Cohort.h), the edges of subject
/// k are subjects[k].
DelayGroups groupByDelays(const ModelInfo &info,
                          const std::vector<EdgeList> &subjects,
                          std::optional<size_t> subjectIndex, double dt,
                          const std::vector<std::vector<double>> &slots);

/// How much longer a CPU tile whose lanes have different delay tables
/// takes than one whose lanes share a table (measured on W1 with
/// tools/benchmark-cpu.py, W1-spread against one speed: about 3x with the
/// per-lane history of kFlagLaneSeries).
constexpr size_t kGatherTileCost = 3;

/// CPU tiles of at most `lanes` sets each, never mixing subjects (a tile's
/// lanes share the edges): per subject, every group's full tiles, then
/// the groups' remainders, each a partly filled tile of its own, or packed
/// densely into tiles of mixed delays when that takes less time
/// (kGatherTileCost). Tiles of mixed delays come first: they are the
/// slowest.
std::vector<std::vector<size_t>> planTiles(const DelayGroups &groups,
                                           size_t lanes);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_DELAYGROUPS_H
