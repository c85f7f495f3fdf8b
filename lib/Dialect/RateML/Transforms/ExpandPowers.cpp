//===- ExpandPowers.cpp - Powers with integer exponents -------*- C++ -*-===//
//
// Rewrites math.powf with a small constant integral exponent into
// multiplications: RateML models write {V^2}, {z^7}, and pow lowered through
// exp/log is slower and wrong for negative bases.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include <cmath>

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLEXPANDPOWERSPASS
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;

namespace {
struct ExpandIntegerPower : OpRewritePattern<math::PowFOp> {
  ExpandIntegerPower(MLIRContext *ctx, unsigned maxExponent)
      : OpRewritePattern(ctx), maxExponent(maxExponent) {}

  LogicalResult matchAndRewrite(math::PowFOp op,
                                PatternRewriter &rewriter) const override {
    FloatAttr exponentAttr;
    if (!matchPattern(op.getRhs(), m_Constant(&exponentAttr)))
      return failure();
    double exponent = exponentAttr.getValueAsDouble();
    if (exponent != std::trunc(exponent) ||
        std::fabs(exponent) > static_cast<double>(maxExponent))
      return failure();

    Location loc = op.getLoc();
    Type type = op.getType();
    auto one = [&] {
      return arith::ConstantOp::create(rewriter, loc,
                                       rewriter.getFloatAttr(type, 1.0));
    };
    uint64_t n = static_cast<uint64_t>(std::fabs(exponent));
    // Square-and-multiply over the bits of n, low bit first.
    Value result, square = op.getLhs();
    for (uint64_t bits = n; bits != 0; bits >>= 1) {
      if (bits & 1)
        result = result ? arith::MulFOp::create(rewriter, loc, result, square)
                              .getResult()
                        : square;
      if (bits > 1)
        square = arith::MulFOp::create(rewriter, loc, square, square);
    }
    if (!result)
      result = one();
    if (exponent < 0)
      result = arith::DivFOp::create(rewriter, loc, one(), result);
    rewriter.replaceOp(op, result);
    return success();
  }

  unsigned maxExponent;
};

struct ExpandPowersPass
    : rateml::impl::RateMLExpandPowersPassBase<ExpandPowersPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandIntegerPower>(&getContext(), maxExponent);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
