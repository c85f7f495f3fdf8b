//===- RegionalValues.h - Per-node values of regional names -----*- C++ -*-===//
//
// --node-values NAME=FILE and --map NAME=FILE: the files read and checked
// against the model and the connectome, and the one rule that turns a set's
// value of NAME into node i's (docs/sweep.md), which sweep.bin and the
// reference share.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_REGIONALVALUES_H
#define RATEML_RUNTIME_REGIONALVALUES_H

#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/SweepOptions.h"
#include <string>
#include <vector>

namespace rateml::runtime {

/// What the sweep does with one regional parameter or constant of the
/// build (ModelInfo::regional, in that order).
struct RegionalInput {
  std::string name;
  /// The set's value and where node i's goes (ModelInfo::Regional).
  unsigned slot = 0, nodeSlot = 0;
  /// --node-values: the value at each node instead of the set's (empty:
  /// the set's value at every node).
  std::vector<double> nodeValues;
  /// --map: the map at each node (empty: none), scaled by the run
  /// parameter NAME.scale.
  std::vector<double> map;
};

/// The run parameter that scales the map of `name`: "NAME.scale".
std::string mapScaleName(const std::string &name);

/// The value of `input`'s name at every node for a set whose value of it
/// is `setValue` and whose NAME.scale is `scale`: the --node-values entry
/// (else `setValue`), times 1 + scale x map[i] with a map; with scale 0 that
/// is the unscaled value exactly.
std::vector<double> regionalNodeValues(const RegionalInput &input,
                                       size_t numNodes, double setValue,
                                       double scale);

/// Reads --node-values and --map for the regional names of `info` and
/// checks them: a known name, regional in this build (else how to rebuild),
/// not a state or derived variable, `numNodes` finite values in the file
/// (.npy or whitespace-separated text). Throws Error naming the option.
std::vector<RegionalInput> loadRegionalInputs(const ModelInfo &info,
                                              const SweepOptions &options,
                                              size_t numNodes);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_REGIONALVALUES_H
