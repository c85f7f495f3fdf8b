//===- Delays.cpp - Sparse edges and conduction delays --------------------===//
//
// Delays are computed once per parameter set on the host in double, as TVB
// does, never per step in the kernel's precision.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include <cmath>
#include <sstream>

using namespace rateml::runtime;

EdgeList rateml::runtime::makeEdgeList(const Connectome &c) {
  EdgeList edges;
  edges.numNodes = c.numNodes;
  edges.rowStart.push_back(0);
  for (size_t i = 0; i < c.numNodes; ++i) {
    for (size_t j = 0; j < c.numNodes; ++j) {
      double w = c.weight(i, j);
      if (w == 0.0)
        continue;
      edges.source.push_back(static_cast<uint32_t>(j));
      edges.weight.push_back(w);
      edges.length.push_back(c.length(i, j));
    }
    edges.rowStart.push_back(static_cast<uint32_t>(edges.source.size()));
  }
  return edges;
}

std::vector<int32_t> rateml::runtime::computeDelays(const EdgeList &edges,
                                                    double speed, double dt) {
  auto text = [](double v) {
    std::ostringstream ss;
    ss << v;
    return ss.str();
  };
  if (!(dt > 0.0) || !std::isfinite(dt))
    throw Error("dt must be a positive number of ms, got " + text(dt));
  if (!(speed > 0.0) || !std::isfinite(speed))
    throw Error("conduction speed must be positive (mm/ms), got " +
                text(speed));
  std::vector<int32_t> delays(edges.numEdges());
  for (size_t e = 0; e < delays.size(); ++e) {
    // nearbyint rounds half to even in the default rounding mode, as
    // numpy.rint does.
    double steps = std::nearbyint(edges.length[e] / speed / dt);
    if (steps > static_cast<double>(kMaxDelaySteps))
      throw Error("a delay of " + text(steps) + " steps at speed " +
                  text(speed) + " mm/ms and dt " + text(dt) +
                  " ms is beyond the history limit of " +
                  std::to_string(kMaxDelaySteps) + " steps");
    delays[e] = static_cast<int32_t>(steps);
  }
  return delays;
}
