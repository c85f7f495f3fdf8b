//===- CPUObject.h - LLVM-dialect kernels to a native object ----*- C++ -*-===//
//
// The last compiler stage for CPUs: LLVM dialect to LLVM IR, optimized for a
// target CPU, then to an ELF object that the runtime links against.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_TARGET_CPUOBJECT_H
#define RATEML_TARGET_CPUOBJECT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>

namespace mlir::rateml {

/// Translates `module` (in the LLVM dialect) to optimized LLVM IR for
/// `cpu` ("native" = this machine, or an LLVM CPU name such as "x86-64-v3").
/// Reports errors on the module and returns null.
std::unique_ptr<llvm::Module> translateToOptimizedLLVMIR(ModuleOp module,
                                                         llvm::LLVMContext &ctx,
                                                         StringRef cpu);

/// The widest vector register of `cpu` ("native" or an LLVM CPU name) in
/// bits: 512 with AVX-512, 256 with AVX2, else 128.
unsigned getVectorBits(StringRef cpu);

/// Adds the GPU kernels' images under the names the runtime reads
/// (KernelABI.h): the PTX ("" without a CUDA toolkit) and the cubins for
/// sm_80 and sm_90 (empty without ptxas).
void addGpuImages(llvm::Module &module, StringRef ptx, StringRef cubinSm80,
                  StringRef cubinSm90);

/// Writes `llvmModule` as a native object file for `cpu`.
LogicalResult emitObjectFile(llvm::Module &llvmModule, StringRef cpu,
                             llvm::raw_pwrite_stream &os, Location loc);

} // namespace mlir::rateml

#endif // RATEML_TARGET_CPUOBJECT_H
