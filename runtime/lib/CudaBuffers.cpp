//===- CudaBuffers.cpp - The device memory of a GPU batch -----------------===//
//
// Sizes follow buildLaneArrays (LaneArrays.cpp) with copiedRows = 0, which
// is what CudaBackend uploads; the upload checks every host array against
// them.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CudaBuffers.h"
#include <algorithm>

using namespace rateml::runtime;

size_t CudaBuffers::bytes() const {
  const size_t ints =
      (delays + rowStart + sources + sets + diverged) * sizeof(int32_t);
  const size_t reals = params + state + history + weights + coupling +
                       nodeParams + stimulusScale + stimulus + 2 * sample;
  return ints + reals * elementBytes + 2 * sampleSum * sizeof(double);
}

CudaBuffers CudaBatchShape::buffers(size_t sets) const {
  const size_t L = sets, N = numNodes, K = std::max<size_t>(numEdges, 1);
  auto atLeastOne = [](size_t n) { return std::max<size_t>(n, 1); };
  CudaBuffers b;
  b.params = info.numSlots * L;
  b.state = info.states.size() * N * L;
  b.history =
      atLeastOne(info.historyStates.size() * N * size_t(historyRows) * L);
  b.delays = sharedDelays ? K : numEdges * L;
  b.rowStart = N + 1;
  b.sources = K;
  b.weights = K;
  b.coupling = atLeastOne(info.numCouplings * N * L);
  b.sets = L;
  b.diverged = L;
  b.nodeParams = atLeastOne(info.numNodeSlots * N * L);
  b.stimulusScale = L;
  b.stimulus = atLeastOne(stimulusRows * info.states.size() * N);
  b.sample = atLeastOne(numVars * N * L);
  b.sampleSum = sums ? b.sample : 0;
  b.elementBytes = info.elementBytes();
  return b;
}

size_t CudaBatchShape::setsThatFit(size_t bytes) const {
  // The bytes grow by the same amount with every set past the first.
  const size_t one = buffers(1).bytes();
  if (one > bytes)
    return 0;
  const size_t perSet = std::max<size_t>(buffers(2).bytes() - one, 1);
  return 1 + (bytes - one) / perSet;
}
