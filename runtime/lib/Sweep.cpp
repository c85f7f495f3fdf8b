//===- Sweep.cpp - Running a parameter sweep on the CPU -------------------===//
//
// Parameter sets are packed `lanes` at a time into tiles; worker threads take
// tiles from a shared counter and run each tile's whole simulation with the
// step kernel (which also draws the noise, docs/simulation.md). Delays and
// initial states are computed here in float64, exactly as the reference
// does, then converted to the kernel precision.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Sweep.h"
#include "rateml/runtime/CudaBackend.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/KernelABI.h"
#include "rateml/runtime/Npy.h"
#include "rateml/runtime/Philox.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
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

/// The parameter-level slots of one set, computed by the setup kernel.
std::vector<double> setupSlots(const ModelInfo &info, size_t numNodes,
                               double dt, const std::vector<double> &values,
                               const std::vector<unsigned> &columnSlot,
                               const std::map<std::string, double> &overrides) {
  std::vector<double> slots(info.numSlots, 0.0);
  slots[0] = dt;
  slots[1] = static_cast<double>(numNodes);
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

} // namespace

template <typename T>
LaneArrays<T> rateml::runtime::buildLaneArrays(
    const ModelInfo &info, const EdgeList &edges, const SweepOptions &options,
    const InitialHistory *initial,
    const std::vector<const std::vector<double> *> &laneSlots,
    const std::vector<size_t> &laneSets) {
  const size_t L = laneSlots.size(), N = edges.numNodes,
               S = info.states.size();
  const size_t K = edges.numEdges(), C = info.historyStates.size();
  LaneArrays<T> a;
  a.lanes = L;
  a.params.resize(info.numSlots * L);
  for (size_t p = 0; p < info.numSlots; ++p)
    for (size_t l = 0; l < L; ++l)
      a.params[p * L + l] = static_cast<T>((*laneSlots[l])[p]);

  a.delays.assign(std::max<size_t>(K * L, 1), 0);
  if (info.speedSlot)
    for (size_t l = 0; l < L; ++l) {
      std::vector<int32_t> d = computeDelays(
          edges, (*laneSlots[l])[*info.speedSlot], options.dt);
      for (size_t e = 0; e < K; ++e) {
        a.delays[e * L + l] = d[e];
        a.horizon = std::max<int64_t>(a.horizon, int64_t(d[e]) + 1);
      }
    }
  if (uint64_t(a.horizon) * std::max<size_t>(C, 1) * N * L >= (1ull << 31))
    throw Error("the history of " + std::to_string(L) +
                " parameter sets needs more than 2^31 elements; use fewer "
                "nodes, sets per batch, or a higher conduction speed");
  a.sharedDelays = true;
  for (size_t e = 0; e < K && a.sharedDelays; ++e)
    for (size_t l = 1; l < L; ++l)
      a.sharedDelays &= a.delays[e * L + l] == a.delays[e * L];

  auto clip = [&](size_t s, double v) {
    const auto &st = info.states[s];
    v = v < st.lower ? st.lower : v;
    return v > st.upper ? st.upper : v;
  };
  // Value of state s, node i, lane l at step -k (k >= 0).
  auto past = [&](size_t k, size_t s, size_t i, size_t l) {
    if (initial)
      return clip(s, initial->at(k, s, i));
    const auto &st = info.states[s];
    double u = initialDraw(options.seed, uint32_t(laneSets[l]), uint32_t(i),
                           uint32_t(s));
    return clip(s, st.initLo + (st.initHi - st.initLo) * u);
  };
  if (initial)
    initial->checkHorizon(a.horizon);
  a.state.resize(S * N * L);
  for (size_t s = 0; s < S; ++s)
    for (size_t i = 0; i < N; ++i)
      for (size_t l = 0; l < L; ++l)
        a.state[(s * N + i) * L + l] = static_cast<T>(past(0, s, i, l));
  // Row (-k mod H) of the ring holds step -k.
  const int64_t H = a.horizon;
  a.history.resize(std::max<size_t>(H * C * N * L, 1));
  for (int64_t k = 0; k < H; ++k)
    for (size_t c = 0; c < C; ++c)
      for (size_t i = 0; i < N; ++i)
        for (size_t l = 0; l < L; ++l)
          a.history[((((H - k) % H) * C + c) * N + i) * L + l] =
              initial ? static_cast<T>(past(k, info.historyStates[c], i, l))
                      : a.state[(info.historyStates[c] * N + i) * L + l];

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
    const std::vector<size_t> &);
template LaneArrays<double> rateml::runtime::buildLaneArrays(
    const ModelInfo &, const EdgeList &, const SweepOptions &,
    const InitialHistory *, const std::vector<const std::vector<double> *> &,
    const std::vector<size_t> &);

template <typename T>
SampleRecorder<T>::SampleRecorder(const SweepResult &shape, size_t numNodes,
                                  size_t lanes, size_t firstRow, size_t rows,
                                  std::vector<unsigned char> &data)
    : shape(shape), numVars(shape.varNames.size()), numNodes(numNodes),
      lanes(lanes), firstRow(firstRow), rows(rows), data(data),
      windowSum(shape.averaged ? numVars * numNodes * lanes : 0, 0.0) {}

