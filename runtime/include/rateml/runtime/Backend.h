//===- Backend.h - Where the batches of a sweep run -------------*- C++ -*-===//
//
// runSweep (Sweep.h) cuts a sweep into batches and hands each to a Backend,
// which runs the kernels over it: CpuBackend (tiles on a pool of worker
// threads) or CudaBackend (one set per GPU thread). What depends on where
// the sets run stays behind this interface: the kernels, the memory a batch
// needs beyond its host output, and how the work is spread. Adding a
// backend: docs/architecture.md.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_BACKEND_H
#define RATEML_RUNTIME_BACKEND_H

#include "rateml/runtime/Cohort.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/SweepOptions.h"
#include "rateml/runtime/SweepResult.h"
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rateml::runtime {

/// What every batch of a sweep reads; fixed for the whole sweep.
struct SweepInputs {
  const ModelInfo &info;
  /// The edges of every subject (Cohort.h); all have the same nodes.
  const std::vector<EdgeList> &subjects;
  /// Where a set's values hold its subject (none with one subject).
  std::optional<size_t> subjectIndex;
  const SweepOptions &options;
  /// The prepared result: steps, sampling, monitors, initial history.
  const SweepResult &shape;
  /// History rows of the set with the longest delays, the most edges of a
  /// subject, and whether the sets' delay tables may differ (conduction
  /// speeds or subjects).
  int64_t maxHorizon = 1;
  size_t maxEdges = 0;
  bool delaysVary = false;
  /// This process among the ranks on its machine: the GPU it takes.
  unsigned localRank = 0;

  /// The edges of the set whose values are `values`.
  const EdgeList &edgesOf(const std::vector<double> &values) const {
    return subjects[subjectOf(values, subjectIndex)];
  }
};

/// What the caller of a sweep shares with it while it runs (the Python
/// package: a progress bar, Ctrl-C): the set-steps done, and a request to
/// stop, which the backends check between steps and answer by throwing
/// Interrupted.
struct SweepControl {
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
};

/// The host side of a batch plan: each batch's output is held in memory
/// until it is written.
struct BatchPlan {
  /// Memory available, and the output of one set (at least 1 byte).
  size_t memory = 0, outputBytesPerSet = 1;
  /// Worker threads of the sweep.
  unsigned threads = 1;
  /// --batch, when given.
  std::optional<size_t> requested;
};

/// The sets of one batch as host memory allows: --batch when given (Error
/// when 0 or when its output exceeds the memory), else whole multiples of
/// `granule` in a quarter of the memory but at least granule x threads;
/// never more than fits in all of it.
size_t hostBatchSets(const BatchPlan &plan, size_t numSets, size_t granule);

class Backend {
public:
  virtual ~Backend() = default;

  /// How the summary names it: "cpu, 16 sets per tile", "gpu: <device>".
  virtual std::string name() const = 0;
  /// The most sets one batch may hold under `plan` (at least 1, before
  /// limiting to the sweep's sets); throws Error when not one fits.
  virtual size_t batchSets(const BatchPlan &plan, size_t numSets) = 0;
  /// Runs the sets `sets` (indices into the sweep, which key their noise)
  /// whose parameter-level values are `slots`, writing their output into
  /// `out` (in the order of `sets`, arrays allocated by the caller), adding
  /// to control.done the set-steps done as they are done; throws
  /// Interrupted soon after control.stop is set.
  virtual void runBatch(const std::vector<size_t> &sets,
                        const std::vector<std::vector<double>> &slots,
                        BatchOutput &out, SweepControl &control) = 0;
  /// Records what the summary reports of this backend's work (tiles, the
  /// GPU's loop time) in `result`.
  virtual void recordStatistics(SweepResult &result) const = 0;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_BACKEND_H
