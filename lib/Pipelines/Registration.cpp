//===- Registration.cpp - Register rateml's lowering pipelines -*- C++ -*-===//
//
// Makes the pipelines replayable with rateml-opt.
//
//===----------------------------------------------------------------------===//

#include "mlir/Pass/PassRegistry.h"
#include "rateml/Pipelines/Pipelines.h"

void mlir::rateml::registerRateMLPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "rateml-lower-to-cpu",
      "Lower an optimized rateml.model to vectorised CPU kernels in the LLVM "
      "dialect",
      buildLowerToCPUPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "rateml-lower-to-nvvm",
      "Lower an optimized rateml.model to PTX kernels (one parameter set per "
      "thread) in a gpu.binary",
      buildLowerToNVVMPipeline);
}
