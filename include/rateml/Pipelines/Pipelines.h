//===- Pipelines.h - rateml's lowering pipelines ----------------*- C++ -*-===//
//
// The registered pipelines that take an optimized rateml.model to the LLVM
// dialect, replayable with rateml-opt (e.g. --rateml-lower-to-cpu).
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_PIPELINES_PIPELINES_H
#define RATEML_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "rateml/Conversion/Passes.h"

namespace mlir::rateml {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<unsigned> lanes{*this, "lanes",
                         llvm::cl::desc("Parameter sets per SIMD vector"),
                         llvm::cl::init(8)};
  Option<KernelPrecision> precision{
      *this, "precision", llvm::cl::desc("Element type of the kernels"),
      llvm::cl::init(KernelPrecision::F32),
      llvm::cl::values(clEnumValN(KernelPrecision::F32, "f32", "float32"),
                       clEnumValN(KernelPrecision::F64, "f64", "float64"))};
  Option<unsigned> block{
      *this, "block",
      llvm::cl::desc("Steps of coupling per pass over the edges (1 = off)"),
      llvm::cl::init(8)};
  Option<unsigned> narrowLanes{
      *this, "narrow-lanes",
      llvm::cl::desc("Lanes of a second, narrower set of kernels (0 = none)"),
      llvm::cl::init(0)};
};

/// rateml.model (after rateml-optimize-model) to the LLVM dialect: the
/// kernels, math lowering (polynomials in f32, libm in f64) and the
/// standard conversions to LLVM.
void buildLowerToCPUPipeline(OpPassManager &pm,
                             const CPUPipelineOptions &options);

/// Adds just the kernel conversion and its clean-up (what
/// rateml-compile --emit=lowered shows).
void buildKernelPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("GPU architecture, e.g. sm_80"),
                           llvm::cl::init("sm_80")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("PTX ISA version, e.g. +ptx80"),
                               llvm::cl::init("+ptx80")};
  Option<KernelPrecision> precision{
      *this, "precision", llvm::cl::desc("Element type of the kernels"),
      llvm::cl::init(KernelPrecision::F32),
      llvm::cl::values(clEnumValN(KernelPrecision::F32, "f32", "float32"),
                       clEnumValN(KernelPrecision::F64, "f64", "float64"))};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("CUDA toolkit (for libdevice)"),
                              llvm::cl::init("/usr/local/cuda")};
};

/// rateml.model (after rateml-optimize-model) to a gpu.binary holding PTX:
/// one parameter set per thread, math through libdevice. Needs no GPU.
void buildLowerToNVVMPipeline(OpPassManager &pm,
                              const GPUPipelineOptions &options);

void registerRateMLPipelines();

} // namespace mlir::rateml

#endif // RATEML_PIPELINES_PIPELINES_H
