//===- LaneArrays.cpp - Parameter sets laid out for the kernels ----------===//
//
// Initial states come from --initial or from each set's uniform draws,
// keyed by the set's global index so that any batching gives the same
// values (docs/simulation.md).
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/LaneArrays.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Philox.h"
#include "rateml/runtime/Stimulus.h"
#include "rateml/runtime/SweepOptions.h"
#include "rateml/runtime/SweepResult.h"
#include <algorithm>
#include <map>
#include <string>

using namespace rateml::runtime;

namespace {

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
    double u = initialDraw(options.seed, setKey(options, laneSets[l]),
                           uint32_t(i), uint32_t(s));
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
    const InitialHistory *initial, const Stimulus *stimulus,
    const std::vector<const std::vector<double> *> &laneSlots,
    const std::vector<size_t> &laneSets, size_t copiedRows, bool withHistory,
    HistoryArray<T> *reusedHistory) {
  const size_t L = laneSlots.size(), N = edges.numNodes, S = info.states.size();
  const size_t K = edges.numEdges(), C = info.historyStates.size();
  LaneArrays<T> a;
  a.lanes = L;
  a.params.resize(info.numSlots * L);
  for (size_t p = 0; p < info.numSlots; ++p)
    for (size_t l = 0; l < L; ++l)
      a.params[p * L + l] = static_cast<T>((*laneSlots[l])[p]);
  const size_t Q = info.numNodeSlots;
  a.nodeParams.resize(std::max<size_t>(Q * N * L, 1));
  for (size_t l = 0; l < L; ++l) {
    const std::vector<double> &values = *laneSlots[l];
    const double *node = values.data() + values.size() - Q * N;
    for (size_t i = 0; i < N; ++i)
      for (size_t q = 0; q < Q; ++q)
        a.nodeParams[(q * N + i) * L + l] = static_cast<T>(node[i * Q + q]);
  }

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
      a.sharedDelays &=
          laneTable[l] == laneTable[0] ||
          std::equal(laneTable[0], laneTable[0] + K, laneTable[l]);
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
    const size_t elements = std::max<size_t>(R * C * N * L, 1);
    // Reused storage keeps its size when it is larger (only the first
    // `elements` are used), so that tiles of different horizons do not
    // shrink and zero-fill it again, tile after tile.
    if (reusedHistory)
      a.history = std::move(*reusedHistory);
    if (a.history.size() < elements)
      a.history.resize(elements);
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
  for (size_t set : laneSets)
    a.sets.push_back(int32_t(setKey(options, set)));
  a.diverged.assign(L, -1);
  for (size_t l = 0; l < L; ++l)
    a.stimulusScale.push_back(
        stimulus ? static_cast<T>((*laneSlots[l])[stimulus->scaleSlot]) : T(1));
  size_t numVars = options.recordStates ? S : info.exposures.size();
  a.out.resize(std::max<size_t>(numVars * N * L, 1));
  a.flags = (options.heun ? kFlagHeun : 0) |
            (info.noiseSlot && options.noise ? kFlagNoise : 0) |
            (a.sharedDelays ? kFlagSharedDelays : 0) |
            (stimulus ? kFlagStimulus : 0);
  return a;
}

template <typename T>
unsigned
rateml::runtime::enableBlockedCoupling(LaneArrays<T> &a, const ModelInfo &info,
                                       size_t numEdges, size_t numNodes) {
  if (info.block < 2 || !info.speedSlot || numEdges == 0)
    return 1;
  const size_t tables = a.sharedDelays ? 1 : a.lanes;
  int32_t shortest =
      *std::min_element(a.delays.begin(), a.delays.begin() + numEdges * tables);
  if (shortest + 1 < int32_t(info.block))
    return 1;
  const bool longBlock = !a.sharedDelays && info.laneBlock > info.block &&
                         shortest + 1 >= int32_t(info.laneBlock);
  const unsigned block = longBlock ? info.laneBlock : info.block;
  a.coupling.resize(size_t(block) * info.numCouplings * numNodes * a.lanes);
  a.flags |= kFlagBlocked | (longBlock ? kFlagLongBlock : 0);
  if (a.sharedDelays)
    return block;
  // Each series' R x L block becomes L x R: lane l's rows are contiguous.
  const size_t R = size_t(a.historyRows), L = a.lanes;
  const size_t numSeries = info.historyStates.size() * numNodes;
  std::vector<T> lanesFirst(R * L);
  for (size_t s = 0; s < numSeries; ++s) {
    T *series = a.history.data() + s * R * L;
    for (size_t r = 0; r < R; ++r)
      for (size_t l = 0; l < L; ++l)
        lanesFirst[l * R + r] = series[r * L + l];
    std::copy(lanesFirst.begin(), lanesFirst.end(), series);
  }
  a.flags |= kFlagLaneSeries;
  return block;
}

template unsigned rateml::runtime::enableBlockedCoupling(LaneArrays<float> &,
                                                         const ModelInfo &,
                                                         size_t, size_t);
template unsigned rateml::runtime::enableBlockedCoupling(LaneArrays<double> &,
                                                         const ModelInfo &,
                                                         size_t, size_t);

template LaneArrays<float> rateml::runtime::buildLaneArrays(
    const ModelInfo &, const EdgeList &, const SweepOptions &,
    const InitialHistory *, const Stimulus *,
    const std::vector<const std::vector<double> *> &,
    const std::vector<size_t> &, size_t, bool, HistoryArray<float> *);
template LaneArrays<double> rateml::runtime::buildLaneArrays(
    const ModelInfo &, const EdgeList &, const SweepOptions &,
    const InitialHistory *, const Stimulus *,
    const std::vector<const std::vector<double> *> &,
    const std::vector<size_t> &, size_t, bool, HistoryArray<double> *);
