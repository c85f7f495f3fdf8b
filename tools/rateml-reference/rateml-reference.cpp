//===- rateml-reference.cpp - The float64 oracle as a sweep ---*- C++ -*-===//
//
//   rateml-reference model.xml [--optimized] [sweep.bin options]
//
// Runs the same sweep as a compiled sweep.bin would, with the float64
// reference interpreter, and writes the same HDF5 layout: the tests compare
// the two, and it is the "scalar reference" of the benchmarks. It reads the
// model as written (only the conduction speed is named, which TVB's delay
// rule needs) and describes it to the runtime from the model op, so nothing
// of the compiler's pipeline or kernel builder runs; --optimized interprets
// the model after rateml-optimize-model instead, which the compiled float64
// kernels match to the bit.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include "rateml/InitAll.h"
#include "rateml/Reference/ReferenceModelInfo.h"
#include "rateml/Reference/ReferenceSimulator.h"
#include "rateml/runtime/CommandLine.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Ranks.h"
#include "rateml/runtime/ResultWriter.h"
#include "rateml/runtime/Sweep.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>

using namespace mlir;
namespace rt = ::rateml::runtime;

int main(int argc, char **argv) {
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::printf(
        "usage: rateml-reference model.xml [--optimized] [sweep.bin options]\n"
        "Runs the sweep with the float64 reference interpreter, on the model\n"
        "as written, or with --optimized after rateml-optimize-model (what\n"
        "the compiled kernels run). model.xml --help lists the options.\n");
    return argc < 2 ? 2 : 0;
  }
  std::vector<const char *> args = {argv[0]};
  bool optimized = false;
  for (int k = 2; k < argc; ++k) {
    if (std::string(argv[k]) == "--optimized")
      optimized = true;
    else
      args.push_back(argv[k]);
  }
  DialectRegistry registry;
  mlir::rateml::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(argv[1], &error);
  if (!input) {
    std::fprintf(stderr, "rateml-reference: error: %s\n", error.c_str());
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  OwningOpRef<ModuleOp> module = mlir::rateml::lems::importLEMS(
      buffer->getBuffer(), buffer->getBufferIdentifier(), &context);
  if (!module)
    return 1;
  // The names the options give per-node values are regional here, as
  // rateml-compile --regional makes them in sweep.bin.
  rt::SweepOptions options;
  rt::CommandLineAction action;
  try {
    action = rt::parseCommandLine(int(args.size()), args.data(), options);
  } catch (const rt::Error &e) {
    std::fprintf(stderr, "rateml-reference: error: %s\n", e.what());
    return 2;
  }
  std::vector<std::string> regional;
  for (const auto *files : {&options.nodeValues, &options.maps})
    for (const auto &entry : *files)
      if (llvm::find(regional, entry.first) == regional.end())
        regional.push_back(entry.first);
  PassManager pm(&context);
  if (optimized) {
    mlir::rateml::buildModelOptimizationPipeline(pm, regional);
  } else {
    OpPassManager &modelPm = pm.nest<mlir::rateml::ModelOp>();
    if (!regional.empty())
      modelPm.addPass(mlir::rateml::createRateMLMarkRegionalPass(
          mlir::rateml::RateMLMarkRegionalPassOptions{
              llvm::SmallVector<std::string>(regional.begin(),
                                             regional.end())}));
    modelPm.addPass(mlir::rateml::createRateMLConductionSpeedPass());
  }
  if (failed(pm.run(*module)))
    return 1;
  auto model = *module->getOps<mlir::rateml::ModelOp>().begin();
  FailureOr<mlir::rateml::reference::ReferenceSimulator> simulator =
      mlir::rateml::reference::ReferenceSimulator::create(model);
  if (failed(simulator))
    return 1;
  rt::ModelInfo info = mlir::rateml::reference::buildModelInfo(model);

  try {
    if (action != rt::CommandLineAction::Run) {
      std::printf(
          "%s",
          rt::helpText(info, "none: the reference runs on the CPU").c_str());
      return 0;
    }
    rt::Cohort cohort = rt::loadCohort(options.connectivity);
    rt::SweepResult result = rt::prepareSweep(info, cohort, options);
    if (result.bold || !result.storeData)
      throw rt::Error("--bold and --no-data are sweep.bin options; the "
                      "reference records /data only");
    mlir::rateml::reference::SimulationConfig config;
    config.dt = options.dt;
    config.steps = result.steps;
    config.integrator = options.heun
                            ? mlir::rateml::reference::Integrator::Heun
                            : mlir::rateml::reference::Integrator::Euler;
    config.noise = options.noise;
    config.seed = options.seed;
    config.every = result.every;
    config.averaged = result.averaged;
    if (result.initial) {
      config.initial = result.initial->values;
      config.initialRows = result.initial->rows;
    }
    config.recordStates = options.recordStates;
    // The reference reads the files' values, not the kernels' windows.
    if (result.stimulus)
      config.stimulus = [&stimulus = *result.stimulus](uint64_t n, size_t s,
                                                       size_t i) {
        return stimulus.at(n, s, i);
      };

    auto start = std::chrono::steady_clock::now();
    std::vector<double> data;
    rt::BatchOutput out;
    const std::vector<std::string> &modelParams = simulator->getParamNames();
    const size_t numSets = result.params.size();
    for (size_t set = 0; set < numSets; ++set) {
      const std::vector<double> row = result.params.row(set);
      out.params.insert(out.params.end(), row.begin(), row.end());
      // The set's value of a column, if the table has one.
      auto column = [&](const std::string &name) -> std::optional<double> {
        for (size_t c = 0; c < result.params.names.size(); ++c)
          if (result.params.names[c] == name)
            return row[c];
        return std::nullopt;
      };
      std::vector<double> values(modelParams.size());
      for (size_t k = 0; k < modelParams.size(); ++k)
        values[k] = column(modelParams[k]).value_or(0.0);
      // A column naming a constant overrides --set and the model's value.
      config.constants = options.constants;
      for (const auto &constant : info.constants)
        if (std::optional<double> v = column(constant.name))
          config.constants[constant.name] = *v;
      // Per-node values of the names given --node-values or --map.
      config.nodeValues.clear();
      for (const rt::RegionalInput &r : result.regional) {
        if (r.nodeValues.empty() && r.map.empty())
          continue;
        std::optional<double> setValue = column(r.name);
        for (const auto &constant : info.constants)
          if (!setValue && constant.name == r.name) {
            auto it = config.constants.find(r.name);
            setValue =
                it == config.constants.end() ? constant.value : it->second;
          }
        config.nodeValues[r.name] = rt::regionalNodeValues(
            r, cohort.numNodes(), setValue.value_or(0.0),
            column(rt::mapScaleName(r.name)).value_or(0.0));
      }
      // stimulus.scale: the set's column, else the run parameter's default.
      for (const rt::RunParameter &run : result.runParams)
        if (run.name == rt::kStimulusScale)
          config.stimulusScale = column(run.name).value_or(run.value);
      // A cohort's set runs on its subject's connectome.
      const size_t subject = size_t(column(rt::kSubjectParam).value_or(0.0));
      llvm::Expected<mlir::rateml::reference::Trace> trace =
          simulator->simulate(values, cohort.subjects[subject], config,
                              rt::setKey(options, set));
      if (!trace)
        throw rt::Error(llvm::toString(trace.takeError()));
      data.insert(data.end(), trace->values.begin(), trace->values.end());
      out.diverged.push_back(trace->divergedStep);
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    const rt::Ranks oneProcess;
    rt::ResultWriter writer(options.output, info, result, oneProcess);
    out.data.resize(data.size() * sizeof(double));
    std::memcpy(out.data.data(), data.data(), out.data.size());
    std::vector<size_t> sets(numSets);
    std::iota(sets.begin(), sets.end(), 0);
    writer.writeSets(sets, out);
    writer.finish(info, cohort, options, result);
    if (!options.quiet)
      std::printf("reference: %zu sets x %llu steps in %.3f s, %.3g "
                  "parameter-set steps/s; wrote %s\n",
                  numSets, (unsigned long long)result.steps, result.seconds,
                  double(numSets) * double(result.steps) /
                      std::max(result.seconds, 1e-9),
                  options.output.c_str());
    return 0;
  } catch (const rt::Error &e) {
    std::fprintf(stderr, "rateml-reference: error: %s\n", e.what());
    return 2;
  }
}
