//===- Sweep.cpp - Running a parameter sweep batch by batch ---------------===//
//
// The pipeline: the parameter-level values of every set (checked before
// anything runs), the backend (--backend), the batch plan, then for each
// batch: the backend runs it, the analysis and the summary read it, the sink
// writes it. Progress is shown from here, whatever the backend.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Sweep.h"
#include "rateml/runtime/Backend.h"
#include "rateml/runtime/CpuBackend.h"
#include "rateml/runtime/CudaBackend.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/KernelABI.h"
#include "rateml/runtime/Limits.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <mutex>
#include <sched.h>
#include <thread>
#include <unistd.h>

using namespace rateml::runtime;

/// The values of any set of the table, computed one set at a time (the
/// setup kernel fills the derived slots), so that no list of all sets is
/// ever built: the kernels' slots, then the run parameters in the order of
/// SweepResult::runParams, then (models with regional values) the
/// node-level values of every node.
class rateml::runtime::SetSlots {
public:
  SetSlots(const ModelInfo &info, const SweepResult &result, size_t numNodes,
           const SweepOptions &options)
      : info(info), table(result.params), runParams(result.runParams),
        regional(result.regional), numNodes(numNodes), options(options) {
    for (const std::string &name : table.names)
      columnSlot.push_back(valueIndex(name));
    for (const RegionalInput &r : regional) {
      std::optional<unsigned> scale;
      for (size_t k = 0; k < runParams.size(); ++k)
        if (runParams[k].name == mapScaleName(r.name))
          scale = unsigned(info.numSlots + k);
      scaleIndex.push_back(scale);
    }
  }
  /// Everything a batch needs of set `set`.
  std::vector<double> operator()(size_t set) const {
    std::vector<double> slots = setLevel(set);
    appendNodeValues(slots);
    return slots;
  }
  /// The kernels' slots and the run parameters only, without the node-level
  /// values (N calls of rateml_node_setup) that the scan of speeds does not
  /// read.
  std::vector<double> setLevel(size_t set) const {
    std::vector<double> slots(info.numSlots + runParams.size(), 0.0);
    slots[kSlotDt] = options.dt;
    slots[kSlotNumNodes] = static_cast<double>(numNodes);
    for (const auto &c : info.constants) {
      auto it = options.constants.find(c.name);
      slots[c.slot] = it == options.constants.end() ? c.value : it->second;
    }
    for (size_t k = 0; k < runParams.size(); ++k)
      slots[info.numSlots + k] = runParams[k].value;
    const std::vector<double> values = table.row(set);
    for (size_t k = 0; k < values.size(); ++k)
      slots[columnSlot[k]] = values[k];
    MemRef1D desc = memref(slots.data(), info.numSlots);
    _mlir_ciface_rateml_setup(&desc);
    return slots;
  }

private:
  /// Appends the set's node-level values [N][num_node_slots] (what
  /// buildLaneArrays reads from the end of a set's values): each regional
  /// name's value at the node, then rateml_node_setup's derived ones.
  void appendNodeValues(std::vector<double> &slots) const {
    const size_t Q = info.numNodeSlots;
    if (Q == 0)
      return;
    std::vector<std::vector<double>> byName;
    for (size_t r = 0; r < regional.size(); ++r)
      byName.push_back(
          regionalNodeValues(regional[r], numNodes, slots[regional[r].slot],
                             scaleIndex[r] ? slots[*scaleIndex[r]] : 0.0));
    const size_t start = slots.size();
    slots.resize(start + numNodes * Q, 0.0);
    MemRef1D desc = memref(slots.data(), info.numSlots);
    for (size_t i = 0; i < numNodes; ++i) {
      double *node = slots.data() + start + i * Q;
      for (size_t r = 0; r < regional.size(); ++r)
        node[regional[r].nodeSlot] = byName[r][i];
      MemRef1D nodeDesc = memref(node, int64_t(Q));
      _mlir_ciface_rateml_node_setup(&desc, &nodeDesc);
    }
  }

