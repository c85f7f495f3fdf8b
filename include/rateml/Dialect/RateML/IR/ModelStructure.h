//===- ModelStructure.h - A verified model sorted by kind -------*- C++ -*-===//
//
// The declarations of a rateml.model in the lists every consumer walks (the
// kernel builder, the reference interpreter, the model summary): each kind
// in declaration order and derived values in dependency order. Built once
// from a verified model, so the consumers share one reading of its
// structure.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_DIALECT_RATEML_IR_MODELSTRUCTURE_H
#define RATEML_DIALECT_RATEML_IR_MODELSTRUCTURE_H

#include "rateml/Dialect/RateML/IR/RateMLOps.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::rateml {

struct ModelStructure {
  explicit ModelStructure(ModelOp model);

  ModelOp model;
  SmallVector<ParamOp> params;
  SmallVector<ConstantOp> constants;
  /// Derived parameters, each after the ones it reads.
  SmallVector<DerivedParamOp> derivedParams;
  /// Derived and conditional variables, each after the ones it reads.
  SmallVector<Operation *> derived;
  SmallVector<StateOp> states;
  SmallVector<CouplingOp> couplings;
  SmallVector<TimeDerivativeOp> timeDerivatives;
  SmallVector<ExposureOp> exposures;
  /// Null for a deterministic model.
  NoiseOp noise;
};

} // namespace mlir::rateml

#endif // RATEML_DIALECT_RATEML_IR_MODELSTRUCTURE_H