template <typename T>
template <typename ValueAt>
void SampleRecorder<T>::emit(ValueAt valueAt) {
  T *out = reinterpret_cast<T *>(data.data());
  const size_t N = numNodes;
  for (size_t l = 0; l < rows; ++l)
    for (size_t v = 0; v < numVars; ++v)
      for (size_t i = 0; i < N; ++i)
        out[(((firstRow + l) * shape.numSamples + sample) * numVars + v) * N +
            i] = static_cast<T>(valueAt((v * N + i) * lanes + l));
  ++sample;
}

template <typename T>
void SampleRecorder<T>::add(const T *snapshot, uint64_t done) {
  if (!shape.averaged) {
    emit([&](size_t k) { return snapshot[k]; });
    return;
  }
  for (size_t k = 0; k < windowSum.size(); ++k)
    windowSum[k] += snapshot[k];
  if (done % shape.every == 0 && sample < shape.numSamples) {
    emit([&](size_t k) { return windowSum[k] / double(shape.every); });
    std::fill(windowSum.begin(), windowSum.end(), 0.0);
  }
}

template class rateml::runtime::SampleRecorder<float>;
template class rateml::runtime::SampleRecorder<double>;

namespace {

template <typename T> class TileRunner {
public:
  TileRunner(const ModelInfo &info, const EdgeList &edges,
             const SweepOptions &options, const SweepResult &shape,
             size_t setBase, const std::vector<std::vector<double>> &slots,
             std::vector<unsigned char> &data, std::atomic<uint64_t> &progress)
      : info(info), edges(edges), options(options), shape(shape),
        setBase(setBase), slots(slots), data(data), progress(progress) {}

  void run(size_t tile) {
    const size_t W = info.lanes, N = edges.numNodes;
    const size_t numSets = slots.size();
    std::vector<const std::vector<double> *> laneSlots(W);
    std::vector<size_t> laneSets(W);
    for (size_t l = 0; l < W; ++l) {
      size_t local = std::min(tile * W + l, numSets - 1);
      laneSlots[l] = &slots[local];
      laneSets[l] = setBase + local;
    }
    LaneArrays<T> a = buildLaneArrays<T>(
        info, edges, options, shape.initial ? &*shape.initial : nullptr,
        laneSlots, laneSets);
    typename LaneArrays<T>::Views d = a.views();
    SampleRecorder<T> recorder(shape, N, W, tile * W,
                               std::min(W, numSets - tile * W), data);
    auto record = [&](uint64_t done) {
      if (!recorder.wants(done))
        return;
      if (options.recordStates) {
        recorder.add(a.state.data(), done);
        return;
      }
      _mlir_ciface_rateml_exposures(&d.params, &d.state, &d.coupling, &d.out,
                                    int64_t(N));
      recorder.add(a.out.data(), done);
    };
    record(0);
    for (uint64_t n = 0; n < shape.steps; ++n) {
      _mlir_ciface_rateml_step(&d.params, &d.state, &d.history, &d.delays,
                               &d.rowStart, &d.sources, &d.weights, &d.coupling,
                               int64_t(n), int64_t(N), a.horizon, a.flags,
                               options.seed, int64_t(setBase + tile * W));
      record(n + 1);
      progress.fetch_add(1, std::memory_order_relaxed);
    }
  }

private:
  const ModelInfo &info;
  const EdgeList &edges;
  const SweepOptions &options;
  const SweepResult &shape;
  /// Global index of the batch's first set (the key of noise and initial
  /// draws); `slots` and `data` are the batch's.
  size_t setBase;
  const std::vector<std::vector<double>> &slots;
  std::vector<unsigned char> &data;
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
  h.values = std::move(array.values);
  return h;
}

ParamTable rateml::runtime::buildParamTable(const ModelInfo &info,
                                            const SweepOptions &options) {
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
    ParamTable table = readParamTable(*options.paramTable);
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
  return cartesianProduct(axes);
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
  result.steps = options.steps ? *options.steps
                               : uint64_t(std::llround(options.duration.value_or(
                                              1000.0) / options.dt));
  if (options.tavg && options.every)
    throw Error("give --every or --tavg, not both");
  if (options.tavg) {
    if (!(*options.tavg > 0))
      throw Error("--tavg must be a positive number of ms");
    result.every = std::max<uint64_t>(1, std::llround(*options.tavg / options.dt));
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
  return result;
}

/// Bytes of memory the system can still give us.
static size_t availableMemory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  size_t kib = 0;
  while (meminfo >> key >> kib) {
    if (key == "MemAvailable:")
      return kib * 1024;
    meminfo.ignore(256, '\n');
  }
  long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? size_t(pages) * size_t(size) : size_t(1) << 30;
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
  const size_t W = info.lanes, numVars = result.varNames.size();
  // Parameter-level values of every set, checked before anything runs.
  std::vector<std::vector<double>> slots;
  int64_t maxHorizon = 1;
  for (const auto &row : result.params.rows) {
    slots.push_back(setupSlots(info, connectome.numNodes, options.dt, row,
                               columnSlot, options.constants));
    if (info.speedSlot)
      for (int32_t d :
           computeDelays(edges, slots.back()[*info.speedSlot], options.dt))
        maxHorizon = std::max<int64_t>(maxHorizon, int64_t(d) + 1);
  }

  // The backend: a GPU when asked for or, with auto, when one is usable.
  std::unique_ptr<CudaDevice> gpu;
  if (options.backend != "cpu") {
    std::string why;
    gpu = CudaDevice::open(why);
    if (!gpu && options.backend == "gpu")
      throw Error("--backend gpu: " + why);
  }
  result.backend = gpu ? "gpu: " + gpu->name() : "cpu";

  unsigned threads = options.threads
                         ? options.threads
                         : std::max(1u, std::thread::hardware_concurrency());
  // Memory plan: each batch's output is held until written; a quarter of
  // the available memory goes to it unless --batch says otherwise.
  size_t perSet = std::max<size_t>(
      1, result.numSamples * numVars * result.numNodes * info.elementBytes());
  size_t batch = options.batch
                     ? *options.batch
                     : std::max<size_t>(W * threads,
                                        availableMemory() / 4 / perSet / W * W);
  if (batch == 0)
    throw Error("--batch must be at least 1");
  if (gpu && !options.batch) {
    // Device memory per set: parameters, state, history of the coupled
    // states, delays, couplings and two sample buffers of the recorded
    // variables (one copied out while the other is filled).
    size_t perSetDevice =
        (info.numSlots +
         info.states.size() * result.numNodes +
         size_t(maxHorizon) * info.historyStates.size() * result.numNodes +
         (info.numCouplings + 2 * numVars) * result.numNodes) *
            info.elementBytes() +
        edges.numEdges() * sizeof(int32_t);
    size_t fits = gpu->freeMemory() / 10 * 8 / std::max<size_t>(perSetDevice, 1);
    if (fits == 0)
      throw Error("one parameter set does not fit in the GPU's free memory");
    batch = std::min(batch, fits);
  }
  batch = std::min(batch, numSets);
  result.batchSize = batch;
  result.numBatches = (numSets + batch - 1) / batch;
  result.finalMeans.assign(numSets * numVars, 0.0);
  if (!options.quiet && result.numBatches > 1)
    std::fprintf(stderr,
                 "sweep: %zu parameter sets in %zu batches of up to %zu "
                 "(%.1f MiB of output per batch)\n",
                 numSets, result.numBatches, batch,
                 double(batch * perSet) / double(1 << 20));

  const size_t totalTiles =
      result.numBatches == 0 ? 0 : (numSets + W - 1) / W;
  std::atomic<uint64_t> progress{0};
  bool showProgress = !options.quiet && isatty(STDERR_FILENO);
  uint64_t total = uint64_t(totalTiles) * result.steps;
  auto start = std::chrono::steady_clock::now();
  std::vector<unsigned char> data;
  auto finishBatch = [&](size_t first, size_t count) {
    // Means over nodes at the last sample, for the summary.
    for (size_t p = 0; p < count; ++p)
      for (size_t v = 0; v < numVars; ++v) {
        double sum = 0;
        for (size_t i = 0; i < result.numNodes; ++i) {
          size_t idx = ((p * result.numSamples + result.numSamples - 1) *
                            numVars + v) * result.numNodes + i;
          sum += info.precision == "f64"
                     ? reinterpret_cast<const double *>(data.data())[idx]
                     : reinterpret_cast<const float *>(data.data())[idx];
        }
        result.finalMeans[(first + p) * numVars + v] =
            sum / double(result.numNodes);
      }
    sink(first, count, data);
  };
  for (size_t first = 0; first < numSets; first += batch) {
    size_t count = std::min(batch, numSets - first);
    std::vector<std::vector<double>> batchSlots(slots.begin() + first,
                                                slots.begin() + first + count);
    data.assign(count * perSet, 0);
    if (gpu) {
      gpu->runBatch(info, edges, options, result, first, batchSlots, data,
                    progress);
      finishBatch(first, count);
      continue;
    }
    const size_t numTiles = (count + W - 1) / W;
    unsigned workers = std::min<unsigned>(threads, numTiles);
    std::atomic<size_t> nextTile{0};
    std::atomic<unsigned> finished{0};
    std::mutex errorMutex;
    std::string firstError;
    auto worker = [&]() {
      try {
        while (true) {
          size_t tile = nextTile.fetch_add(1);
          if (tile >= numTiles)
            break;
          if (info.precision == "f64")
            TileRunner<double>(info, edges, options, result, first,
                               batchSlots, data, progress)
                .run(tile);
          else
            TileRunner<float>(info, edges, options, result, first, batchSlots,
                              data, progress)
                .run(tile);
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
    finishBatch(first, count);
  }
  if (showProgress)
    std::fprintf(stderr, "\n");
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return result;
}
