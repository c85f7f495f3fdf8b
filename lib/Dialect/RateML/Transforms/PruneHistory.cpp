//===- PruneHistory.cpp - The states read with a delay ------*- C++ -*-===//
//
// Only the state variables that couplings read through a conduction delay
// need a history; RateML's generated code stores all of them, which limits
// how many parameter sets fit in memory.
//
//===----------------------------------------------------------------------===//

#include "rateml/Dialect/RateML/Transforms/Passes.h"

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLPRUNEHISTORYPASS
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;

namespace {
struct PruneHistoryPass
    : rateml::impl::RateMLPruneHistoryPassBase<PruneHistoryPass> {
  void runOnOperation() override {
    ModelOp model = getOperation();
    model.setDelayedStates(model.computeDelayedStates());
  }
};
} // namespace
