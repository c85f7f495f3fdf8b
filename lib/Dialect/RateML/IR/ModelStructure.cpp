//===- ModelStructure.cpp - A verified model sorted by kind ---------------===//

#include "rateml/Dialect/RateML/IR/ModelStructure.h"

using namespace mlir;
using namespace mlir::rateml;

ModelStructure::ModelStructure(ModelOp model) : model(model) {
  SmallVector<Operation *> derivedParamOps, derivedOps;
  for (Operation &op : model.getBody().front()) {
    if (auto p = dyn_cast<ParamOp>(op))
      params.push_back(p);
    else if (auto c = dyn_cast<ConstantOp>(op))
      constants.push_back(c);
    else if (isa<DerivedParamOp>(op))
      derivedParamOps.push_back(&op);
    else if (isa<DerivedOp, ConditionalOp>(op))
      derivedOps.push_back(&op);
    else if (auto s = dyn_cast<StateOp>(op))
      states.push_back(s);
    else if (auto c = dyn_cast<CouplingOp>(op))
      couplings.push_back(c);
    else if (auto t = dyn_cast<TimeDerivativeOp>(op))
      timeDerivatives.push_back(t);
    else if (auto e = dyn_cast<ExposureOp>(op))
      exposures.push_back(e);
    else if (auto n = dyn_cast<NoiseOp>(op))
      noise = n;
  }
  for (Operation *op : sortByDependencies(derivedParamOps))
    derivedParams.push_back(cast<DerivedParamOp>(op));
  derived = sortByDependencies(derivedOps);
}
