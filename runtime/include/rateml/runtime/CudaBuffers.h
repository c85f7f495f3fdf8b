//===- CudaBuffers.h - The device memory of a GPU batch ---------*- C++ -*-===//
//
// One definition of the buffers a GPU batch allocates, read both by the
// upload (which allocates exactly these sizes) and by the batch plan (which
// fits as many sets as they allow in the free device memory), so that a
// buffer added to one cannot be missing from the other. Kept apart from
// CudaBackend.cpp, which needs a model's kernels, so that it can be
// unit-tested.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_CUDABUFFERS_H
#define RATEML_RUNTIME_CUDABUFFERS_H

#include "rateml/runtime/ModelInfo.h"
#include <cstddef>
#include <cstdint>

namespace rateml::runtime {

/// Elements of every device buffer of a batch: the step kernel's arrays
/// (docs/kernel-abi.md, in the order of LaneArrays) and the two sample slots
/// (one copied out while the other is filled).
struct CudaBuffers {
  /// In the kernel precision, but delays, rowStart, sources, sets and
  /// diverged (int32).
  size_t params = 0, state = 0, history = 0, delays = 0, rowStart = 0,
         sources = 0, weights = 0, coupling = 0, sets = 0, diverged = 0,
         nodeParams = 0;
  /// Each set's stimulus.scale, and the stimulus window of one launch
  /// (shared by the sets; kStepStimulus).
  size_t stimulusScale = 0, stimulus = 0;
  /// Per sample slot: the recorded variables, and their float64 sums (0
  /// without sums).
  size_t sample = 0, sampleSum = 0;
  /// Bytes of a kernel-precision element.
  size_t elementBytes = 0;

  /// Device bytes of all of them.
  size_t bytes() const;
};

/// What the buffers of a batch depend on besides its number of sets.
struct CudaBatchShape {
  const ModelInfo &info;
  size_t numNodes = 0, numEdges = 0;
  /// Recorded variables: the states with --record states, else exposures.
  size_t numVars = 0;
  /// Rows of each history series (the GPU copies no rows: the horizon).
  int64_t historyRows = 1;
  /// One delay table for all sets (kFlagSharedDelays), else one per set.
  bool sharedDelays = true;
  /// Whether the step kernel sums the recorded variables (window means,
  /// BOLD: SweepResult::monitorsSum).
  bool sums = false;
  /// Rows of the stimulus window, the steps of a launch (0 without
  /// --stimulus).
  size_t stimulusRows = 0;

  /// The buffers of `sets` sets; each holds at least one element, as the
  /// host arrays do (buildLaneArrays).
  CudaBuffers buffers(size_t sets) const;
  /// The most sets whose buffers fit in `bytes` (0 when not one does).
  size_t setsThatFit(size_t bytes) const;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_CUDABUFFERS_H
