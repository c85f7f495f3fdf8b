//===- CpuBackend.cpp - Running batches on the CPU cores ------------------===//
//
// Tiles (each with blocked coupling where enableBlockedCoupling, in
// LaneArrays.cpp, allows it) and the worker pool. The time loop of a tile
// (TileRunner::run) is the CPU's hot path: it only calls the kernels and
// the monitors.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CpuBackend.h"
#include "rateml/runtime/CpuLanes.h"
#include "rateml/runtime/DelayGroups.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/LaneArrays.h"
#include "rateml/runtime/Monitors.h"
#include "rateml/runtime/Stimulus.h"
#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

using namespace rateml::runtime;

namespace {

template <typename T> class TileRunner {
public:
  TileRunner(const ModelInfo &info, const CpuKernels &kernels,
             const SweepInputs &inputs, const std::vector<size_t> &sets,
             const std::vector<std::vector<double>> &slots, BatchOutput &out,
             SweepControl &control)
      : info(info), kernels(kernels), inputs(inputs), options(inputs.options),
        shape(inputs.shape), sets(sets), slots(slots), out(out),
        control(control) {}

  /// Runs the batch's sets `tile` (indices into the batch, of one subject:
  /// planTiles); unused lanes repeat the last set, so they share its
  /// delays. The tile's history lives in `historyStore`, which keeps its
  /// storage for the worker's next tile. Returns the steps of coupling
  /// summed per pass over the edges (1: one at a time).
  unsigned run(const std::vector<size_t> &tile, HistoryArray<T> &historyStore) {
    const EdgeList &edges = inputs.edgesOf(slots[tile.front()]);
    const size_t W = kernels.lanes, N = edges.numNodes;
    std::vector<const std::vector<double> *> laneSlots(W);
    std::vector<size_t> laneSets(W);
    for (size_t l = 0; l < W; ++l) {
      size_t local = tile[std::min(l, tile.size() - 1)];
      laneSlots[l] = &slots[local];
      laneSets[l] = sets[local];
    }
    const Stimulus *stimulus = shape.stimulus ? &*shape.stimulus : nullptr;
    LaneArrays<T> a = buildLaneArrays<T>(
        info, edges, options, shape.initial ? &*shape.initial : nullptr,
        stimulus, laneSlots, laneSets, info.copiedHistoryRows(),
        /*withHistory=*/true, &historyStore);
    const unsigned blocked =
        enableBlockedCoupling(a, info, edges.numEdges(), N);
    typename LaneArrays<T>::Views d = a.views();
    Monitors<T> monitors(shape, N, W, tile, out);
    auto record = [&](uint64_t done) {
      if (!monitors.wants(done))
        return;
      if (options.recordStates) {
        monitors.add(a.state.data(), done);
        return;
      }
      kernels.exposures(&d.params, &d.state, &d.coupling, &d.out, &d.nodeParams,
                        int64_t(N));
      monitors.add(a.out.data(), done);
    };
    // The stimulus rows of the next kCpuStimulusRows steps; the kernel gets
    // the step's row (KernelABI.h: the window starts at the step it takes).
    const size_t stimulusRow = info.states.size() * N;
    std::vector<T> window(stimulus ? kCpuStimulusRows * stimulusRow : 1);
    MemRef1D windowView = memref(window.data(), 1);
    record(0);
    for (uint64_t n = 0; n < shape.steps; ++n) {
      if (stimulus) {
        const size_t r = size_t(n % kCpuStimulusRows);
        if (r == 0)
          stimulus->fillWindow(
              n, size_t(std::min<uint64_t>(kCpuStimulusRows, shape.steps - n)),
              window.data());
        windowView =
            memref(window.data() + r * stimulusRow, int64_t(stimulusRow));
      }
      kernels.step(&d.params, &d.state, &d.history, &d.delays, &d.rowStart,
                   &d.sources, &d.weights, &d.coupling, &d.sets, &d.diverged,
                   &d.nodeParams, &windowView, &d.stimulusScale, int64_t(n),
                   int64_t(N), a.horizon, a.flags, options.seed);
      record(n + 1);
      control.done.fetch_add(tile.size(), std::memory_order_relaxed);
      if (control.stop.load(std::memory_order_relaxed))
        throw Interrupted();
    }
    for (size_t l = 0; l < tile.size(); ++l)
      out.diverged[tile[l]] = divergedStep(a.diverged[l]);
    historyStore = std::move(a.history);
    return blocked;
  }

private:
  const ModelInfo &info;
  const CpuKernels &kernels;
  const SweepInputs &inputs;
  const SweepOptions &options;
  const SweepResult &shape;
  /// The batch's sets (indices into the sweep: the key of noise and
  /// initial draws); `slots` and `out` are the batch's.
  const std::vector<size_t> &sets;
  const std::vector<std::vector<double>> &slots;
  BatchOutput &out;
  SweepControl &control;
};

} // namespace

