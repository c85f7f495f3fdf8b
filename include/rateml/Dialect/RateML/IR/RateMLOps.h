//===- RateMLOps.h - RateML operations and attributes ---------*- C++ -*-===//
//
// Declarations generated from dialects/RateML/RateMLOps.td and
// RateMLAttrs.td, plus small helpers shared by the verifiers and passes.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_DIALECT_RATEML_IR_RATEMLOPS_H
#define RATEML_DIALECT_RATEML_IR_RATEMLOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "rateml/Dialect/RateML/IR/RateMLDialect.h"

#include "rateml/Dialect/RateML/IR/RateMLEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "rateml/Dialect/RateML/IR/RateMLAttrs.h.inc"

#define GET_OP_CLASSES
#include "rateml/Dialect/RateML/IR/RateMLOps.h.inc"

namespace mlir::rateml {

/// When a value is available: once per parameter set, or every step.
/// (Regional parameter-level values are also per node: isRegional.)
enum class Stage { Parameter, Step };

/// Whether `op` is a param, constant or derived_param marked `regional`: a
/// value of each (parameter set, node) rather than of the set.
bool isRegional(Operation *op);

/// The stage of the value a named declaration defines, or std::nullopt when
/// `op` defines no readable value.
std::optional<Stage> getDefinedStage(Operation *op);

/// Calls `fn` with every symbol name read by `rateml.get` inside `op`'s
/// regions, with the get op.
void forEachRead(Operation *op, llvm::function_ref<void(StringRef, GetOp)> fn);

/// Orders symbol-defining `ops` so that each comes after the ops of the same
/// list whose symbols it reads (the verifier has ruled out cycles).
SmallVector<Operation *> sortByDependencies(ArrayRef<Operation *> ops);

} // namespace mlir::rateml

#endif // RATEML_DIALECT_RATEML_IR_RATEMLOPS_H
