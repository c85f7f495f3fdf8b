//===- Sweep.h - Preparing and running a parameter sweep --------*- C++ -*-===//
//
// The two phases of a sweep: prepareSweep checks the options against the
// model and plans the result's shape (every backend and the reference start
// from it); runSweep runs the batches on a backend (Backend.h) and passes
// each batch's output on as soon as it is complete.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_SWEEP_H
#define RATEML_RUNTIME_SWEEP_H

#include "rateml/runtime/Backend.h"
#include "rateml/runtime/Cohort.h"
#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/ParamGrid.h"
#include "rateml/runtime/SweepOptions.h"
#include "rateml/runtime/SweepResult.h"

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

/// Runs the sweep with the linked kernels, batch by batch, handing each
/// batch's output to `sink` as soon as it is complete. Throws Error on bad
/// input, Interrupted when `control` asks it to stop.
SweepResult runSweep(const ModelInfo &info, const Cohort &cohort,
                     const SweepOptions &options, const SweepResult &prepared,
                     const BatchSink &sink, SweepControl *control = nullptr);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_SWEEP_H
