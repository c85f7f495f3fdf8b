//===- InitAll.cpp - Register rateml and the upstream parts it uses -*- C++ -*-===//
//
// Implements the registration lists of rateml/InitAll.h.
//
//===----------------------------------------------------------------------===//

#include "rateml/InitAll.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "rateml/Dialect/RateML/IR/RateMLDialect.h"
#include "rateml/Conversion/Passes.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "rateml/Pipelines/Pipelines.h"

void mlir::rateml::registerAllDialects(DialectRegistry &registry) {
  registry.insert<RateMLDialect, arith::ArithDialect, math::MathDialect,
                  func::FuncDialect, memref::MemRefDialect, scf::SCFDialect,
                  vector::VectorDialect, LLVM::LLVMDialect>();
}

void mlir::rateml::registerAllPasses() {
  mlir::registerTransformsPasses();
  registerRateMLTransforms();
  registerRateMLConversionPasses();
  registerRateMLPipelines();
}
