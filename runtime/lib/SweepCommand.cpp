//===- SweepCommand.cpp - The sweep.bin command as a function -------------===//
//
// Parses the command line, loads the connectome, runs the sweep, writes the
// HDF5 file and prints a short summary: all of sweep.bin, callable from
// its main() and, in a model's library, from the Python package. Bad input:
// a one-line message and status 2, with no output file.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/SweepCommand.h"
#include "rateml/runtime/CommandLine.h"
#include "rateml/runtime/CpuFeatures.h"
#include "rateml/runtime/CudaBackend.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/KernelABI.h"
#include "rateml/runtime/Ranks.h"
#include "rateml/runtime/ResultWriter.h"
#include "rateml/runtime/Sweep.h"
#include "rateml/runtime/Version.h"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <unistd.h>

using namespace rateml::runtime;

namespace {
/// Where the sweep ran: the connectome and its edges, or a cohort's size.
std::string networkText(const Cohort &cohort) {
  const Connectome &first = cohort.subjects.front();
  size_t edges = 0;
  for (double w : first.weights)
    edges += w != 0.0;
  if (!cohort.several())
    return first.source + " (" + std::to_string(first.numNodes) + " nodes, " +
           std::to_string(edges) + " edges)";
  return std::to_string(cohort.subjects.size()) + " subjects (" +
         std::to_string(first.numNodes) + " nodes each)";
}

/// Where the sets ran: the backend, or every rank's.
std::string backendText(const SweepResult &result) {
  const std::vector<std::string> &all = result.rankBackends;
  if (all.size() <= 1)
    return result.backend;
  std::string text = std::to_string(all.size()) + " MPI ranks, ";
  if (std::all_of(all.begin(), all.end(),
                  [&](const std::string &b) { return b == all.front(); }))
    return text + "each " + all.front();
  for (size_t r = 0; r < all.size(); ++r)
    text += (r ? "; " : "") + std::to_string(r) + ": " + all[r];
  return text;
}

void printSummary(const ModelInfo &info, const Cohort &cohort,
                  const SweepOptions &options, const SweepResult &result) {
  size_t numSets = result.params.size();
  double pss =
      double(numSets) * double(result.steps) / std::max(result.seconds, 1e-9);
  std::string stimulus;
  for (const auto &[state, path] : options.stimulus)
    stimulus += (stimulus.empty() ? ", stimulus on " : ", ") + state;
  std::printf("%s: %zu parameter sets x %llu steps (dt %g ms) on %s, %s, "
              "%s%s%s; %s\n",
              info.model.c_str(), numSets, (unsigned long long)result.steps,
              options.dt, networkText(cohort).c_str(), info.precision.c_str(),
              options.heun ? "heun" : "euler",
              info.noiseSlot && options.noise ? ", noise" : "",
              stimulus.c_str(), backendText(result).c_str());
  if (info.block > 1 && result.tiles) {
    std::printf("coupling summed %u steps per pass over the edges in %zu of "
                "%zu tiles",
                info.block, result.blockedTiles, result.tiles);
    if (result.longBlockTiles)
      std::printf(" (%u steps in %zu of them, whose sets have delays of "
                  "their own)",
                  info.laneBlock, result.longBlockTiles);
    std::printf("\n");
  }
  std::printf("%.3f s, %.3g parameter-set steps/s; wrote %s:", result.seconds,
              pss, options.output.c_str());
  if (result.storeData)
    std::printf(" /data %zu x %zu x %zu x %zu", numSets, result.numSamples,
                result.varNames.size(), result.numNodes);
  if (result.bold)
    std::printf("%s /bold %zu x %zu x %zu, /fc", result.storeData ? "," : "",
                numSets, result.bold->numSamples, result.numNodes);
  std::printf("\n");
  if (result.rankBackends.size() > 1)
    std::printf("mpi: %.3f s writing the file (%.1f%% of the run)\n",
                result.writeSeconds,
                100.0 * result.writeSeconds / std::max(result.seconds, 1e-9));
  // The rest is setting up batches (host arrays, uploads) and output.
  if (result.gpuLoopSeconds > 0)
    std::printf("gpu: %.3f s in the time loops, %.3g parameter-set steps/s\n",
                result.gpuLoopSeconds,
                double(numSets) * double(result.steps) / result.gpuLoopSeconds);

  // Per-set columns: the parameters, the last sample's node means, and the
  // analysis scalars that were computed.
  std::vector<std::pair<std::string, const std::vector<double> *>> scalars;
  if (result.bold && result.bold->analysis.fcdWindow)
    scalars.push_back({"fcd_var", &result.fcdVar});
  if (result.bold && !result.bold->analysis.targetFcUpper.empty())
    scalars.push_back({"fc_corr", &result.fcCorr});
  if (result.bold && result.bold->analysis.fcdWindow &&
      !result.bold->analysis.targetFcdValues.empty())
    scalars.push_back({"fcd_ks", &result.fcdKs});
  std::printf("%5s", "set");
  for (const std::string &name : result.params.names)
    std::printf(" %16s", name.c_str());
  const size_t numMeans = result.storeData ? result.varNames.size() : 0;
  for (size_t v = 0; v < numMeans; ++v)
    std::printf(" %12s", ("mean " + result.varNames[v]).c_str());
  for (const auto &column : scalars)
    std::printf(" %12s", column.first.c_str());
  std::printf(numMeans ? "   (means: last sample, over nodes)\n" : "\n");
  size_t shown = std::min(numSets, SweepResult::kSummarySets);
  for (size_t p = 0; p < shown; ++p) {
    std::printf("%5zu", p);
    for (double v : result.params.row(p))
      std::printf(" %16.6g", v);
    for (size_t v = 0; v < numMeans; ++v)
      std::printf(" %12.6g", result.finalMeans[p * numMeans + v]);
    for (const auto &column : scalars)
      std::printf(" %12.6g", (*column.second)[p]);
    std::printf("\n");
  }
  if (shown < numSets)
    std::printf("  ... %zu more\n", numSets - shown);
  if (result.divergedSets)
    std::printf("%zu of %zu sets diverged (the first at t = %g ms); see "
                "/diverged_step\n",
                result.divergedSets, numSets,
                double(result.firstDivergedStep) * options.dt);
}
} // namespace

