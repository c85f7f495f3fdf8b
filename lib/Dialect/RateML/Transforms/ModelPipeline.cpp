//===- ModelPipeline.cpp - The model-level pass pipeline ------*- C++ -*-===//
//
// The sequence rateml-compile runs on an imported model before lowering,
// registered as `rateml-optimize-model` so it can be replayed with
// rateml-opt.
//
//===----------------------------------------------------------------------===//

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"

using namespace mlir;

void mlir::rateml::buildModelOptimizationPipeline(
    OpPassManager &pm, ArrayRef<std::string> regional) {
  OpPassManager &model = pm.nest<ModelOp>();
  if (!regional.empty())
    model.addPass(createRateMLMarkRegionalPass(
        RateMLMarkRegionalPassOptions{llvm::to_vector(regional)}));
  // Before folding, which would hide the 1 / speed / dt shape.
  model.addPass(createRateMLConductionSpeedPass());
  model.addPass(createCanonicalizerPass());
  model.addPass(createRateMLExpandPowersPass());
  model.addPass(createCSEPass());
  model.addPass(createRateMLHoistInvariantsPass());
  model.addPass(createRateMLReciprocalDivisorsPass());
  model.addPass(createCanonicalizerPass());
  model.addPass(createCSEPass());
  model.addPass(createRateMLClassifyCouplingPass());
  model.addPass(createRateMLPruneHistoryPass());
}

namespace {
/// rateml-optimize-model's options: rateml-compile's that change the model.
struct ModelPipelineOptions : public PassPipelineOptions<ModelPipelineOptions> {
  ListOption<std::string> regional{
      *this, "regional",
      llvm::cl::desc("Parameters and constants to make regional "
                     "(rateml-compile --regional)")};
};
} // namespace

void mlir::rateml::registerRateMLTransforms() {
  registerRateMLPasses();
  PassPipelineRegistration<ModelPipelineOptions>(
      "rateml-optimize-model",
      "Simplify, hoist and analyse every rateml.model (what rateml-compile "
      "runs before lowering)",
      [](OpPassManager &pm, const ModelPipelineOptions &options) {
        buildModelOptimizationPipeline(pm, options.regional);
      });
}
