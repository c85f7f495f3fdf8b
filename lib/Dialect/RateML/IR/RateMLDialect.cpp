//===- RateMLDialect.cpp - RateML dialect registration --------*- C++ -*-===//
//
// Registers the rateml ops and attributes with the context.
//
//===----------------------------------------------------------------------===//

#include "rateml/Dialect/RateML/IR/RateMLDialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "rateml/Dialect/RateML/IR/RateMLOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::rateml;

#include "rateml/Dialect/RateML/IR/RateMLDialect.cpp.inc"
#include "rateml/Dialect/RateML/IR/RateMLEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "rateml/Dialect/RateML/IR/RateMLAttrs.cpp.inc"

void RateMLDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "rateml/Dialect/RateML/IR/RateMLOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "rateml/Dialect/RateML/IR/RateMLAttrs.cpp.inc"
      >();
}
