//===- ModelSummary.h - One-screen description of a model -----*- C++ -*-===//
//
// What rateml-compile --summary prints: the states, parameters, couplings,
// delays and noise of an analysed model, for a person checking that the
// compiler read their file as they meant it.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_TOOLS_RATEML_COMPILE_MODELSUMMARY_H
#define RATEML_TOOLS_RATEML_COMPILE_MODELSUMMARY_H

#include "rateml/Dialect/RateML/IR/RateMLOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::rateml {

/// Prints a summary of `model` (best after the model pipeline, which sets
/// coupling kinds and delayed states).
void printModelSummary(ModelOp model, llvm::raw_ostream &os);

} // namespace mlir::rateml

#endif // RATEML_TOOLS_RATEML_COMPILE_MODELSUMMARY_H