  /// Where a column's value goes: a swept parameter's or constant's slot,
  /// or after the slots for a run parameter (buildParamTable checked the
  /// name).
  unsigned valueIndex(const std::string &name) const {
    for (const auto &p : info.params)
      if (p.name == name)
        return p.slot;
    for (const auto &c : info.constants)
      if (c.name == name)
        return c.slot;
    unsigned k = 0;
    while (runParams[k].name != name)
      ++k;
    return info.numSlots + k;
  }

  const ModelInfo &info;
  const ParamTable &table;
  const std::vector<RunParameter> &runParams;
  const std::vector<RegionalInput> &regional;
  /// Where each regional name's NAME.scale is in a set's values (--map).
  std::vector<std::optional<unsigned>> scaleIndex;
  size_t numNodes;
  const SweepOptions &options;
  std::vector<unsigned> columnSlot;
};

namespace {

/// Worker threads: --threads, else the CPUs this process may run on (all
/// unless taskset, a container's cpuset or an MPI launcher's binding of
/// each rank to its share of the cores says otherwise).
unsigned defaultThreads(const SweepOptions &options) {
  if (options.threads)
    return options.threads;
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) == 0)
    return unsigned(std::max(1, CPU_COUNT(&mask)));
  return std::max(1u, std::thread::hardware_concurrency());
}

/// The name of the parameter or constant in the conduction speed's slot.
std::string speedName(const ModelInfo &info) {
  for (const auto &p : info.params)
    if (p.slot == *info.speedSlot)
      return p.name;
  for (const auto &c : info.constants)
    if (c.slot == *info.speedSlot)
      return c.name;
  return "the conduction speed";
}

/// What the backends plan their memory from: the longest delays (those of
/// the slowest speed on any subject), the most edges of a subject, and
/// whether delay tables may differ (speeds or subjects). Every set's speed
/// is checked here, before anything runs; one pass, keeping of the sets
/// only, when `keys` is given (several ranks), their subject and speed.
struct DelayRange {
  int64_t maxHorizon = 1;
  size_t maxEdges = 0;
  bool delaysVary = false;
};

DelayRange scanDelays(const ModelInfo &info,
                      const std::vector<EdgeList> &subjects,
                      const SweepOptions &options, const ParamTable &table,
                      const SetSlots &setSlots,
                      std::optional<size_t> subjectIndex,
                      std::vector<std::pair<size_t, double>> *keys) {
  DelayRange range;
  range.delaysVary = subjects.size() > 1;
  for (const EdgeList &edges : subjects)
    range.maxEdges = std::max(range.maxEdges, edges.numEdges());
  if (!info.speedSlot && !keys)
    return range;
  double slowest = 0;
  for (size_t set = 0; set < table.size(); ++set) {
    const std::vector<double> values = setSlots.setLevel(set);
    const double speed = info.speedSlot ? values[*info.speedSlot] : 0.0;
    if (keys)
      keys->push_back({subjectOf(values, subjectIndex), speed});
    if (!info.speedSlot)
      continue;
    if (!(speed > 0) || !std::isfinite(speed)) {
      char value[32];
      std::snprintf(value, sizeof value, "%g", speed);
      throw Error(table.describe(set) + ": " + speedName(info) + " = " + value +
                  " is not a positive conduction speed (mm/ms)");
    }
    range.delaysVary |= set > 0 && speed != slowest;
    slowest = set == 0 ? speed : std::min(slowest, speed);
  }
  if (!info.speedSlot)
    return range;
  // Delays only grow as the speed falls.
  for (const EdgeList &edges : subjects)
    for (int32_t d : computeDelays(edges, slowest, options.dt))
      range.maxHorizon = std::max<int64_t>(range.maxHorizon, int64_t(d) + 1);
  return range;
}

