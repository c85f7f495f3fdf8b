//===- LEMSImporter.h - RateML/LEMS XML to the rateml dialect -*- C++ -*-===//
//
// Entry point of the frontend: reads one RateML model file and builds a
// verified rateml.model whose ops carry FileLineColLoc locations into it.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_FRONTEND_LEMS_LEMSIMPORTER_H
#define RATEML_FRONTEND_LEMS_LEMSIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::rateml::lems {

/// Imports the model in `buffer` (the contents of `filename`). Errors and
/// warnings are reported through `context`'s diagnostic engine; returns
/// null when any error was reported. The model is named after the file.
mlir::OwningOpRef<mlir::ModuleOp> importLEMS(llvm::StringRef buffer,
                                             llvm::StringRef filename,
                                             mlir::MLIRContext *context);

} // namespace mlir::rateml::lems

#endif // RATEML_FRONTEND_LEMS_LEMSIMPORTER_H
