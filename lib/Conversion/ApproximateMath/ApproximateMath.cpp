//===- ApproximateMath.cpp - Polynomial math for f32 kernels --*- C++ -*-===//
//
// Applies MLIR's polynomial approximation patterns (a pass upstream only
// provides for tests) so f32 kernels keep transcendental functions vectorised.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "rateml/Conversion/Passes.h"

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLAPPROXIMATEMATHPASS
#include "rateml/Conversion/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;

namespace {
struct ApproximateMathPass
    : rateml::impl::RateMLApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