/// The backend: a GPU when asked for or, with auto, when one is usable; on
/// the CPU otherwise, with a warning when a GPU was there but failed.
std::unique_ptr<Backend> selectBackend(const SweepInputs &inputs,
                                       unsigned threads, const Ranks &ranks) {
  const std::string &requested = inputs.options.backend;
  std::unique_ptr<CudaBackend> gpu;
  if (requested != "cpu") {
    std::string why;
    bool failedOnDevice = false;
    gpu = CudaBackend::open(inputs, why, failedOnDevice);
    if (!gpu && requested == "gpu")
      throw Error("--backend gpu: " + why);
    if (!gpu && failedOnDevice)
      std::fprintf(stderr,
                   "sweep: warning: %srunning on the CPU, the GPU "
                   "failed: %s\n",
                   rankText(ranks, ranks.rank()).c_str(), why.c_str());
  }
  // Made whichever runs: it checks --lanes, which is refused on any backend.
  auto cpu = std::make_unique<CpuBackend>(inputs, threads);
  if (gpu)
    return gpu;
  return cpu;
}

/// The progress line on a terminal, redrawn every 200 ms by a thread of its
/// own while the batches run; ended with a newline when destroyed (also
/// when a batch fails, before the error is printed).
class ProgressLine {
public:
  ProgressLine(bool show, const std::atomic<uint64_t> &done, size_t numSets,
               uint64_t steps)
      : done(done), numSets(numSets), steps(steps) {
    if (show)
      painter = std::thread([this] { paint(); });
  }
  ~ProgressLine() {
    if (!painter.joinable())
      return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopped = true;
    }
    wake.notify_one();
    painter.join();
    std::fprintf(stderr, "\n");
  }
  ProgressLine(const ProgressLine &) = delete;
  ProgressLine &operator=(const ProgressLine &) = delete;

private:
  void paint() {
    const uint64_t total = uint64_t(numSets) * steps;
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopped) {
      std::fprintf(stderr, "\rsweep: %5.1f%% of %zu sets x %llu steps",
                   total ? 100.0 * double(done.load()) / double(total) : 100.0,
                   numSets, (unsigned long long)steps);
      wake.wait_for(lock, std::chrono::milliseconds(200));
    }
  }

  const std::atomic<uint64_t> &done;
  size_t numSets;
  uint64_t steps;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopped = false;
  std::thread painter;
};

} // namespace

/// The mean over nodes of every variable at the last sample of the batch's
/// sets that the summary shows.
static void summariseLastSample(const ModelInfo &info, SweepResult &result,
                                const std::vector<size_t> &sets,
                                const std::vector<unsigned char> &data) {
  const size_t numVars = result.varNames.size(), N = result.numNodes;
  const size_t shown = numVars ? result.finalMeans.size() / numVars : 0;
  for (size_t p = 0; p < sets.size() && sets[p] < shown; ++p)
    for (size_t v = 0; v < numVars; ++v) {
      double sum = 0;
      for (size_t i = 0; i < N; ++i) {
        size_t idx =
            ((p * result.numSamples + result.numSamples - 1) * numVars + v) *
                N +
            i;
        sum += info.precision == "f64"
                   ? reinterpret_cast<const double *>(data.data())[idx]
                   : reinterpret_cast<const float *>(data.data())[idx];
      }
      result.finalMeans[sets[p] * numVars + v] = sum / double(N);
    }
}

