//===- ModelInfo.h - What the kernels say about the model ---*- C++ -*-===//
//
// The parsed rateml_model_json: names, slots, ranges and bounds, which the
// runtime needs to lay out arrays, check the command line and label output.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_MODELINFO_H
#define RATEML_RUNTIME_MODELINFO_H

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace rateml::runtime {

struct ModelInfo {
  struct Param {
    std::string name;
    double lo, hi;
    unsigned slot;
  };
  struct Constant {
    std::string name;
    double value;
    unsigned slot;
  };
  /// A regional parameter or constant (rateml-compile --regional): its
  /// set's value is in `slot`, node i's in node slot `nodeSlot`.
  struct Regional {
    std::string name;
    unsigned slot, nodeSlot;
  };
  struct State {
    std::string name;
    double initLo, initHi;
    double lower = -INFINITY, upper = INFINITY;
  };

  int abi = 0;
  std::string version, model, description, precision;
  unsigned lanes = 0, numSlots = 0, numCouplings = 0;
  /// Lanes of the second, narrower set of CPU kernels (0: none).
  unsigned narrowLanes = 0;
  /// Steps of coupling the CPU kernel can sum per pass over the edges (1:
  /// one at a time; see kFlagBlocked).
  unsigned block = 1;
  /// The same for tiles whose lanes have delays of their own
  /// (kFlagLongBlock): `block`, or twice it when a lane's values of those
  /// steps fit one cache line.
  unsigned laneBlock = 1;
  std::vector<Param> params;
  std::vector<Constant> constants;
  /// Node-level values per (set, node): the regional bases, then the
  /// regional derived parameters (rateml_node_setup); 0 without any.
  unsigned numNodeSlots = 0;
  std::vector<Regional> regional;
  std::vector<State> states;
  std::vector<std::string> exposures;
  /// State indices kept in the history, in channel order.
  std::vector<unsigned> historyStates;
  std::optional<unsigned> noiseSlot, speedSlot;

  size_t elementBytes() const { return precision == "f64" ? 8 : 4; }
  /// Rows after the ring in each history series of the CPU kernels: copies
  /// of its first rows, so a block of rows never wraps (docs/kernel-abi.md).
  size_t copiedHistoryRows() const { return std::max(block, laneBlock) - 1; }
};

/// Parses the metadata string; throws Error on malformed input or an ABI
/// version this runtime does not speak.
ModelInfo parseModelInfo(const char *json);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_MODELINFO_H
