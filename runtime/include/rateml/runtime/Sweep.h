//===- Sweep.h - Running a parameter sweep on the CPU -----------*- C++ -*-===//
//
// The options of a sweep and the driver that runs the compiled kernels over
// tiles of parameter sets on all cores, following docs/simulation.md.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_SWEEP_H
#define RATEML_RUNTIME_SWEEP_H

#include "rateml/runtime/Analysis.h"
#include "rateml/runtime/Bold.h"
#include "rateml/runtime/Connectome.h"
#include "rateml/runtime/KernelABI.h"
#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/ParamGrid.h"
#include <cstdint>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace rateml::runtime {

struct SweepOptions {
  std::string connectivity = "builtin";
  double dt = 0.1;
  std::optional<uint64_t> steps;
  std::optional<double> duration;
  /// --sweep / --values in the order given.
  std::vector<SweepAxis> axes;
  /// RateML's -s0 N -s1 M ...: points per swept parameter, by index.
  std::map<unsigned, size_t> pointsByIndex;
  std::optional<std::string> paramTable;
  /// --initial FILE.npy: (states, nodes) or (T, states, nodes).
  std::optional<std::string> initial;
  std::map<std::string, double> constants;
  uint64_t seed = 0;
  bool heun = true;
  bool noise = true;
  bool recordStates = false;
  std::optional<uint64_t> every;
  /// Window averages over this many ms instead of raw samples.
  std::optional<double> tavg;
  std::string output = "results.h5";
  /// Whether /data is written (--no-data: only BOLD and its analysis).
  bool storeData = true;
  /// --bold VAR: the BOLD signal driven by this recorded variable, its
  /// sampling period and integration step (ms), and constants
  /// (docs/analysis.md).
  std::optional<std::string> bold;
  std::optional<double> boldTr, boldDt;
  std::map<std::string, double> boldConstants;
  /// FC and FCD skip this many ms of BOLD; FCD windows and their step (ms).
  std::optional<double> fcTransient, fcdWindow, fcdStep;
  /// Empirical FC / FCD to fit.
  std::optional<std::string> targetFc, targetFcd;
  unsigned threads = 0;
  /// Parameter sets per CPU tile: 0 chooses between the kernels' two lane
  /// counts (chooseCpuLanes), else one of them.
  unsigned lanes = 0;
  /// Parameter sets simulated and written per batch (default: planned from
  /// the memory available).
  std::optional<size_t> batch;
  /// auto (the GPU when one is usable, else the CPU), cpu or gpu.
  std::string backend = "auto";
  bool quiet = false;
};

/// A user-supplied initial state or history, [rows][states][nodes]; the
/// last row is t = 0, a single row is a constant history.
struct InitialHistory {
  size_t rows = 0, numStates = 0, numNodes = 0;
  std::vector<double> values;

  /// The value of state `s` of node `i` at step -k (k >= 0).
  double at(size_t k, size_t s, size_t i) const {
    size_t row = rows == 1 ? 0 : rows - 1 - k;
    return values[(row * numStates + s) * numNodes + i];
  }
  /// Throws Error unless the history covers a horizon of `h` steps.
  void checkHorizon(int64_t h) const;
};

/// Reads and checks --initial against the model and the connectome.
InitialHistory loadInitialHistory(const std::string &path,
                                  const ModelInfo &info, size_t numNodes);

