//===- Passes.h - RateML model-level passes -------------------*- C++ -*-===//
//
// Declarations of the passes in Passes.td and of the model pipeline that
// rateml-compile runs before lowering.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_DIALECT_RATEML_TRANSFORMS_PASSES_H
#define RATEML_DIALECT_RATEML_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "rateml/Dialect/RateML/IR/RateMLOps.h"

namespace mlir::rateml {

#define GEN_PASS_DECL
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"

/// Adds the model-level pipeline (mark the `regional` names when there are
/// any, name the conduction speed, canonicalize, expand powers, CSE, hoist
/// invariants, classify couplings, prune history) nested on rateml.model.
void buildModelOptimizationPipeline(OpPassManager &pm,
                                    ArrayRef<std::string> regional = {});

/// Registers the passes and the `rateml-optimize-model` pipeline.
void registerRateMLTransforms();

#define GEN_PASS_REGISTRATION
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"

} // namespace mlir::rateml

#endif // RATEML_DIALECT_RATEML_TRANSFORMS_PASSES_H
