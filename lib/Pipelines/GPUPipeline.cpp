//===- GPUPipeline.cpp - rateml.model to PTX ------------------*- C++ -*-===//
//
// The GPU lowering: our kernel conversion with one parameter set per
// thread, then NVVM and PTX text through upstream passes. Registered as
// rateml-lower-to-nvvm; producing PTX needs no GPU.
//
//===----------------------------------------------------------------------===//

#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"
#include "rateml/Conversion/Passes.h"
#include "rateml/Pipelines/Pipelines.h"

using namespace mlir;

void mlir::rateml::buildLowerToNVVMPipeline(OpPassManager &pm,
                                            const GPUPipelineOptions &options) {
  ConvertRateMLToKernelPassOptions kernel;
  kernel.target = KernelTarget::GPU;
  kernel.precision = options.precision;
  pm.addPass(createConvertRateMLToKernelPass(kernel));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &gpuModule = pm.nest<gpu::GPUModuleOp>();
  gpuModule.addPass(createSCFToControlFlowPass());
  gpuModule.addPass(createConvertGpuOpsToNVVMOps());
  gpuModule.addPass(createCanonicalizerPass());
  gpuModule.addPass(createCSEPass());
  gpuModule.addPass(createReconcileUnrealizedCastsPass());

  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