/// Everything a finished sweep produced.
struct SweepResult {
  ParamTable params;
  std::vector<std::string> varNames;
  size_t numSamples = 0, numNodes = 0;
  /// Raw samples every `every` steps (sample 0 = initial state), or, when
  /// `averaged`, means over windows of `every` steps (sample k covers steps
  /// k*every+1 .. (k+1)*every).
  uint64_t steps = 0, every = 1;
  bool averaged = false;
  std::optional<InitialHistory> initial;
  bool storeData = true;
  /// The BOLD monitor and what is computed from it, when --bold is given.
  struct BoldPlan {
    /// Index of the driving variable among varNames.
    size_t var = 0;
    /// The hemodynamic model advances every `integrateEvery` steps, driven
    /// by the mean of the variable over them; BOLD is sampled every
    /// `sampleEvery` steps (a multiple), numSamples times.
    uint64_t integrateEvery = 1, sampleEvery = 1;
    size_t numSamples = 0;
    /// integrateEvery steps in seconds, the hemodynamic model's time unit.
    double stepSeconds = 0;
    BalloonWindkessel model;
    AnalysisConfig analysis;
  };
  std::optional<BoldPlan> bold;
  /// Whether the monitors use sums over steps (window means, BOLD).
  bool monitorsSum() const { return (storeData && averaged) || bold; }
  /// The mean over nodes of every variable at the last sample, [set][var]
  /// (empty without /data), and the per-set analysis scalars.
  std::vector<double> finalMeans, fcdVar, fcCorr, fcdKs;
  size_t numBatches = 0, batchSize = 0;
  /// "cpu" or "gpu: <device name>".
  std::string backend;
  /// CPU tiles run, and how many of them summed the coupling several steps
  /// per pass over the edges (kFlagBlocked).
  size_t tiles = 0, blockedTiles = 0;
  /// Wall time of the whole sweep, and on the GPU of the batches' time
  /// loops alone (from the first launch to the last sample collected).
  double seconds = 0, gpuLoopSeconds = 0;
};

/// What a batch of sets produced; every array has the set slowest.
struct BatchOutput {
  /// [set][sample][var][node] in the kernel precision; empty without /data.
  std::vector<unsigned char> data;
  /// [set][BOLD sample][node] and [set][node][node].
  std::vector<double> bold, fc;
  /// [set]; NaN where not computed.
  std::vector<double> fcdVar, fcCorr, fcdKs;
};

/// Receives the output of sets [first, first + count).
using BatchSink =
    std::function<void(size_t first, size_t count, const BatchOutput &out)>;

/// Writes a sweep's HDF5 file (docs/sweep.md) as batches arrive, under a
/// temporary name that finish() renames: an interrupted run never leaves a
/// file that looks complete. Unfinished files are removed.
class ResultWriter {
public:
  ResultWriter(const std::string &path, const ModelInfo &info,
               const SweepResult &shape);
  ~ResultWriter();
  ResultWriter(const ResultWriter &) = delete;
  ResultWriter &operator=(const ResultWriter &) = delete;

  void writeSets(size_t first, size_t count, const BatchOutput &out);
  void finish(const ModelInfo &info, const Connectome &connectome,
              const SweepOptions &options, const SweepResult &result);

private:
  /// A dataset whose first dimension is the parameter set.
  struct PerSet {
    long long id = -1, type;
    std::vector<unsigned long long> dims;
  };
  void create(PerSet &set, const char *name, long long type,
              std::vector<unsigned long long> dims);
  void write(PerSet &set, size_t first, size_t count, const void *values);

  std::string path, partial;
  long long file = -1;
  PerSet data, bold, fc, fcdVar, fcCorr, fcdKs;
};

/// Throws Error unless a result file can be written at `path` (--output):
/// not empty, not an existing directory or other non-file, and a new file
/// can be created next to it (a probe, removed at once). Run before any
/// work, so that a run does not fail only at its final rename.
void checkOutputPath(const std::string &path);

/// The parameter sets the options describe: named axes first (the first
/// varying slowest), then unnamed swept parameters with their XML range in
/// 4 points (RateML's default), or a CSV table. Throws Error.
ParamTable buildParamTable(const ModelInfo &info, const SweepOptions &options);

/// Validates the options against the model and fills everything of a
/// result but its data: parameter table, steps, sampling and variable names.
/// Every backend and the reference start from this.
SweepResult prepareSweep(const ModelInfo &info, const Connectome &connectome,
                         const SweepOptions &options);

struct EdgeList;

/// The arrays of L parameter sets laid out for the kernels (set fastest):
/// what a CPU tile (L = lanes) and a GPU batch (L = sets) start from.
template <typename T> struct LaneArrays {
  size_t lanes = 0;
  std::vector<T> params, state, history, weights, coupling, out;
  std::vector<int32_t> delays, rowStart, sources;
  /// Rows of the history ring, and of one history series: the ring, then
  /// copies of its first rows (blocked CPU kernels, docs/kernel-abi.md).
  int64_t horizon = 1, historyRows = 1;
  bool sharedDelays = true;
  int32_t flags = 0;

  /// Descriptors of the arrays, as the kernels take them.
  struct Views {
    MemRef1D params, state, history, delays, rowStart, sources, weights,
        coupling, out;
  };
  Views views() {
    auto view = [](auto &v) { return memref(v.data(), int64_t(v.size())); };
    return {view(params),   view(state),   view(history),
            view(delays),   view(rowStart), view(sources),
            view(weights),  view(coupling), view(out)};
  }
};

