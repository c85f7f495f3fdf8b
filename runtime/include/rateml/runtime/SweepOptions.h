//===- SweepOptions.h - What the user asked a sweep for ---------*- C++ -*-===//
//
// The options of a sweep as parsed from the command line (docs/sweep.md),
// before any check against the model: the command line fills them, and
// prepareSweep, the backends and the result writer read them.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_SWEEPOPTIONS_H
#define RATEML_RUNTIME_SWEEPOPTIONS_H

#include "rateml/runtime/ParamGrid.h"
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rateml::runtime {

struct SweepOptions {
  /// --connectivity in the order given, @lists unexpanded (Cohort.h); none
  /// is builtin.
  std::vector<std::string> connectivity;
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
  /// --node-values NAME=FILE and --map NAME=FILE, by name (RegionalValues.h).
  std::map<std::string, std::string> nodeValues, maps;
  /// --stimulus STATE=FILE, in the order given.
  std::vector<std::pair<std::string, std::string>> stimulus;
  uint64_t seed = 0;
  /// --set-offset: set k of this sweep draws its noise and initial states
  /// as set setOffset + k, so that a sweep split into parts (a fit's
  /// population across MPI ranks) draws what the whole would.
  uint64_t setOffset = 0;
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
  /// Empirical FC / FCD to fit: one for every set, or one per subject.
  std::vector<std::string> targetFc, targetFcd;
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

/// The set index that keys set `set`'s noise and initial-state draws
/// (Philox.h): its index plus --set-offset, modulo 2^32 (kMaxSets;
/// prepareSweep refuses an offset that would wrap).
inline uint32_t setKey(const SweepOptions &options, uint64_t set) {
  return uint32_t(options.setOffset + set);
}

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_SWEEPOPTIONS_H
