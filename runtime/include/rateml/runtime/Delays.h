//===- Delays.h - Sparse edges and conduction delays ------------*- C++ -*-===//
//
// The non-zero connections grouped by target (CSR), and TVB's integer
// delays: d = rint(length / speed / dt) in double precision, rounding half
// to even.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_DELAYS_H
#define RATEML_RUNTIME_DELAYS_H

#include "rateml/runtime/Connectome.h"
#include <cstdint>
#include <vector>

namespace rateml::runtime {

/// Edges with a non-zero weight, by target: the edges into node i are
/// [rowStart[i], rowStart[i + 1]).
struct EdgeList {
  size_t numNodes = 0;
  std::vector<uint32_t> rowStart;
  std::vector<uint32_t> source;
  std::vector<double> weight;
  std::vector<double> length;

  size_t numEdges() const { return source.size(); }
};

EdgeList makeEdgeList(const Connectome &connectome);

/// The delay of every edge in steps. Throws Error when speed or dt is not a
/// positive finite number, or when a delay does not fit the history limit.
std::vector<int32_t> computeDelays(const EdgeList &edges, double speed,
                                   double dt);

/// The most history steps a run may need (a guard against absurd speeds).
constexpr int64_t kMaxDelaySteps = int64_t(1) << 24;

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_DELAYS_H
