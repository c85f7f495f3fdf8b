//===- LaneArrays.h - Parameter sets laid out for the kernels ---*- C++ -*-===//
//
// The arrays the step and exposure kernels take (docs/kernel-abi.md) for a
// group of parameter sets, set fastest: a CPU tile's lanes or a GPU batch.
// Delays and initial states are computed here in float64, exactly as the
// reference does, then converted to the kernel precision.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_LANEARRAYS_H
#define RATEML_RUNTIME_LANEARRAYS_H

#include "rateml/runtime/HugePages.h"
#include "rateml/runtime/KernelABI.h"
#include "rateml/runtime/ModelInfo.h"
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rateml::runtime {

struct EdgeList;
struct InitialHistory;
struct Stimulus;
struct SweepOptions;

/// The arrays of L parameter sets laid out for the kernels (set fastest):
/// what a CPU tile (L = lanes) and a GPU batch (L = sets) start from.
template <typename T> struct LaneArrays {
  size_t lanes = 0;
  std::vector<T> params, state, weights, coupling, out;
  HistoryArray<T> history;
  /// [node_slots][N][L] node-level values (one element without any).
  std::vector<T> nodeParams;
  std::vector<int32_t> delays, rowStart, sources;
  /// Each lane's global set index (the noise key), and the step at which
  /// its set first became non-finite (-1: not yet; KernelABI.h).
  std::vector<int32_t> sets, diverged;
  /// Each lane's stimulus.scale (1 without --stimulus).
  std::vector<T> stimulusScale;
  /// Rows of the history ring, and of one history series: the ring, then
  /// copies of its first rows (blocked CPU kernels, docs/kernel-abi.md).
  int64_t horizon = 1, historyRows = 1;
  bool sharedDelays = true;
  int32_t flags = 0;

  /// Descriptors of the arrays, as the kernels take them.
  struct Views {
    MemRef1D params, state, history, delays, rowStart, sources, weights,
        coupling, sets, diverged, stimulusScale, out, nodeParams;
  };
  Views views() {
    auto view = [](auto &v) { return memref(v.data(), int64_t(v.size())); };
    return {view(params),    view(state),         view(history),
            view(delays),    view(rowStart),      view(sources),
            view(weights),   view(coupling),      view(sets),
            view(diverged),  view(stimulusScale), view(out),
            view(nodeParams)};
  }
};

/// /diverged_step of a set from its lane's `diverged` entry: the steps done
/// when a state first became non-finite (the kernel records the step's
/// index n), or -1.
inline int64_t divergedStep(int32_t recorded) {
  return recorded == -1 ? -1 : int64_t(uint32_t(recorded)) + 1;
}

/// Builds the arrays for sets whose parameter-level slots are `laneSlots`
/// (each followed by the run parameters, among them stimulus.scale with a
/// `stimulus`, which also sets kFlagStimulus, and ending with the set's
/// node-level values [N][node_slots] when the model has regional values:
/// SetSlots in Sweep.cpp) and whose global indices (keys of the initial
/// draws) are `laneSets`; each history series ends with copies of the
/// ring's first `copiedRows` rows (ModelInfo::copiedHistoryRows for CPU
/// kernels, 0 on the GPU). Without `withHistory` the history is left empty, for
/// a caller that fills it one series at a time (fillHistorySeries). The history
/// takes over the storage of `reusedHistory` when given (an earlier tile's,
/// whose values are overwritten; the array stays longer than the history when
/// it was): a tile's history is megabytes, and allocating it afresh, zeroed and
/// faulted in page by page, costs a tenth of a short tile's run.
template <typename T>
LaneArrays<T>
buildLaneArrays(const ModelInfo &info, const EdgeList &edges,
                const SweepOptions &options, const InitialHistory *initial,
                const Stimulus *stimulus,
                const std::vector<const std::vector<double> *> &laneSlots,
                const std::vector<size_t> &laneSets, size_t copiedRows,
                bool withHistory, HistoryArray<T> *reusedHistory = nullptr);

/// Writes the a.historyRows x a.lanes values of history series (channel
/// `c`, node `i`) of the sets of `a` (same arguments as buildLaneArrays)
/// into `series`.
template <typename T>
void fillHistorySeries(const ModelInfo &info, const SweepOptions &options,
                       const InitialHistory *initial,
                       const std::vector<size_t> &laneSets,
                       const LaneArrays<T> &a, size_t numNodes, size_t c,
                       size_t i, T *series);

/// Lets a CPU tile's kernel sum the coupling of info.block steps per pass
/// over the edges (kFlagBlocked) when every delay of every lane is at least
/// block - 1 steps, so every history row it reads is already written; the
/// coupling scratch then holds one slot per step of the block. Lanes that do
/// not share their delays also get kFlagLaneSeries, and their history
/// (built by buildLaneArrays as [C][N][R][W]) is laid out again as
/// [C][N][W][R]; when every delay is at least info.laneBlock - 1 (and
/// laneBlock > block), they sum info.laneBlock steps per pass instead
/// (kFlagLongBlock). Returns the steps summed per pass (1: not blocked).
template <typename T>
unsigned enableBlockedCoupling(LaneArrays<T> &a, const ModelInfo &info,
                               size_t numEdges, size_t numNodes);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_LANEARRAYS_H
