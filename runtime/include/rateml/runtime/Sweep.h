//===- Sweep.h - Preparing and running a parameter sweep --------*- C++ -*-===//
//
// The two phases of a sweep: prepareSweep checks the options against the
// model and plans the result's shape (every backend and the reference start
// from it); SweepRun runs this rank's batches on a backend (Backend.h) and
// passes each batch's output on as soon as it is complete.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_SWEEP_H
#define RATEML_RUNTIME_SWEEP_H

#include "rateml/runtime/Backend.h"
#include "rateml/runtime/Cohort.h"
#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/ParamGrid.h"
#include "rateml/runtime/Ranks.h"
#include "rateml/runtime/SweepOptions.h"
#include "rateml/runtime/SweepResult.h"
#include <memory>

namespace rateml::runtime {

/// The parameter sets the options describe: named axes first (the first
/// varying slowest), then unnamed swept parameters with their XML range in
/// 4 points (RateML's default), or a CSV table. Axes and columns may also
/// name constants (a set's value overrides the model's) and `runParams`;
/// neither is swept unless named. Throws Error.
ParamTable buildParamTable(const ModelInfo &info, const SweepOptions &options,
                           const std::vector<RunParameter> &runParams = {});

/// Validates the options against the model and fills everything of a
/// result but its data: parameter table, steps, sampling and variable names.
/// Every backend and the reference start from this.
SweepResult prepareSweep(const ModelInfo &info, const Cohort &cohort,
                         const SweepOptions &options);

class SetSlots;

/// A sweep on the linked kernels, in two steps so that every rank learns of
/// bad input before any of them writes: the constructor checks every set's
/// conduction speed, picks the backend and plans this rank's share of the
/// sets (Ranks.h) in batches, throwing Error, and talks to no other rank
/// (one that fails leaves it early); run() runs the batches.
class SweepRun {
public:
  SweepRun(const ModelInfo &info, const Cohort &cohort,
           const SweepOptions &options, const SweepResult &prepared,
           const Ranks &ranks);
  ~SweepRun();
  SweepRun(const SweepRun &) = delete;
  SweepRun &operator=(const SweepRun &) = delete;

  /// Runs this rank's batches, handing each batch's output to `sink` as
  /// soon as it is complete, then combines what the summary shows across
  /// the ranks (on every rank). Throws Error, or Interrupted when `control`
  /// asks it to stop.
  SweepResult run(const BatchSink &sink, SweepControl *control = nullptr);

private:
  const ModelInfo &info;
  const SweepOptions &options;
  const Ranks &ranks;
  SweepResult result;
  std::vector<EdgeList> subjects;
  std::optional<size_t> subjectIndex;
  std::unique_ptr<SetSlots> setSlots;
  std::unique_ptr<SweepInputs> inputs;
  std::unique_ptr<Backend> backend;
  unsigned threads = 1;
  /// This rank's sets, and how many a batch holds.
  SetRanges share;
  size_t shareSets = 0, batch = 1;
  /// The output of one set (/data alone, and all of it).
  SetOutputBytes setBytes;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_SWEEP_H
