//===- Sweep.cpp - Running a parameter sweep on the CPU -------------------===//
//
// Parameter sets are packed up to `lanes` at a time into tiles; worker
// threads take tiles from a shared counter and run each tile's whole
// simulation with the step kernel (which also draws the noise, docs/simulation.md). Delays and
// initial states are computed here in float64, exactly as the reference
// does, then converted to the kernel precision.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Sweep.h"
#include "rateml/runtime/CpuLanes.h"
#include "rateml/runtime/CudaBackend.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/KernelABI.h"
#include "rateml/runtime/Limits.h"
#include "rateml/runtime/Npy.h"
#include "rateml/runtime/Philox.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

using namespace rateml::runtime;

namespace {

std::string joinNames(const std::vector<std::string> &names) {
  std::string s;
  for (const std::string &n : names)
    s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

/// A length in ms for messages, in %g form: options may be huge.
std::string formatMs(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%g ms", ms);
  return text;
}

/// The parameter-level slots of one set, computed by the setup kernel.
std::vector<double> setupSlots(const ModelInfo &info, size_t numNodes,
                               double dt, const std::vector<double> &values,
                               const std::vector<unsigned> &columnSlot,
                               const std::map<std::string, double> &overrides) {
  std::vector<double> slots(info.numSlots, 0.0);
  slots[kSlotDt] = dt;
  slots[kSlotNumNodes] = static_cast<double>(numNodes);
  for (const auto &c : info.constants) {
    auto it = overrides.find(c.name);
    slots[c.slot] = it == overrides.end() ? c.value : it->second;
  }
  for (size_t k = 0; k < values.size(); ++k)
    slots[columnSlot[k]] = values[k];
  MemRef1D desc = memref(slots.data(), slots.size());
  _mlir_ciface_rateml_setup(&desc);
  return slots;
}

/// Value of state s, node i, set laneSets[l] at step -k (k >= 0): from the
/// initial history when given, else the set's uniform draw in the state's
/// initial range; clipped to its bounds.
double initialValue(const ModelInfo &info, const SweepOptions &options,
                    const InitialHistory *initial,
                    const std::vector<size_t> &laneSets, size_t k, size_t s,
                    size_t i, size_t l) {
  const auto &st = info.states[s];
  double v;
  if (initial) {
    v = initial->at(k, s, i);
  } else {
    double u = initialDraw(options.seed, uint32_t(laneSets[l]), uint32_t(i),
                           uint32_t(s));
    v = st.initLo + (st.initHi - st.initLo) * u;
  }
  v = v < st.lower ? st.lower : v;
  return v > st.upper ? st.upper : v;
}

} // namespace

template <typename T>
void rateml::runtime::fillHistorySeries(const ModelInfo &info,
                                        const SweepOptions &options,
                                        const InitialHistory *initial,
                                        const std::vector<size_t> &laneSets,
                                        const LaneArrays<T> &a, size_t numNodes,
                                        size_t c, size_t i, T *series) {
  // Row (-k mod H) of the ring holds step -k, row H + r a copy of row r.
  const size_t L = a.lanes, s = info.historyStates[c];
  const int64_t H = a.horizon;
  const T *now = a.state.data() + (s * numNodes + i) * L;
  for (int64_t r = 0; r < a.historyRows; ++r) {
    const int64_t k = (H - r % H) % H;
    for (size_t l = 0; l < L; ++l)
      series[r * L + l] =
          initial ? static_cast<T>(initialValue(info, options, initial,
                                                laneSets, k, s, i, l))
                  : now[l];
  }
}

template void rateml::runtime::fillHistorySeries(
    const ModelInfo &, const SweepOptions &, const InitialHistory *,
    const std::vector<size_t> &, const LaneArrays<float> &, size_t, size_t,
    size_t, float *);
template void rateml::runtime::fillHistorySeries(
    const ModelInfo &, const SweepOptions &, const InitialHistory *,
    const std::vector<size_t> &, const LaneArrays<double> &, size_t, size_t,
    size_t, double *);

template <typename T>
LaneArrays<T> rateml::runtime::buildLaneArrays(
    const ModelInfo &info, const EdgeList &edges, const SweepOptions &options,
    const InitialHistory *initial,
    const std::vector<const std::vector<double> *> &laneSlots,
    const std::vector<size_t> &laneSets, size_t copiedRows,
    bool withHistory) {
  const size_t L = laneSlots.size(), N = edges.numNodes,
               S = info.states.size();
  const size_t K = edges.numEdges(), C = info.historyStates.size();
  LaneArrays<T> a;
  a.lanes = L;
  a.params.resize(info.numSlots * L);
  for (size_t p = 0; p < info.numSlots; ++p)
    for (size_t l = 0; l < L; ++l)
      a.params[p * L + l] = static_cast<T>((*laneSlots[l])[p]);

  // Delays [K][L], or one table [K] when every lane has the same delays
  // (kFlagSharedDelays; always so when the model has no conduction speed).
  a.sharedDelays = true;
  if (!info.speedSlot) {
    a.delays.assign(std::max<size_t>(K, 1), 0);
  } else {
    // One table per distinct speed: GPU batches have 1e5 sets and few speeds.
    std::map<double, std::vector<int32_t>> bySpeed;
    std::vector<const int32_t *> laneTable(L);
    for (size_t l = 0; l < L; ++l) {
      double speed = (*laneSlots[l])[*info.speedSlot];
      auto [it, added] = bySpeed.try_emplace(speed);
      if (added) {
        it->second = computeDelays(edges, speed, options.dt);
        for (int32_t d : it->second)
          a.horizon = std::max<int64_t>(a.horizon, int64_t(d) + 1);
      }
      laneTable[l] = it->second.data();
      // Different speeds may still round to the same delays.
      a.sharedDelays &= laneTable[l] == laneTable[0] ||
                        std::equal(laneTable[0], laneTable[0] + K,
                                   laneTable[l]);
    }
    if (a.sharedDelays) {
      a.delays.assign(laneTable[0], laneTable[0] + K);
      a.delays.resize(std::max<size_t>(K, 1));
    } else {
      a.delays.resize(K * L);
      for (size_t e = 0; e < K; ++e)
        for (size_t l = 0; l < L; ++l)
          a.delays[e * L + l] = laneTable[l][e];
    }
  }
  a.historyRows = a.horizon + int64_t(copiedRows);
  // CPU kernels index the history with 32-bit lanes.
  if (withHistory &&
      uint64_t(a.historyRows) * std::max<size_t>(C, 1) * N * L >= (1ull << 31))
    throw Error("the history of " + std::to_string(L) +
                " parameter sets needs more than 2^31 elements; use fewer "
                "nodes, sets per batch, or a higher conduction speed");

  if (initial)
    initial->checkHorizon(a.horizon);
  a.state.resize(S * N * L);
  for (size_t s = 0; s < S; ++s)
    for (size_t i = 0; i < N; ++i)
      for (size_t l = 0; l < L; ++l)
        a.state[(s * N + i) * L + l] = static_cast<T>(
            initialValue(info, options, initial, laneSets, 0, s, i, l));
  // [channel][node][row][lane].
  if (withHistory) {
    const size_t R = size_t(a.historyRows);
    a.history.resize(std::max<size_t>(R * C * N * L, 1));
    for (size_t c = 0; c < C; ++c)
      for (size_t i = 0; i < N; ++i)
        fillHistorySeries(info, options, initial, laneSets, a, N, c, i,
                          a.history.data() + (c * N + i) * R * L);
  }

  a.rowStart.assign(edges.rowStart.begin(), edges.rowStart.end());
  a.sources.assign(edges.source.begin(), edges.source.end());
  a.weights.assign(edges.weight.begin(), edges.weight.end());
  if (a.sources.empty()) {
    a.sources.push_back(0);
    a.weights.push_back(0);
  }
  a.coupling.resize(std::max<size_t>(info.numCouplings * N * L, 1));
  size_t numVars = options.recordStates ? S : info.exposures.size();
  a.out.resize(std::max<size_t>(numVars * N * L, 1));
  a.flags = (options.heun ? kFlagHeun : 0) |
            (info.noiseSlot && options.noise ? kFlagNoise : 0) |
            (a.sharedDelays ? kFlagSharedDelays : 0);
  return a;
}

template LaneArrays<float> rateml::runtime::buildLaneArrays(
    const ModelInfo &, const EdgeList &, const SweepOptions &,
    const InitialHistory *, const std::vector<const std::vector<double> *> &,
    const std::vector<size_t> &, size_t, bool);
template LaneArrays<double> rateml::runtime::buildLaneArrays(
    const ModelInfo &, const EdgeList &, const SweepOptions &,
    const InitialHistory *, const std::vector<const std::vector<double> *> &,
    const std::vector<size_t> &, size_t, bool);

template <typename T>
Monitors<T>::Monitors(const SweepResult &shape, size_t numNodes, size_t lanes,
                      size_t firstRow, size_t rows, BatchOutput &out)
    : shape(shape), numVars(shape.varNames.size()), numNodes(numNodes),
      lanes(lanes), firstRow(firstRow), rows(rows), out(out),
      windowSum(shape.storeData && shape.averaged ? numVars * numNodes * lanes
                                                  : 0,
                0.0),
      boldSum(shape.bold ? numNodes * lanes : 0, 0.0),
      hemodynamics(boldSum.size()) {}

template <typename T>
template <typename ValueAt>
void Monitors<T>::emit(ValueAt valueAt) {
  T *data = reinterpret_cast<T *>(out.data.data());
  const size_t N = numNodes;
  for (size_t l = 0; l < rows; ++l)
    for (size_t v = 0; v < numVars; ++v)
      for (size_t i = 0; i < N; ++i)
        data[(((firstRow + l) * shape.numSamples + sample) * numVars + v) * N +
             i] = static_cast<T>(valueAt((v * N + i) * lanes + l));
  ++sample;
}

template <typename T>
template <typename ValueAt>
void Monitors<T>::addBold(ValueAt valueAt, uint64_t done) {
  const SweepResult::BoldPlan &plan = *shape.bold;
  const size_t driver = plan.var * numNodes * lanes;
  for (size_t k = 0; k < boldSum.size(); ++k)
    boldSum[k] += valueAt(driver + k);
  if (done % plan.integrateEvery != 0)
    return;
  for (size_t k = 0; k < boldSum.size(); ++k) {
    plan.model.step(hemodynamics[k], boldSum[k] / double(plan.integrateEvery),
                    plan.stepSeconds);
    boldSum[k] = 0;
  }
  if (done % plan.sampleEvery != 0 || boldSample >= plan.numSamples)
    return;
  for (size_t l = 0; l < rows; ++l)
    for (size_t i = 0; i < numNodes; ++i)
      out.bold[((firstRow + l) * plan.numSamples + boldSample) * numNodes +
               i] = plan.model.signal(hemodynamics[i * lanes + l]);
  ++boldSample;
}

template <typename T>
void Monitors<T>::add(const T *snapshot, uint64_t done, const double *sum) {
  // The sum since the previous add() of element k: given, or the value.
  auto summed = [&](size_t k) -> double {
    return sum ? sum[k] : double(snapshot[k]);
  };
  if (shape.bold && done > 0)
    addBold(summed, done);
  if (!dataWants(done))
    return;
  if (!shape.averaged) {
    emit([&](size_t k) { return snapshot[k]; });
    return;
  }
  for (size_t k = 0; k < windowSum.size(); ++k)
    windowSum[k] += summed(k);
  if (done % shape.every == 0 && sample < shape.numSamples) {
    emit([&](size_t k) { return windowSum[k] / double(shape.every); });
    std::fill(windowSum.begin(), windowSum.end(), 0.0);
  }
}

template class rateml::runtime::Monitors<float>;
template class rateml::runtime::Monitors<double>;

namespace {

/// The step and exposure kernels a CPU tile runs, over `lanes` sets.
struct CpuKernels {
  unsigned lanes;
  StepKernel *step;
  ExposuresKernel *exposures;
};

/// A CPU tile: consecutive sets of a batch, at most one vector of lanes.
/// Consecutive, so the kernel's noise key setBase + lane is the set's index.
struct Tile {
  size_t first, count;
};

/// Packs a batch's sets into tiles of at most `lanes`. When the conduction
/// speed is swept, a tile also ends where the speed changes, so all its lanes
/// share one delay table: each edge then reads one history row instead of
/// gathering from several, which matters most when the history is far
/// larger than the caches (small dt, slow speeds). That is kept only when
/// it needs at most half as many tiles again as dense packing (it does when
/// the speed varies slowest in the grid). Tiles may run in any order.
std::vector<Tile> planTiles(const ModelInfo &info,
                            const std::vector<std::vector<double>> &slots,
                            size_t lanes) {
  std::vector<Tile> dense, bySpeed;
  for (size_t first = 0; first < slots.size(); first += lanes)
    dense.push_back({first, std::min(lanes, slots.size() - first)});
  if (!info.speedSlot)
    return dense;
  const unsigned speed = *info.speedSlot;
  for (size_t k = 0; k < slots.size(); ++k) {
    if (bySpeed.empty() || bySpeed.back().count == lanes ||
        slots[k][speed] != slots[bySpeed.back().first][speed])
      bySpeed.push_back({k, 0});
    ++bySpeed.back().count;
  }
  if (bySpeed.size() * 2 > dense.size() * 3)
    return dense;
  // Slow tiles (long delays, large histories) first, so that the threads
  // finish together.
  std::stable_sort(bySpeed.begin(), bySpeed.end(),
                   [&](const Tile &a, const Tile &b) {
                     return slots[a.first][speed] < slots[b.first][speed];
                   });
  return bySpeed;
}

/// Lets a CPU tile's kernel sum the coupling of info.block steps per pass
/// over the edges when its lanes share delays that are all at least
/// block - 1 steps (so every history row it reads is already written); the
/// coupling scratch then holds one slot per step of the block.
template <typename T>
bool enableBlockedCoupling(LaneArrays<T> &a, const ModelInfo &info,
                           size_t numEdges, size_t numNodes) {
  if (info.block < 2 || !info.speedSlot || !a.sharedDelays || numEdges == 0)
    return false;
  int32_t shortest = *std::min_element(a.delays.begin(),
                                       a.delays.begin() + numEdges);
  if (shortest + 1 < int32_t(info.block))
    return false;
  a.coupling.resize(size_t(info.block) * info.numCouplings * numNodes *
                    a.lanes);
  a.flags |= kFlagBlocked;
  return true;
}

template <typename T> class TileRunner {
public:
  TileRunner(const ModelInfo &info, const CpuKernels &kernels,
             const EdgeList &edges, const SweepOptions &options,
             const SweepResult &shape, size_t setBase,
             const std::vector<std::vector<double>> &slots, BatchOutput &out,
             std::atomic<uint64_t> &progress)
      : info(info), kernels(kernels), edges(edges), options(options),
        shape(shape), setBase(setBase), slots(slots), out(out),
        progress(progress) {}

  /// Runs the batch's sets [tile.first, tile.first + tile.count); unused
  /// lanes repeat the last set, so they share its delays. Returns whether
  /// the coupling was summed in blocks of steps.
  bool run(Tile tile) {
    const size_t W = kernels.lanes, N = edges.numNodes;
    std::vector<const std::vector<double> *> laneSlots(W);
    std::vector<size_t> laneSets(W);
    for (size_t l = 0; l < W; ++l) {
      size_t local = tile.first + std::min(l, tile.count - 1);
      laneSlots[l] = &slots[local];
      laneSets[l] = setBase + local;
    }
    LaneArrays<T> a = buildLaneArrays<T>(
        info, edges, options, shape.initial ? &*shape.initial : nullptr,
        laneSlots, laneSets, info.copiedHistoryRows(), /*withHistory=*/true);
    const bool blocked = enableBlockedCoupling(a, info, edges.numEdges(), N);
    typename LaneArrays<T>::Views d = a.views();
    Monitors<T> monitors(shape, N, W, tile.first, tile.count, out);
    auto record = [&](uint64_t done) {
      if (!monitors.wants(done))
        return;
      if (options.recordStates) {
        monitors.add(a.state.data(), done);
        return;
      }
      kernels.exposures(&d.params, &d.state, &d.coupling, &d.out,
                        int64_t(N));
      monitors.add(a.out.data(), done);
    };
    record(0);
    for (uint64_t n = 0; n < shape.steps; ++n) {
      kernels.step(&d.params, &d.state, &d.history, &d.delays, &d.rowStart,
                   &d.sources, &d.weights, &d.coupling, int64_t(n), int64_t(N),
                   a.horizon, a.flags, options.seed,
                   int64_t(setBase + tile.first));
      record(n + 1);
      progress.fetch_add(tile.count, std::memory_order_relaxed);
    }
    return blocked;
  }

private:
  const ModelInfo &info;
  const CpuKernels &kernels;
  const EdgeList &edges;
  const SweepOptions &options;
  const SweepResult &shape;
  /// Global index of the batch's first set (the key of noise and initial
  /// draws); `slots` and `out` are the batch's.
  size_t setBase;
  const std::vector<std::vector<double>> &slots;
  BatchOutput &out;
  std::atomic<uint64_t> &progress;
};

} // namespace

void InitialHistory::checkHorizon(int64_t h) const {
  if (rows > 1 && int64_t(rows) < h)
    throw Error("--initial: the history has " + std::to_string(rows) +
                " steps but the delays need " + std::to_string(h));
}

InitialHistory rateml::runtime::loadInitialHistory(const std::string &path,
                                                   const ModelInfo &info,
                                                   size_t numNodes) {
  NpyArray array = readNpy(path);
  InitialHistory h;
  h.numStates = info.states.size();
  h.numNodes = numNodes;
  const auto &shape = array.shape;
  if (shape.size() == 2 && shape[0] == h.numStates && shape[1] == numNodes) {
    h.rows = 1;
  } else if (shape.size() == 3 && shape[0] >= 1 &&
             shape[1] == h.numStates && shape[2] == numNodes) {
    h.rows = shape[0];
  } else {
    std::string got;
    for (size_t d : shape)
      got += (got.empty() ? "" : ", ") + std::to_string(d);
    std::string want =
        std::to_string(h.numStates) + ", " + std::to_string(numNodes);
    throw Error("--initial: shape (" + got + ") is neither (" + want +
                ") nor (T, " + want + ")");
  }
  if (auto bad = firstNonFinite(array.values.data(), array.values.size()))
    throw Error("--initial: '" + path + "' has a non-finite value at " +
                formatIndex(shape, *bad));
  h.values = std::move(array.values);
  return h;
}

/// The most parameter sets whose values fit in half the available memory:
/// each set's row of the table (held twice: prepared and result), its
/// parameter-level slots, its /params row and per-set results; an estimate,
/// counting a vector's header and allocation overhead as 40 bytes.
static SetLimit parameterSetLimit(const ModelInfo &info) {
  const uint64_t vector = 40, P = info.params.size(),
                 V = std::max(info.states.size(), info.exposures.size());
  const uint64_t perSet = 2 * (vector + 8 * P) + vector + 8 * info.numSlots +
                          8 * P + 8 * (V + 3);
  const uint64_t memory = availableMemory();
  const uint64_t fit = memory / 2 / perSet;
  if (fit >= kMaxSets)
    return {};
  return {fit, "the values of more sets do not fit in half the available "
               "memory (" + formatBytes(memory) + "); split the sweep"};
}

ParamTable rateml::runtime::buildParamTable(const ModelInfo &info,
                                            const SweepOptions &options) {
  const SetLimit limit = parameterSetLimit(info);
  std::vector<std::string> known;
  for (const auto &p : info.params)
    known.push_back(p.name);
  auto checkName = [&](const std::string &name) {
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw Error("unknown parameter '" + name + "' (the model's swept " +
                  "parameters are: " + joinNames(known) + ")");
  };
  if (options.paramTable) {
    if (!options.axes.empty())
      throw Error("--param-table cannot be combined with --sweep or --values");
    ParamTable table = readParamTable(*options.paramTable, limit);
    for (const std::string &name : table.names)
      checkName(name);
    for (const std::string &name : known)
      if (std::find(table.names.begin(), table.names.end(), name) ==
          table.names.end())
        throw Error("parameter table '" + *options.paramTable +
                    "' has no column for swept parameter '" + name + "'");
    return table;
  }
  std::vector<SweepAxis> axes = options.axes;
  std::set<std::string> named;
  for (const SweepAxis &axis : axes) {
    checkName(axis.name);
    named.insert(axis.name);
  }
  for (const auto &[index, points] : options.pointsByIndex)
    if (index >= info.params.size())
      throw Error("-s" + std::to_string(index) + ": the model has only " +
                  std::to_string(info.params.size()) + " swept parameter(s)");
  for (size_t k = 0; k < info.params.size(); ++k) {
    const auto &p = info.params[k];
    if (named.count(p.name))
      continue;
    auto it = options.pointsByIndex.find(k);
    size_t points = it == options.pointsByIndex.end() ? 4 : it->second;
    axes.push_back({p.name, linspace(p.lo, p.hi, points)});
  }
  return cartesianProduct(axes, limit);
}

/// Checks the BOLD and analysis options against the run and converts their
/// times to steps and BOLD samples (docs/analysis.md).
static SweepResult::BoldPlan planBold(const SweepOptions &options,
                                      const SweepResult &result) {
  SweepResult::BoldPlan plan;
  auto var = std::find(result.varNames.begin(), result.varNames.end(),
                       *options.bold);
  if (var == result.varNames.end())
    throw Error("--bold: '" + *options.bold + "' is not a recorded variable "
                "(recorded: " + joinNames(result.varNames) +
                "; --record states records the states)");
  plan.var = size_t(var - result.varNames.begin());
  double boldDt = options.boldDt.value_or(1.0),
         tr = options.boldTr.value_or(2000.0);
  if (!(boldDt > 0) || !std::isfinite(boldDt))
    throw Error("--bold-dt must be a positive number of ms");
  if (!(tr > 0) || !std::isfinite(tr))
    throw Error("--bold-tr must be a positive number of ms");
  // Both are rounded to whole steps, checked first: the rounding of a huge
  // one would overflow.
  std::optional<uint64_t> integrateEvery =
      wholeSteps(boldDt, options.dt, result.steps);
  if (!integrateEvery)
    throw Error("--bold-dt: " + formatMs(boldDt) + " is longer than the run (" +
                formatMs(double(result.steps) * options.dt) + ")");
  plan.integrateEvery = std::max<uint64_t>(1, *integrateEvery);
  std::optional<uint64_t> sampleEvery;
  if (auto periods = wholeSteps(tr, double(plan.integrateEvery) * options.dt))
    sampleEvery =
        boundedProduct({std::max<uint64_t>(1, *periods), plan.integrateEvery});
  // A period past 2^64 steps holds no sample: refused below.
  plan.sampleEvery = sampleEvery.value_or(UINT64_MAX);
  plan.numSamples = result.steps / plan.sampleEvery;
  const double trMs = double(plan.sampleEvery) * options.dt;
  if (plan.numSamples < 2)
    throw Error("--bold-tr: the run (" +
                std::to_string(double(result.steps) * options.dt) +
                " ms) holds fewer than 2 BOLD samples of " +
                (sampleEvery ? std::to_string(trMs) + " ms" : formatMs(tr)));
  plan.stepSeconds = double(plan.integrateEvery) * options.dt / 1000.0;
  for (const auto &[name, value] : options.boldConstants)
    plan.model.set(name, value);
  plan.model.check();

  // BOLD samples in `ms`; more than the run's (or a negative number) as
  // numSamples + 1, which the checks below refuse.
  auto samplesIn = [&](double ms) -> size_t {
    return wholeSteps(ms, trMs, plan.numSamples).value_or(plan.numSamples + 1);
  };
  AnalysisConfig &a = plan.analysis;
  double transient = options.fcTransient.value_or(0.0);
  if (!(transient >= 0) || !std::isfinite(transient))
    throw Error("--fc-transient must be a non-negative number of ms");
  a.firstSample = samplesIn(transient);
  if (a.firstSample + 2 > plan.numSamples)
    throw Error("--fc-transient leaves fewer than 2 of the " +
                std::to_string(plan.numSamples) + " BOLD samples for FC");
  if (options.fcdWindow) {
    if (!(*options.fcdWindow > 0))
      throw Error("--fcd-window must be a positive number of ms");
    a.fcdWindow = samplesIn(*options.fcdWindow);
    if (a.fcdWindow < 2)
      throw Error("--fcd-window must span at least 2 BOLD samples (TR " +
                  std::to_string(trMs) + " ms)");
    a.fcdStep = options.fcdStep ? samplesIn(*options.fcdStep) : 1;
    if (a.fcdStep < 1)
      throw Error("--fcd-step must span at least 1 BOLD sample (TR " +
                  std::to_string(trMs) + " ms)");
    if (numFcdWindows(plan.numSamples - a.firstSample, a.fcdWindow,
                      a.fcdStep) < 2)
      throw Error("--fcd-window: the " +
                  std::to_string(plan.numSamples - a.firstSample) +
                  " BOLD samples after the transient hold fewer than 2 "
                  "windows");
  } else if (options.fcdStep || options.targetFcd) {
    throw Error("--fcd-step and --target-fcd need --fcd-window");
  }
  if (options.targetFc)
    a.targetFcUpper = readTargetFc(*options.targetFc, result.numNodes);
  if (options.targetFcd)
    a.targetFcdValues = readTargetFcd(*options.targetFcd);
  return plan;
}

/// Bytes of output per parameter set: of /data, and of everything (with
/// /bold and /fc); nothing past 2^64.
struct SetOutputBytes {
  uint64_t data = 0, all = 0;
};
static std::optional<SetOutputBytes> setOutputBytes(const ModelInfo &info,
                                                    const SweepResult &result) {
  const uint64_t N = result.numNodes;
  std::optional<uint64_t> data =
      boundedProduct({result.storeData ? result.numSamples : 0,
                      result.varNames.size(), N, info.elementBytes()});
  std::optional<uint64_t> bold =
      result.bold
          ? boundedProduct({result.bold->numSamples + N, N, sizeof(double)})
          : 0;
  if (!data || !bold || *data > UINT64_MAX - *bold)
    return std::nullopt;
  return SetOutputBytes{*data, *data + *bold};
}

/// Refuses output that cannot be held: one set's beyond the memory
/// available (a batch holds at least one set's output), or the whole
/// sweep's beyond 2^64 bytes.
static void checkOutputSize(const ModelInfo &info, const SweepResult &result) {
  std::optional<SetOutputBytes> bytes = setOutputBytes(info, result);
  const uint64_t memory = availableMemory();
  if (!bytes || bytes->all > memory) {
    const std::string nodes = std::to_string(result.numNodes) + " nodes";
    std::string what;
    if (result.storeData)
      what = "/data " + std::to_string(result.numSamples) + " samples x " +
             std::to_string(result.varNames.size()) + " variables x " + nodes;
    if (result.bold)
      what += (what.empty() ? "/bold " : ", /bold ") +
              std::to_string(result.bold->numSamples) + " samples x " + nodes;
    throw Error("the output of one parameter set (" + what + ") is " +
                (bytes ? formatBytes(bytes->all) : "over 2^64 bytes") +
                ", more than the " + formatBytes(memory) +
                " of memory available; record fewer samples (--every, "
                "--tavg) or shorten the run (--steps, --duration)");
  }
  if (!boundedProduct({result.params.rows.size(), bytes->all}))
    throw Error("the output of the sweep exceeds 2^64 bytes");
}

SweepResult rateml::runtime::prepareSweep(const ModelInfo &info,
                                          const Connectome &connectome,
                                          const SweepOptions &options) {
  if (!(options.dt > 0) || !std::isfinite(options.dt))
    throw Error("--dt must be a positive number of ms");
  for (const auto &[name, value] : options.constants) {
    bool found = false;
    for (const auto &c : info.constants)
      found |= c.name == name;
    if (!found) {
      std::vector<std::string> names;
      for (const auto &c : info.constants)
        names.push_back(c.name);
      throw Error("--set: unknown constant '" + name + "' (the model's " +
                  "constants are: " + joinNames(names) + ")");
    }
  }
  SweepResult result;
  result.params = buildParamTable(info, options);
  if (options.steps) {
    result.steps = *options.steps;
  } else {
    const double duration = options.duration.value_or(1000.0);
    std::optional<uint64_t> steps = wholeSteps(duration, options.dt);
    if (!steps)
      throw Error("--duration: " + formatMs(duration) + " at --dt " +
                  formatMs(options.dt) + " exceeds the limit of " +
                  std::to_string(kMaxSteps) + " steps");
    result.steps = *steps;
  }
  if (options.tavg && options.every)
    throw Error("give --every or --tavg, not both");
  if (options.tavg) {
    if (!(*options.tavg > 0))
      throw Error("--tavg must be a positive number of ms");
    // A window longer than any run leaves no sample: refused below.
    result.every = std::max<uint64_t>(
        1, wholeSteps(*options.tavg, options.dt).value_or(kMaxSteps + 1));
    result.averaged = true;
    result.numSamples = result.steps / result.every;
    if (result.numSamples == 0)
      throw Error("--tavg: the run is shorter than one window");
  } else {
    result.every = options.every
                       ? *options.every
                       : std::max<uint64_t>(1, std::llround(1.0 / options.dt));
    result.numSamples = result.steps / result.every + 1;
  }
  result.numNodes = connectome.numNodes;
  if (options.recordStates)
    for (const auto &s : info.states)
      result.varNames.push_back(s.name);
  else
    result.varNames = info.exposures;
  if (options.initial)
    result.initial =
        loadInitialHistory(*options.initial, info, connectome.numNodes);
  result.storeData = options.storeData;
  if (options.bold)
    result.bold = planBold(options, result);
  else if (options.boldTr || options.boldDt || !options.boldConstants.empty() ||
           options.fcTransient || options.fcdWindow || options.fcdStep ||
           options.targetFc || options.targetFcd)
    throw Error("the BOLD and FC/FCD options need --bold VAR (the variable "
                "that drives the BOLD signal)");
  if (!options.storeData && !options.bold)
    throw Error("--no-data without --bold would compute nothing");
  checkOutputSize(info, result);
  return result;
}

/// The mean over nodes of every variable at the last sample of a batch's
/// sets, for the summary.
static void summariseLastSample(const ModelInfo &info, SweepResult &result,
                                size_t first, size_t count,
                                const std::vector<unsigned char> &data) {
  const size_t numVars = result.varNames.size(), N = result.numNodes;
  for (size_t p = 0; p < count; ++p)
    for (size_t v = 0; v < numVars; ++v) {
      double sum = 0;
      for (size_t i = 0; i < N; ++i) {
        size_t idx =
            ((p * result.numSamples + result.numSamples - 1) * numVars + v) *
                N + i;
        sum += info.precision == "f64"
                   ? reinterpret_cast<const double *>(data.data())[idx]
                   : reinterpret_cast<const float *>(data.data())[idx];
      }
      result.finalMeans[(first + p) * numVars + v] = sum / double(N);
    }
}

/// FC, FCD variance and fits of every set of a batch, on `threads` threads.
static void analyseBatch(const SweepResult::BoldPlan &plan, size_t numNodes,
                         size_t count, unsigned threads, BatchOutput &out) {
  out.fc.assign(count * numNodes * numNodes, 0.0);
  out.fcdVar.assign(count, 0.0);
  out.fcCorr.assign(count, 0.0);
  out.fcdKs.assign(count, 0.0);
  std::atomic<size_t> next{0};
  auto work = [&]() {
    for (size_t p; (p = next.fetch_add(1)) < count;) {
      SetAnalysis r = analyseSet(
          plan.analysis, out.bold.data() + p * plan.numSamples * numNodes,
          plan.numSamples, numNodes);
      std::copy(r.fc.begin(), r.fc.end(),
                out.fc.begin() + p * numNodes * numNodes);
      out.fcdVar[p] = r.fcdVar;
      out.fcCorr[p] = r.fcCorr;
      out.fcdKs[p] = r.fcdKs;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<size_t>(threads, count); ++t)
    pool.emplace_back(work);
  work();
  for (std::thread &t : pool)
    t.join();
}

SweepResult rateml::runtime::runSweep(const ModelInfo &info,
                                      const Connectome &connectome,
                                      const SweepOptions &options,
                                      const SweepResult &prepared,
                                      const BatchSink &sink) {
  SweepResult result = prepared;
  std::vector<unsigned> columnSlot;
  for (const std::string &name : result.params.names)
    for (const auto &p : info.params)
      if (p.name == name)
        columnSlot.push_back(p.slot);

  EdgeList edges = makeEdgeList(connectome);
  const size_t numSets = result.params.rows.size();
  const size_t numVars = result.varNames.size();
  // Parameter-level values of every set, checked before anything runs.
  std::vector<std::vector<double>> slots;
  int64_t maxHorizon = 1;
  std::set<double> speedsSeen;
  for (const auto &row : result.params.rows) {
    slots.push_back(setupSlots(info, connectome.numNodes, options.dt, row,
                               columnSlot, options.constants));
    if (info.speedSlot &&
        speedsSeen.insert(slots.back()[*info.speedSlot]).second)
      for (int32_t d :
           computeDelays(edges, slots.back()[*info.speedSlot], options.dt))
        maxHorizon = std::max<int64_t>(maxHorizon, int64_t(d) + 1);
  }

  // The backend: a GPU when asked for or, with auto, when one is usable.
  std::unique_ptr<CudaDevice> gpu;
  if (options.backend != "cpu") {
    std::string why;
    bool failedOnDevice = false;
    gpu = CudaDevice::open(why, failedOnDevice);
    if (!gpu && options.backend == "gpu")
      throw Error("--backend gpu: " + why);
    if (!gpu && failedOnDevice)
      std::fprintf(stderr, "sweep: warning: running on the CPU, the GPU "
                           "failed: %s\n", why.c_str());
  }
  result.backend = gpu ? "gpu: " + gpu->name() : "cpu";

  // CPU tiles: the wide kernels, or the narrow ones when only their tile's
  // history fits the L2 cache.
  const size_t historyBytesPerSet =
      (size_t(maxHorizon) + info.copiedHistoryRows()) *
      info.historyStates.size() *
      result.numNodes * info.elementBytes();
  const unsigned lanes = chooseCpuLanes(info, options.lanes,
                                        historyBytesPerSet, l2CacheBytes());
  const CpuKernels kernels =
      lanes == info.lanes
          ? CpuKernels{lanes, _mlir_ciface_rateml_step,
                       _mlir_ciface_rateml_exposures}
          : CpuKernels{lanes, _mlir_ciface_rateml_step_narrow,
                       _mlir_ciface_rateml_exposures_narrow};
  const size_t W = gpu ? info.lanes : lanes;
  if (!gpu)
    result.backend += ", " + std::to_string(W) + " sets per tile";

  unsigned threads = options.threads
                         ? options.threads
                         : std::max(1u, std::thread::hardware_concurrency());
  // Memory plan: each batch's output is held until written; a quarter of
  // the available memory goes to it unless --batch says otherwise, and never
  // more than all of it (one set's fits: prepareSweep checked).
  const size_t N = result.numNodes;
  const SetOutputBytes setBytes = *setOutputBytes(info, result);
  const size_t dataPerSet = setBytes.data;
  const size_t boldSamples = result.bold ? result.bold->numSamples : 0;
  const size_t perSet = std::max<size_t>(1, setBytes.all);
  const size_t memory = availableMemory();
  size_t batch = options.batch
                     ? *options.batch
                     : std::max<size_t>(W * threads, memory / 4 / perSet / W * W);
  if (batch == 0)
    throw Error("--batch must be at least 1");
  if (options.batch &&
      !boundedProduct({std::min(batch, numSets), perSet}, memory))
    throw Error("--batch " + std::to_string(batch) + ": the output of a " +
                "batch exceeds the " + formatBytes(memory) +
                " of memory available");
  batch = std::min(batch, std::max<size_t>(1, memory / perSet));
  if (gpu && !options.batch) {
    // Device memory per set: parameters, state, history of the coupled
    // states, delays (one table for all when the speed is not swept),
    // couplings and two sample buffers of the recorded variables (one copied
    // out while the other is filled), each with a float64 one for their
    // sums with window means or BOLD.
    const size_t delayBytes = edges.numEdges() * sizeof(int32_t);
    const bool oneDelayTable = speedsSeen.size() <= 1;
    size_t perSetDevice =
        (info.numSlots + info.states.size() * result.numNodes +
         size_t(maxHorizon) * info.historyStates.size() * result.numNodes +
         (info.numCouplings + 2 * numVars) * result.numNodes) *
            info.elementBytes() +
        (oneDelayTable ? 0 : delayBytes) +
        (result.monitorsSum() ? 2 * numVars * result.numNodes * sizeof(double)
                              : 0);
    // Shared by the batch: the connectome's rows, sources and weights.
    size_t fixedDevice =
        (result.numNodes + 1) * sizeof(int32_t) +
        edges.numEdges() * (sizeof(int32_t) + info.elementBytes()) +
        (oneDelayTable ? delayBytes : 0);
    size_t usable = gpu->freeMemory() / 10 * 8;
    size_t fits = usable > fixedDevice ? (usable - fixedDevice) /
                                             std::max<size_t>(perSetDevice, 1)
                                       : 0;
    if (fits == 0)
      throw Error("one parameter set does not fit in the GPU's free memory");
    batch = std::min(batch, fits);
  }
  batch = std::min(batch, numSets);
  result.batchSize = batch;
  result.numBatches = (numSets + batch - 1) / batch;
  if (result.storeData)
    result.finalMeans.assign(numSets * numVars, 0.0);
  if (result.bold) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    result.fcdVar.assign(numSets, nan);
    result.fcCorr.assign(numSets, nan);
    result.fcdKs.assign(numSets, nan);
  }
  if (!options.quiet && result.numBatches > 1)
    std::fprintf(stderr,
                 "sweep: %zu parameter sets in %zu batches of up to %zu "
                 "(%.1f MiB of output per batch)\n",
                 numSets, result.numBatches, batch,
                 double(batch * perSet) / double(1 << 20));

  std::atomic<uint64_t> progress{0};
  bool showProgress = !options.quiet && isatty(STDERR_FILENO);
  const uint64_t total = uint64_t(numSets) * result.steps;
  auto start = std::chrono::steady_clock::now();
  BatchOutput out;
  auto finishBatch = [&](size_t first, size_t count) {
    if (result.storeData)
      summariseLastSample(info, result, first, count, out.data);
    if (result.bold)
      analyseBatch(*result.bold, N, count, threads, out);
    for (size_t p = 0; p < count && result.bold; ++p) {
      result.fcdVar[first + p] = out.fcdVar[p];
      result.fcCorr[first + p] = out.fcCorr[p];
      result.fcdKs[first + p] = out.fcdKs[p];
    }
    sink(first, count, out);
  };
  for (size_t first = 0; first < numSets; first += batch) {
    size_t count = std::min(batch, numSets - first);
    std::vector<std::vector<double>> batchSlots(slots.begin() + first,
                                                slots.begin() + first + count);
    out.data.assign(count * dataPerSet, 0);
    out.bold.assign(count * boldSamples * N, 0.0);
    if (gpu) {
      gpu->runBatch(info, edges, options, result, first, batchSlots, out,
                    progress);
      finishBatch(first, count);
      continue;
    }
    const std::vector<Tile> tiles = planTiles(info, batchSlots, W);
    const size_t numTiles = tiles.size();
    unsigned workers = std::min<unsigned>(threads, numTiles);
    std::atomic<size_t> nextTile{0};
    std::atomic<unsigned> finished{0};
    std::atomic<size_t> blockedTiles{0};
    std::mutex errorMutex;
    std::string firstError;
    auto worker = [&]() {
      try {
        while (true) {
          size_t tile = nextTile.fetch_add(1);
          if (tile >= numTiles)
            break;
          bool blocked =
              info.precision == "f64"
                  ? TileRunner<double>(info, kernels, edges, options, result,
                                       first, batchSlots, out, progress)
                        .run(tiles[tile])
                  : TileRunner<float>(info, kernels, edges, options, result,
                                      first, batchSlots, out, progress)
                        .run(tiles[tile]);
          blockedTiles += blocked;
        }
      } catch (const std::exception &e) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (firstError.empty())
          firstError = e.what();
        nextTile = numTiles;
      }
      finished.fetch_add(1);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < workers; ++t)
      pool.emplace_back(worker);
    while (showProgress && finished.load() < workers) {
      uint64_t done = progress.load();
      std::fprintf(stderr, "\rsweep: %5.1f%% of %zu sets x %llu steps",
                   total ? 100.0 * double(done) / double(total) : 100.0,
                   numSets, (unsigned long long)result.steps);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (std::thread &t : pool)
      t.join();
    if (!firstError.empty()) {
      if (showProgress)
        std::fprintf(stderr, "\n");
      throw Error(firstError);
    }
    result.tiles += numTiles;
    result.blockedTiles += blockedTiles.load();
    finishBatch(first, count);
  }
  if (showProgress)
    std::fprintf(stderr, "\n");
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (gpu)
    result.gpuLoopSeconds = gpu->loopSeconds();
  return result;
}