/// FC, FCD variance and fits of every set of a batch, on `threads` threads.
static void analyseBatch(const SweepResult::BoldPlan &plan, size_t numNodes,
                         const std::vector<size_t> &subjects, unsigned threads,
                         BatchOutput &out) {
  const size_t count = subjects.size();
  out.fc.assign(count * numNodes * numNodes, 0.0);
  out.fcdVar.assign(count, 0.0);
  out.fcCorr.assign(count, 0.0);
  out.fcdKs.assign(count, 0.0);
  std::atomic<size_t> next{0};
  auto work = [&]() {
    for (size_t p; (p = next.fetch_add(1)) < count;) {
      SetAnalysis r =
          analyseSet(plan.analysis, subjects[p],
                     out.bold.data() + p * plan.numSamples * numNodes,
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

/// Keeps what the summary needs of a finished batch, whose sets `sets`
/// have the subjects `subjects`: the first sets' means and analysis
/// scalars, and which sets diverged.
static void recordBatch(const ModelInfo &info, SweepResult &result,
                        const std::vector<size_t> &sets,
                        const std::vector<size_t> &subjects, unsigned threads,
                        BatchOutput &out) {
  const size_t count = subjects.size();
  for (int64_t step : out.diverged)
    if (step >= 0) {
      ++result.divergedSets;
      if (result.firstDivergedStep < 0 || step < result.firstDivergedStep)
        result.firstDivergedStep = step;
    }
  if (result.storeData)
    summariseLastSample(info, result, sets, out.data);
  if (!result.bold)
    return;
  analyseBatch(*result.bold, result.numNodes, subjects, threads, out);
  for (size_t p = 0; p < count && sets[p] < result.fcdVar.size(); ++p) {
    result.fcdVar[sets[p]] = out.fcdVar[p];
    result.fcCorr[sets[p]] = out.fcCorr[p];
    result.fcdKs[sets[p]] = out.fcdKs[p];
  }
}

/// Combines across the ranks, in place, what the summary shows: every rank
/// computed the summary's values of the sets it `owned` only.
static void combineSummary(const Ranks &ranks, const std::vector<bool> &owned,
                           SweepResult &result) {
  if (ranks.size() == 1)
    return;
  const size_t numVars = result.varNames.size();
  std::vector<double> sums;
  auto add = [&](const std::vector<double> &values, size_t perSet) {
    for (size_t k = 0; k < values.size(); ++k)
      sums.push_back(owned[k / perSet] ? values[k] : 0.0);
  };
  add(result.finalMeans, std::max<size_t>(numVars, 1));
  add(result.fcdVar, 1);
  add(result.fcCorr, 1);
  add(result.fcdKs, 1);
  sums.push_back(double(result.divergedSets));
  sums.push_back(double(result.tiles));
  sums.push_back(double(result.blockedTiles));
  sums.push_back(double(result.longBlockTiles));
  ranks.combine(sums, Ranks::Op::Sum);
  size_t k = 0;
  for (std::vector<double> *values :
       {&result.finalMeans, &result.fcdVar, &result.fcCorr, &result.fcdKs})
    for (double &v : *values)
      v = sums[k++];
  result.divergedSets = size_t(sums[k++]);
  result.tiles = size_t(sums[k++]);
  result.blockedTiles = size_t(sums[k++]);
  result.longBlockTiles = size_t(sums[k++]);
  // The earliest divergence (-1: none), the slowest rank's times.
  std::vector<double> firsts = {result.firstDivergedStep < 0
                                    ? std::numeric_limits<double>::infinity()
                                    : double(result.firstDivergedStep)};
  ranks.combine(firsts, Ranks::Op::Min);
  result.firstDivergedStep = std::isinf(firsts[0]) ? -1 : int64_t(firsts[0]);
  std::vector<double> times = {result.seconds, result.gpuLoopSeconds};
  ranks.combine(times, Ranks::Op::Max);
  result.seconds = times[0];
  result.gpuLoopSeconds = times[1];
}

SweepRun::SweepRun(const ModelInfo &info, const Cohort &cohort,
                   const SweepOptions &options, const SweepResult &prepared,
                   const Ranks &ranks)
    : info(info), options(options), ranks(ranks), result(prepared) {
  for (const Connectome &connectome : cohort.subjects)
    subjects.push_back(makeEdgeList(connectome));
  for (size_t k = 0; k < result.runParams.size(); ++k)
    if (result.runParams[k].name == kSubjectParam)
      subjectIndex = info.numSlots + k;
  setSlots =
      std::make_unique<SetSlots>(info, result, cohort.numNodes(), options);
  const size_t numSets = result.params.size();
  std::vector<std::pair<size_t, double>> keys;
  const DelayRange delays =
      scanDelays(info, subjects, options, result.params, *setSlots,
                 subjectIndex, ranks.size() > 1 ? &keys : nullptr);
  // One step of a set costs about its nodes plus its subject's edges.
  std::vector<double> cost;
  for (const EdgeList &edges : subjects)
    cost.push_back(double(edges.numNodes + edges.numEdges()));
  share = ranks.size() > 1 ? shareOfSets(keys, cost, ranks.rank(), ranks.size())
                           : SetRanges{{0, numSets}};
  for (const auto &[first, last] : share)
    shareSets += last - first;
  inputs = std::make_unique<SweepInputs>(SweepInputs{
      info, subjects, subjectIndex, options, result, delays.maxHorizon,
      delays.maxEdges, delays.delaysVary, ranks.localRank()});
  threads = defaultThreads(options);
  backend = selectBackend(*inputs, threads, ranks);
  result.backend = backend->name();

  // The batch plan: what the host holds of a batch's output (the ranks on
  // a machine share its memory), then what the backend can hold of its
  // sets.
  setBytes = *setOutputBytes(info, result);
  BatchPlan plan;
  plan.memory = availableMemory() / ranks.localSize();
  plan.outputBytesPerSet = std::max<size_t>(1, setBytes.all);
  plan.threads = threads;
  plan.requested = options.batch;
  batch = std::max<size_t>(
      1, std::min(backend->batchSets(plan, std::max<size_t>(shareSets, 1)),
                  shareSets));
  result.batchSize = batch;
  result.numBatches = (shareSets + batch - 1) / batch;
  const size_t summarySets = std::min(numSets, SweepResult::kSummarySets);
  if (result.storeData)
    result.finalMeans.assign(summarySets * result.varNames.size(), 0.0);
  if (result.bold) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    result.fcdVar.assign(summarySets, nan);
    result.fcCorr.assign(summarySets, nan);
    result.fcdKs.assign(summarySets, nan);
  }
}

SweepRun::~SweepRun() = default;

SweepResult SweepRun::run(const BatchSink &sink, SweepControl *control) {
  // Collective, so not in the constructor, which a rank may leave early.
  result.rankBackends = ranks.gather(result.backend);
  if (!options.quiet && result.numBatches > 1)
    std::fprintf(stderr,
                 "sweep: %s%zu parameter sets in %zu batches of up to %zu "
                 "(%.1f MiB of output per batch)\n",
                 rankText(ranks, ranks.rank()).c_str(), shareSets,
                 result.numBatches, batch,
                 double(batch * std::max<size_t>(1, setBytes.all)) /
                     double(1 << 20));

  const size_t boldSamples = result.bold ? result.bold->numSamples : 0;
  SweepControl ownControl;
  SweepControl &progress = control ? *control : ownControl;
  auto start = std::chrono::steady_clock::now();
  {
    ProgressLine line(!options.quiet && isatty(STDERR_FILENO), progress.done,
                      shareSets, result.steps);
    BatchOutput out;
    std::vector<size_t> sets;
    auto runBatch = [&]() {
      std::vector<std::vector<double>> batchSlots;
      std::vector<size_t> subjectsOfSets;
      out.params.clear();
      for (size_t set : sets) {
        batchSlots.push_back((*setSlots)(set));
        subjectsOfSets.push_back(subjectOf(batchSlots.back(), subjectIndex));
        const std::vector<double> row = result.params.row(set);
        out.params.insert(out.params.end(), row.begin(), row.end());
      }
      out.diverged.assign(sets.size(), -1);
      out.data.assign(sets.size() * setBytes.data, 0);
      out.bold.assign(sets.size() * boldSamples * result.numNodes, 0.0);
      backend->runBatch(sets, batchSlots, out, progress);
      recordBatch(info, result, sets, subjectsOfSets, threads, out);
      sink(sets, out);
      sets.clear();
    };
    for (const auto &[first, last] : share)
      for (size_t set = first; set < last; ++set) {
        sets.push_back(set);
        if (sets.size() == batch)
          runBatch();
      }
    if (!sets.empty())
      runBatch();
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  backend->recordStatistics(result);
  std::vector<bool> owned(
      std::min(result.params.size(), SweepResult::kSummarySets));
  for (const auto &[first, last] : share)
    for (size_t set = first; set < std::min(last, owned.size()); ++set)
      owned[set] = true;
  combineSummary(ranks, owned, result);
  return result;
}
