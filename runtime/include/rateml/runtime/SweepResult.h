//===- SweepResult.h - The shape and output of a sweep ----------*- C++ -*-===//
//
// What a sweep produces: its shape (parameter table, steps, sampling,
// monitors, initial history), planned by prepareSweep before anything runs
// and shared by every backend, the monitors and the result writer, and the
// output of one batch of sets as it travels from a backend to the writer.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_SWEEPRESULT_H
#define RATEML_RUNTIME_SWEEPRESULT_H

#include "rateml/runtime/Analysis.h"
#include "rateml/runtime/Bold.h"
#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/ParamGrid.h"
#include "rateml/runtime/RegionalValues.h"
#include "rateml/runtime/Stimulus.h"
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rateml::runtime {

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
  /// The run parameters the options enabled; a set's values
  /// (SetValues) list them after the kernels' slots, in this order.
  std::vector<RunParameter> runParams;
  std::vector<std::string> varNames;
  size_t numSamples = 0, numNodes = 0;
  /// Raw samples every `every` steps (sample 0 = initial state), or, when
  /// `averaged`, means over windows of `every` steps (sample k covers steps
  /// k*every+1 .. (k+1)*every).
  uint64_t steps = 0, every = 1;
  bool averaged = false;
  std::optional<InitialHistory> initial;
  /// The regional names of the build with their --node-values and --map.
  std::vector<RegionalInput> regional;
  /// --stimulus, read and checked.
  std::optional<Stimulus> stimulus;
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
  /// What the summary shows of its first sets (kSummarySets at most): the
  /// mean over nodes of every variable at the last sample, [set][var]
  /// (empty without /data), and the per-set analysis scalars.
  static constexpr size_t kSummarySets = 8;
  std::vector<double> finalMeans, fcdVar, fcCorr, fcdKs;
  /// Sets in which a state became non-finite, and the earliest step at
  /// which one did (/diverged_step; -1 when none did).
  size_t divergedSets = 0;
  int64_t firstDivergedStep = -1;
  size_t numBatches = 0, batchSize = 0;
  /// "cpu" or "gpu: <device name>": this rank's, and every rank's in
  /// rank order (the root attribute `backend`, docs/cluster.md).
  std::string backend;
  std::vector<std::string> rankBackends;
  /// CPU tiles run, how many of them summed the coupling several steps per
  /// pass over the edges (kFlagBlocked), and how many of those the longer
  /// block of lanes with delays of their own (kFlagLongBlock).
  size_t tiles = 0, blockedTiles = 0, longBlockTiles = 0;
  /// Wall time of the whole sweep, and on the GPU of the batches' time
  /// loops alone (from the first launch to the last sample collected).
  double seconds = 0, gpuLoopSeconds = 0;
  /// Of `seconds` and after it: writing the file (the slowest rank's
  /// writes of its sets, then the metadata).
  double writeSeconds = 0;
};

/// Bytes of output per parameter set: of /data, and of everything (with
/// /bold and /fc). Both the checks of prepareSweep and the batch plan of
/// runSweep use it.
struct SetOutputBytes {
  uint64_t data = 0, all = 0;
};
/// std::nullopt when one set's output is past 2^64 bytes.
std::optional<SetOutputBytes> setOutputBytes(const ModelInfo &info,
                                             const SweepResult &result);

/// What a batch of sets produced; every array has the set slowest.
struct BatchOutput {
  /// [set][parameter]: the sets' rows of the parameter table.
  std::vector<double> params;
  /// [set]: /diverged_step, the steps done when a state of the set first
  /// became non-finite, or -1.
  std::vector<int64_t> diverged;
  /// [set][sample][var][node] in the kernel precision; empty without /data.
  std::vector<unsigned char> data;
  /// [set][BOLD sample][node] and [set][node][node].
  std::vector<double> bold, fc;
  /// [set]; NaN where not computed.
  std::vector<double> fcdVar, fcCorr, fcdKs;
};

/// Receives the output of sets [first, first + count).
/// Receives a finished batch: its sets' indices (ascending) and output.
using BatchSink = std::function<void(const std::vector<size_t> &sets,
                                     const BatchOutput &out)>;

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_SWEEPRESULT_H
