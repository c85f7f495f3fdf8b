//===- CPUPipeline.cpp - rateml.model to LLVM for CPUs --------*- C++ -*-===//
//
// The CPU lowering: our kernel conversion, then upstream conversions to the
// LLVM dialect. Registered as rateml-lower-to-cpu.
//
//===----------------------------------------------------------------------===//

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "rateml/Conversion/Passes.h"
#include "rateml/Pipelines/Pipelines.h"

using namespace mlir;

void mlir::rateml::buildKernelPipeline(OpPassManager &pm,
                                       const CPUPipelineOptions &options) {
  ConvertRateMLToKernelPassOptions kernel;
  kernel.lanes = options.lanes;
  kernel.precision = options.precision;
  kernel.block = options.block;
  kernel.narrowLanes = options.narrowLanes;
  pm.addPass(createConvertRateMLToKernelPass(kernel));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::rateml::buildLowerToCPUPipeline(OpPassManager &pm,
                                           const CPUPipelineOptions &options) {
  buildKernelPipeline(pm, options);
  if (options.precision == KernelPrecision::F32)
    pm.addPass(createRateMLApproximateMathPass());
  // Intrinsics first (hardware FMA and rounding; the backend expands vector
  // sin/exp/... into per-lane libm calls), libm for what has none.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}
