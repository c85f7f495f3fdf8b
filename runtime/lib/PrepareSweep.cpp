//===- PrepareSweep.cpp - Checking a sweep and planning its shape --------===//
//
// Everything that can be refused is refused here, before any kernel runs or
// any file is written: unknown names, impossible times, output that cannot
// be held, an initial history of the wrong shape.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Backend.h"
#include "rateml/runtime/ClosestName.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include "rateml/runtime/Npy.h"
#include "rateml/runtime/Sweep.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

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
  } else if (shape.size() == 3 && shape[0] >= 1 && shape[1] == h.numStates &&
             shape[2] == numNodes) {
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

/// The most rows of a CSV parameter table whose values (8 bytes each) fit
/// in half the available memory; a grid is never held, so only the noise
/// counters limit its sets.
static SetLimit parameterTableLimit(const ModelInfo &info) {
  const uint64_t perSet = 8 * std::max<uint64_t>(info.params.size(), 1);
  const uint64_t memory = availableMemory();
  const uint64_t fit = memory / 2 / perSet;
  if (fit >= kMaxSets)
    return {};
  return {fit, "the values of more sets do not fit in half the available "
               "memory (" +
                   formatBytes(memory) + "); split the table"};
}

ParamTable
rateml::runtime::buildParamTable(const ModelInfo &info,
                                 const SweepOptions &options,
                                 const std::vector<RunParameter> &runParams) {
  std::vector<std::string> swept, constants, run;
  for (const auto &p : info.params)
    swept.push_back(p.name);
  for (const auto &c : info.constants)
    constants.push_back(c.name);
  for (const RunParameter &r : runParams)
    run.push_back(r.name);
  auto hasName = [](const std::vector<std::string> &names,
                    const std::string &name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  auto checkName = [&](const std::string &name) {
    auto has = [&](const std::vector<std::string> &names) {
      return hasName(names, name);
    };
    if (has(constants) && options.constants.count(name))
      throw Error("'" + name + "' is both set (--set) and swept; give it " +
                  "one or the other");
    if (has(swept) || has(constants) || has(run))
      return;
    // Run parameters that exist once their option is given.
    const std::string suffix = ".scale";
    const bool scaled =
        name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    const std::string base =
        scaled ? name.substr(0, name.size() - suffix.size()) : "";
    if (name == kStimulusScale)
      throw Error("unknown parameter '" + name +
                  "': it exists with --stimulus STATE=FILE");
    if (name == kSubjectParam)
      throw Error("unknown parameter '" + name + "': it exists with " +
                  "several --connectivity (a cohort)");
    if (!base.empty() && (hasName(swept, base) || hasName(constants, base)))
      throw Error("unknown parameter '" + name + "': it exists with --map " +
                  base + "=FILE in a build made with rateml-compile " +
                  "--regional " + base);
    std::vector<std::string> all = swept;
    all.insert(all.end(), constants.begin(), constants.end());
    all.insert(all.end(), run.begin(), run.end());
    std::string known =
        "the model's swept parameters are: " + joinNames(swept) +
        (constants.empty() ? "" : "; its constants: " + joinNames(constants)) +
        (run.empty() ? "" : "; and " + joinNames(run));
    throw Error("unknown parameter '" + name + "' (" + known + ")" +
                didYouMean(name, all));
  };
  if (options.paramTable) {
    if (!options.axes.empty())
      throw Error("--param-table cannot be combined with --sweep or --values");
    ParamTable table =
        readParamTable(*options.paramTable, parameterTableLimit(info));
    for (const std::string &name : table.names)
      checkName(name);
    for (const std::string &name : swept)
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
    const std::vector<double> &values = axes.back().values;
    if (info.speedSlot == p.slot &&
        !(*std::min_element(values.begin(), values.end()) > 0))
      throw Error("the model's range of '" + p.name + "' (the conduction " +
                  "speed) includes speeds <= 0, which have no delays; give " +
                  "positive speeds with --sweep " + p.name +
                  "=LO:HI:COUNT or --values " + p.name + "=V1,V2,...");
  }
  return cartesianProduct(axes);
}

/// A target (--target-fc, --target-fcd) is given once for every set or
/// once per subject, in the order of --connectivity.
static void checkTargetCount(const std::string &option,
                             const std::vector<std::string> &paths,
                             size_t numSubjects) {
  if (paths.size() > 1 && paths.size() != numSubjects)
    throw Error(option + ": given " + std::to_string(paths.size()) +
                " times for " + std::to_string(numSubjects) +
                " subject(s); give it once for all or once per subject");
}

/// A cohort's subject (Cohort.h) is the run parameter `subject`: the
/// slowest axis of a grid unless --sweep or --values names it, a column of
/// a --param-table. Returns the options the parameter table is built from.
static SweepOptions withSubjects(const Cohort &cohort,
                                 const SweepOptions &options,
                                 SweepResult &result) {
  if (!cohort.several())
    return options;
  result.runParams.push_back({kSubjectParam, 0});
  SweepOptions withAxis = options;
  if (options.paramTable)
    return withAxis;
  for (const SweepAxis &axis : options.axes)
    if (axis.name == kSubjectParam)
      return withAxis;
  SweepAxis subjects{kSubjectParam, {}};
  for (size_t k = 0; k < cohort.subjects.size(); ++k)
    subjects.values.push_back(double(k));
  withAxis.axes.insert(withAxis.axes.begin(), std::move(subjects));
  return withAxis;
}

/// Refuses a subject that is not a 0-based index of --connectivity: a
/// named axis's value, or a table's (naming its line).
static void checkSubjects(const Cohort &cohort, const SweepOptions &options,
                          const ParamTable &table) {
  if (!cohort.several())
    return;
  const size_t count = cohort.subjects.size();
  auto isSubject = [&](double v) {
    return v >= 0 && v < double(count) && v == std::floor(v);
  };
  auto why = [&](double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return std::string(kSubjectParam) + " = " + text +
           " is not a subject (0-based, " + std::to_string(count) +
           " given with --connectivity)";
  };
  if (!options.paramTable) {
    for (const SweepAxis &axis : options.axes)
      if (axis.name == kSubjectParam)
        for (double v : axis.values)
          if (!isSubject(v))
            throw Error("--sweep/--values: " + why(v));
    return;
  }
  const auto column =
      std::find(table.names.begin(), table.names.end(), kSubjectParam);
  if (column == table.names.end())
    throw Error("parameter table '" + *options.paramTable +
                "' has no column '" + kSubjectParam + "' for the " +
                std::to_string(count) + " subjects of --connectivity");
  const size_t c = size_t(column - table.names.begin());
  for (size_t set = 0; set < table.size(); ++set)
    if (double v = table.row(set)[c]; !isSubject(v))
      throw Error(table.describe(set) + ": " + why(v));
}

/// Checks the BOLD and analysis options against the run and converts their
/// times to steps and BOLD samples (docs/analysis.md).
static SweepResult::BoldPlan planBold(const SweepOptions &options,
                                      const SweepResult &result,
                                      size_t numSubjects) {
  SweepResult::BoldPlan plan;
  auto var =
      std::find(result.varNames.begin(), result.varNames.end(), *options.bold);
  if (var == result.varNames.end())
    throw Error("--bold: '" + *options.bold +
                "' is not a recorded variable "
                "(recorded: " +
                joinNames(result.varNames) +
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
    if (numFcdWindows(plan.numSamples - a.firstSample, a.fcdWindow, a.fcdStep) <
        2)
      throw Error("--fcd-window: the " +
                  std::to_string(plan.numSamples - a.firstSample) +
                  " BOLD samples after the transient hold fewer than 2 "
                  "windows");
  } else if (options.fcdStep || !options.targetFcd.empty()) {
    throw Error("--fcd-step and --target-fcd need --fcd-window");
  }
  checkTargetCount("--target-fc", options.targetFc, numSubjects);
  checkTargetCount("--target-fcd", options.targetFcd, numSubjects);
  for (const std::string &path : options.targetFc)
    a.targetFcUpper.push_back(readTargetFc(path, result.numNodes));
  for (const std::string &path : options.targetFcd)
    a.targetFcdValues.push_back(readTargetFcd(path));
  return plan;
}

std::optional<SetOutputBytes>
rateml::runtime::setOutputBytes(const ModelInfo &info,
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
/// sweep's beyond 2^64 bytes or the free space where it is written.
static void checkOutputSize(const ModelInfo &info, const SweepResult &result,
                            const SweepOptions &options) {
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
  const std::optional<uint64_t> total =
      boundedProduct({result.params.size(), bytes->all});
  if (!total)
    throw Error("the output of the sweep exceeds 2^64 bytes");
  if (options.batch) {
    // The same check as the batch plan's, made before the disk's below.
    BatchPlan plan;
    plan.memory = memory;
    plan.outputBytesPerSet = std::max<uint64_t>(bytes->all, 1);
    plan.requested = options.batch;
    hostBatchSets(plan, result.params.size(), 1);
  }
  // Not a promise that the file fits (others write too), but a sweep whose
  // output cannot fit is refused before it runs for nothing.
  const std::optional<uint64_t> free = freeDiskBytes(options.output);
  if (free && *total > *free)
    throw Error("--output: the results (" + formatBytes(*total) +
                ") need more than the " + formatBytes(*free) +
                " free on the file system of '" + options.output +
                "'; sweep fewer sets, record fewer samples (--every, "
                "--tavg, --no-data) or write elsewhere");
}

SweepResult rateml::runtime::prepareSweep(const ModelInfo &info,
                                          const Cohort &cohort,
                                          const SweepOptions &options) {
  if (!(options.dt > 0) || !std::isfinite(options.dt))
    throw Error("--dt must be a positive number of ms");
  for (const auto &[name, value] : options.constants) {
    bool found = false;
    for (const auto &c : info.constants)
      found |= c.name == name;
    for (const auto &p : info.params)
      if (!found && p.name == name)
        throw Error("--set: '" + name + "' is a swept parameter; give it " +
                    "one value with --values " + name + "=VALUE");
    if (!found) {
      std::vector<std::string> names;
      for (const auto &c : info.constants)
        names.push_back(c.name);
      throw Error("--set: unknown constant '" + name + "' (the model's " +
                  "constants are: " + joinNames(names) + ")" +
                  didYouMean(name, names));
    }
  }
  SweepResult result;
  result.regional = loadRegionalInputs(info, options, cohort.numNodes());
  for (const RegionalInput &r : result.regional)
    if (!r.map.empty())
      result.runParams.push_back({mapScaleName(r.name), 0.0});
  // The stimulus's amplitude, sweepable once a stimulus is given.
  std::optional<size_t> stimulusScale;
  if (!options.stimulus.empty()) {
    stimulusScale = info.numSlots + result.runParams.size();
    result.runParams.push_back({kStimulusScale, 1.0});
  }
  const SweepOptions withAxes = withSubjects(cohort, options, result);
  result.params = buildParamTable(info, withAxes, result.runParams);
  checkSubjects(cohort, withAxes, result.params);
  if (options.setOffset > kMaxSets - result.params.size())
    throw Error("--set-offset: " + std::to_string(options.setOffset) + " + " +
                std::to_string(result.params.size()) +
                " sets passes 2^32, the most sets the noise key numbers");
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
  result.numNodes = cohort.numNodes();
  if (options.recordStates)
    for (const auto &s : info.states)
      result.varNames.push_back(s.name);
  else
    result.varNames = info.exposures;
  if (options.initial)
    result.initial =
        loadInitialHistory(*options.initial, info, cohort.numNodes());
  if (stimulusScale) {
    result.stimulus =
        loadStimulus(options.stimulus, info, cohort.numNodes(), result.steps);
    result.stimulus->scaleSlot = *stimulusScale;
  }
  result.storeData = options.storeData;
  if (options.bold)
    result.bold = planBold(options, result, cohort.subjects.size());
  else if (options.boldTr || options.boldDt || !options.boldConstants.empty() ||
           options.fcTransient || options.fcdWindow || options.fcdStep ||
           !options.targetFc.empty() || !options.targetFcd.empty())
    throw Error("the BOLD and FC/FCD options need --bold VAR (the variable "
                "that drives the BOLD signal)");
  if (!options.storeData && !options.bold)
    throw Error("--no-data without --bold would compute nothing");
  checkOutputSize(info, result, options);
  return result;
}
