//===- RateMLToKernel.cpp - rateml.model to step kernels ------*- C++ -*-===//
//
// The pass: checks its options, analyses the model once (ModelLayout) and
// has the kernel builder (KernelBuilder.h, one file per job) emit the
// functions of the target (see Passes.td and docs/kernel-abi.md).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "rateml/Conversion/Passes.h"

namespace mlir::rateml {
#define GEN_PASS_DEF_CONVERTRATEMLTOKERNELPASS
#include "rateml/Conversion/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::kernels;

namespace {
struct ConvertRateMLToKernelPass
    : mlir::rateml::impl::ConvertRateMLToKernelPassBase<
          ConvertRateMLToKernelPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto models = llvm::to_vector(module.getOps<ModelOp>());
    if (models.size() != 1) {
      module.emitError() << "expected exactly one rateml.model, found "
                         << models.size();
      return signalPassFailure();
    }
    if (block == 0 || block > 32) {
      module.emitError() << "block must be 1 to 32, got " << unsigned(block);
      return signalPassFailure();
    }
    if (lanes == 0 || lanes > 64) {
      module.emitError() << "lanes must be 1 to 64, got " << unsigned(lanes);
      return signalPassFailure();
    }
    if (narrowLanes >= lanes ||
        (narrowLanes != 0 && target != KernelTarget::CPU)) {
      module.emitError() << "narrow-lanes must be 0 or, on the cpu, fewer "
                            "than lanes ("
                         << unsigned(lanes) << "), got "
                         << unsigned(narrowLanes);
      return signalPassFailure();
    }
    FailureOr<ModelLayout> layout = ModelLayout::analyse(models[0]);
    if (failed(layout))
      return signalPassFailure();

    KernelConfig config;
    config.laneModel =
        target == KernelTarget::GPU ? LaneModel::Thread : LaneModel::Vector;
    config.lanes = lanes;
    config.elem = precision == KernelPrecision::F64
                      ? FloatType(Float64Type::get(&getContext()))
                      : FloatType(Float32Type::get(&getContext()));
    config.block = block;
    KernelBuilder(*layout, config).build(module);
    // The CPU object also carries the GPU kernels' bodies as host functions
    // (one call per thread), so the GPU batch logic runs and is tested on
    // any machine.
    if (target == KernelTarget::CPU) {
      KernelConfig threads = config;
      threads.laneModel = LaneModel::Thread;
      threads.lanes = 1;
      threads.block = 1;
      KernelBuilder(*layout, threads).buildThreadFunctionsOnly(module);
    }
    if (narrowLanes != 0) {
      KernelConfig narrow = config;
      narrow.lanes = narrowLanes;
      narrow.suffix = ::rateml::runtime::symbol::kNarrowSuffix;
      KernelBuilder(*layout, narrow).buildLaneVariant(module);
    }
    models[0].erase();
  }
};
} // namespace