/// The failure of `e` as the call reports it.
static void recordFailure(RatemlSweepCall *call) {
  try {
    throw;
  } catch (const Interrupted &e) {
    call->errorKind = RatemlSweepCall::kInterrupted;
    call->error = e.what();
  } catch (const MissingFile &e) {
    call->errorKind = RatemlSweepCall::kMissingFile;
    call->error = e.what();
  } catch (const std::exception &e) {
    call->errorKind = RatemlSweepCall::kBadInput;
    call->error = e.what();
  }
}

/// After every rank checked the input: true when all may go on. Otherwise
/// `call` holds the error every rank reports: the message all gave, or the
/// first failing rank's.
static bool agreeToRun(const Ranks &ranks, RatemlSweepCall *call) {
  if (ranks.size() == 1)
    return call->errorKind == RatemlSweepCall::kNone;
  const std::vector<std::string> errors = ranks.gather(call->error);
  bool any = false, same = true;
  for (const std::string &e : errors) {
    any |= !e.empty();
    same &= e == errors.front();
  }
  if (!any)
    return true;
  if (!same)
    for (unsigned r = 0; r < errors.size(); ++r)
      if (!errors[r].empty()) {
        call->errorKind = RatemlSweepCall::kBadInput;
        call->error = rankText(ranks, r) + errors[r];
        break;
      }
  return false;
}

int rateml::runtime::runSweepCommand(int argc, const char *const *argv,
                                     RatemlSweepCall *call,
                                     const Ranks &ranks) {
  ModelInfo info;
  SweepOptions options;
  Cohort cohort;
  SweepResult prepared;
  std::unique_ptr<SweepRun> run;
  try {
    info = parseModelInfo(rateml_model_json);
    if (rateml_model_json_narrow && _mlir_ciface_rateml_step_narrow &&
        _mlir_ciface_rateml_exposures_narrow)
      info.narrowLanes = parseModelInfo(rateml_model_json_narrow).lanes;
    switch (parseCommandLine(argc, argv, options)) {
    case CommandLineAction::Help: {
      if (ranks.rank() != 0)
        return 0;
      // In one write: past stdout's 4 KiB buffer a second, later write gets
      // SIGPIPE when the reader stopped early (`sweep.bin --help | head`).
      const std::string text = helpText(info, CudaBackend::embeddedKernels());
      std::cout.flush();
      for (size_t done = 0; done < text.size();) {
        ssize_t n =
            ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
        if (n <= 0)
          break;
        done += size_t(n);
      }
      return 0;
    }
    case CommandLineAction::Version:
      if (ranks.rank() == 0)
        std::cout << "sweep.bin for " << info.model << " (rateml "
                  << rateml_runtime_version() << ")\n";
      return 0;
    case CommandLineAction::Run:
      break;
    }
    // Progress and the summary come from rank 0.
    options.quiet |= ranks.rank() != 0;
    checkCpuFeatures(rateml_target_features);
    checkOutputPath(options.output);
    cohort = loadCohort(options.connectivity);
    prepared = prepareSweep(info, cohort, options);
    call->total = uint64_t(prepared.params.size()) * prepared.steps;
    run = std::make_unique<SweepRun>(info, cohort, options, prepared, ranks);
  } catch (...) {
    recordFailure(call);
  }
  if (!agreeToRun(ranks, call))
    return 2;
  try {
    using Clock = std::chrono::steady_clock;
    ResultWriter writer(options.output, info, prepared, ranks);
    double writing = 0;
    SweepResult result = run->run(
        [&](const std::vector<size_t> &sets, const BatchOutput &out) {
          const auto start = Clock::now();
          writer.writeSets(sets, out);
          writing +=
              std::chrono::duration<double>(Clock::now() - start).count();
        },
        &call->control);
    // The slowest rank's writes, then rank 0's metadata and rename.
    std::vector<double> slowest = {writing};
    ranks.combine(slowest, Ranks::Op::Max);
    const auto start = Clock::now();
    writer.finish(info, cohort, options, result);
    result.writeSeconds =
        slowest[0] +
        std::chrono::duration<double>(Clock::now() - start).count();
    if (!options.quiet)
      printSummary(info, cohort, options, result);
    return 0;
  } catch (...) {
    recordFailure(call);
  }
  if (ranks.size() > 1) {
    call->errorKind = RatemlSweepCall::kRankFailed;
    call->error = rankText(ranks, ranks.rank()) + call->error;
  }
  return 2;
}

int rateml_sweep_run(int argc, const char *const *argv, RatemlSweepCall *call) {
  const Ranks oneProcess;
  return runSweepCommand(argc, argv, call, oneProcess);
}

const char *rateml_sweep_options_json() {
  static const std::string json = sweepOptionsJson();
  return json.c_str();
}
