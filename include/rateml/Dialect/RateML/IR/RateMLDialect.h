//===- RateMLDialect.h - RateML dialect -----------------------*- C++ -*-===//
//
// The rateml dialect class. Its ODS lives in dialects/RateML/.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_DIALECT_RATEML_IR_RATEMLDIALECT_H
#define RATEML_DIALECT_RATEML_IR_RATEMLDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dialect.h"

#include "rateml/Dialect/RateML/IR/RateMLDialect.h.inc"

#endif // RATEML_DIALECT_RATEML_IR_RATEMLDIALECT_H