/// Builds the arrays for sets whose parameter-level slots are `laneSlots`
/// and whose global indices (keys of the initial draws) are `laneSets`;
/// each history series ends with copies of the ring's first `copiedRows`
/// rows (the model's block - 1 for CPU kernels, 0 on the GPU). Without
/// `withHistory` the history is left empty, for a caller that fills it one
/// series at a time (fillHistorySeries).
template <typename T>
LaneArrays<T> buildLaneArrays(
    const ModelInfo &info, const EdgeList &edges, const SweepOptions &options,
    const InitialHistory *initial,
    const std::vector<const std::vector<double> *> &laneSlots,
    const std::vector<size_t> &laneSets, size_t copiedRows, bool withHistory);

/// Writes the a.historyRows x a.lanes values of history series (channel
/// `c`, node `i`) of the sets of `a` (same arguments as buildLaneArrays)
/// into `series`.
template <typename T>
void fillHistorySeries(const ModelInfo &info, const SweepOptions &options,
                       const InitialHistory *initial,
                       const std::vector<size_t> &laneSets,
                       const LaneArrays<T> &a, size_t numNodes, size_t c,
                       size_t i, T *series);

/// The monitors of a sweep (TVB's term): turn snapshots of the recorded
/// variables of `lanes` sets (laid out [var][node][set], as the kernels
/// leave them) into a batch's output: raw samples every `every` steps or
/// window means with --tavg, and the BOLD signal. Memory is O(sets x nodes)
/// beyond the output itself. The CPU tiles and the GPU batches share it.
template <typename T> class Monitors {
public:
  /// Lanes [0, rows) are written as the batch's sets firstRow, ...
  Monitors(const SweepResult &shape, size_t numNodes, size_t lanes,
           size_t firstRow, size_t rows, BatchOutput &out);

  /// Whether the state after `done` steps is wanted by a monitor.
  bool wants(uint64_t done) const {
    return dataWants(done) || (shape.bold && done > 0);
  }
  /// Whether add(done) needs the recorded values themselves (raw samples)
  /// when the caller passes sums (shape.monitorsSum()).
  bool wantsValue(uint64_t done) const {
    return dataWants(done) && !shape.averaged;
  }
  /// Steps between snapshots for a caller that passes sums: the windows'
  /// common divisor (also a divisor of `every` for raw samples), so each
  /// sum covers steps of one window only.
  uint64_t summedStride() const {
    uint64_t stride = shape.storeData ? shape.every : 0;
    if (shape.bold)
      stride = std::gcd(stride, shape.bold->integrateEvery);
    return stride;
  }
  /// Takes the recorded variables after `done` steps, when wants(done).
  /// Without `sum`, `snapshot` holds their values and add() is called after
  /// every step while shape.monitorsSum(). With `sum` (GPU), that holds their
  /// float64 sums over the steps since the previous add(), and `snapshot`
  /// their values when wantsValue(done) (else it may be null).
  void add(const T *snapshot, uint64_t done, const double *sum = nullptr);

private:
  bool dataWants(uint64_t done) const {
    return shape.storeData &&
           (shape.averaged ? done > 0 : done % shape.every == 0);
  }
  template <typename ValueAt> void emit(ValueAt valueAt);
  template <typename ValueAt> void addBold(ValueAt valueAt, uint64_t done);

  const SweepResult &shape;
  size_t numVars, numNodes, lanes, firstRow, rows, sample = 0,
      boldSample = 0;
  BatchOutput &out;
  std::vector<double> windowSum, boldSum;
  std::vector<BalloonWindkessel::State> hemodynamics;
};

/// Runs the sweep with the linked kernels, batch by batch, handing each
/// batch's output to `sink` as soon as it is complete. Throws Error on bad
/// input.
SweepResult runSweep(const ModelInfo &info, const Connectome &connectome,
                     const SweepOptions &options, const SweepResult &prepared,
                     const BatchSink &sink);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_SWEEP_H
