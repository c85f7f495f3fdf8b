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

void mlir::rateml::buildModelOptimizationPipeline(OpPassManager &pm) {
  OpPassManager &model = pm.nest<ModelOp>();
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

void mlir::rateml::registerRateMLTransforms() {
  registerRateMLPasses();
  PassPipelineRegistration<>(
      "rateml-optimize-model",
      "Simplify, hoist and analyse every rateml.model (what rateml-compile "
      "runs before lowering)",
      buildModelOptimizationPipeline);
}
