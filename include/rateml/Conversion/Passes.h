//===- Passes.h - Conversions out of the rateml dialect -------*- C++ -*-===//
//
// Declarations of the conversion passes in Passes.td.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_CONVERSION_PASSES_H
#define RATEML_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::rateml {

/// Where convert-rateml-to-kernel's kernels run: SIMD lanes on the CPU, or
/// one parameter set per GPU thread.
enum class KernelTarget { CPU, GPU };
/// The element type of the kernels' per-set values.
enum class KernelPrecision { F32, F64 };

#define GEN_PASS_DECL
#include "rateml/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "rateml/Conversion/Passes.h.inc"

} // namespace mlir::rateml

#endif // RATEML_CONVERSION_PASSES_H