/// The wide kernels, or the narrow ones when only their tile's history fits
/// the L2 cache.
static CpuKernels chooseKernels(const SweepInputs &in) {
  const ModelInfo &info = in.info;
  const size_t historyBytesPerSet =
      (size_t(in.maxHorizon) + info.copiedHistoryRows()) *
      info.historyStates.size() * in.shape.numNodes * info.elementBytes();
  const unsigned lanes = chooseCpuLanes(info, in.options.lanes,
                                        historyBytesPerSet, l2CacheBytes());
  return lanes == info.lanes
             ? CpuKernels{lanes, _mlir_ciface_rateml_step,
                          _mlir_ciface_rateml_exposures}
             : CpuKernels{lanes, _mlir_ciface_rateml_step_narrow,
                          _mlir_ciface_rateml_exposures_narrow};
}

CpuBackend::CpuBackend(const SweepInputs &inputs, unsigned threads)
    : inputs(inputs), threads(threads), kernels(chooseKernels(inputs)) {}

std::string CpuBackend::name() const {
  return "cpu, " + std::to_string(kernels.lanes) + " sets per tile";
}

size_t CpuBackend::batchSets(const BatchPlan &plan, size_t numSets) {
  return hostBatchSets(plan, numSets, kernels.lanes);
}

void CpuBackend::runBatch(const std::vector<size_t> &sets,
                          const std::vector<std::vector<double>> &slots,
                          BatchOutput &out, SweepControl &control) {
  const ModelInfo &info = inputs.info;
  const std::vector<std::vector<size_t>> batchTiles =
      planTiles(groupByDelays(info, inputs.subjects, inputs.subjectIndex,
                              inputs.options.dt, slots),
                kernels.lanes);
  const size_t numTiles = batchTiles.size();
  unsigned workers = std::min<unsigned>(threads, numTiles);
  std::atomic<size_t> nextTile{0};
  std::atomic<size_t> blocked{0}, longBlocks{0};
  std::mutex errorMutex;
  std::exception_ptr firstError;
  auto worker = [&]() {
    HistoryArray<float> historyF32;
    HistoryArray<double> historyF64;
    try {
      while (true) {
        size_t tile = nextTile.fetch_add(1);
        if (tile >= numTiles)
          break;
        unsigned tileBlock = info.precision == "f64"
                                 ? TileRunner<double>(info, kernels, inputs,
                                                      sets, slots, out, control)
                                       .run(batchTiles[tile], historyF64)
                                 : TileRunner<float>(info, kernels, inputs,
                                                     sets, slots, out, control)
                                       .run(batchTiles[tile], historyF32);
        blocked += tileBlock > 1;
        longBlocks += tileBlock > info.block;
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (!firstError)
        firstError = std::current_exception();
      nextTile = numTiles;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < workers; ++t)
    pool.emplace_back(worker);
  for (std::thread &t : pool)
    t.join();
  if (firstError)
    std::rethrow_exception(firstError);
  tiles += numTiles;
  blockedTiles += blocked.load();
  longBlockTiles += longBlocks.load();
}

void CpuBackend::recordStatistics(SweepResult &result) const {
  result.tiles = tiles;
  result.blockedTiles = blockedTiles;
  result.longBlockTiles = longBlockTiles;
}
