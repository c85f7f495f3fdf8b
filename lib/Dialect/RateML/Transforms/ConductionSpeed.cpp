//===- ConductionSpeed.cpp - The speed behind rec_speed_dt ---*- C++ -*-===//
//
// Delays must be rint(length / speed / dt) in double, exactly as TVB
// computes them; RateML only states the product 1 / speed / dt. This pass
// finds the speed so that every backend and the reference round alike.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "llvm/ADT/SetVector.h"
#include <cstdio>

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLCONDUCTIONSPEEDPASS
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;

/// Returns X when `v` is (1 / X) / dt, else null.
static Value matchSpeed(Value v) {
  auto outer = v.getDefiningOp<arith::DivFOp>();
  if (!outer || !outer.getRhs().getDefiningOp<DtOp>())
    return nullptr;
  auto inner = outer.getLhs().getDefiningOp<arith::DivFOp>();
  if (!inner || !matchPattern(inner.getLhs(), m_OneFloat()))
    return nullptr;
  return inner.getRhs();
}

static void collectSlice(Operation *op, llvm::SetVector<Operation *> &out) {
  if (!op || !out.insert(op))
    return;
  for (Value operand : op->getOperands())
    collectSlice(operand.getDefiningOp(), out);
}

/// "lo, hi" in short decimal form (diagnostics print doubles in scientific
/// notation otherwise).
static std::string formatRange(double lo, double hi) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g, %g", lo, hi);
  return buf;
}

/// sweep.bin's default sweep of a speed range that reaches 0 or below
/// fails, since such a speed has no delays.
static void warnNonPositiveRange(ParamOp param) {
  double lo = param.getLo().convertToDouble(),
         hi = param.getHi().convertToDouble();
  if (std::min(lo, hi) > 0)
    return;
  param.emitWarning() << "the range [" << formatRange(lo, hi)
                      << "] of the conduction speed '" << param.getSymName()
                      << "' includes speeds <= 0, which have no delays: "
                         "sweep.bin's default sweep refuses it; give lo > 0, "
                         "or positive speeds with --sweep or --values";
}

namespace {
struct ConductionSpeedPass
    : rateml::impl::RateMLConductionSpeedPassBase<ConductionSpeedPass> {
  void runOnOperation() override {
    ModelOp model = getOperation();
    mlir::SymbolTable symbols(model);
    auto rec = symbols.lookup<DerivedParamOp>(ModelOp::kDelayFactorName);
    if (!rec)
      return;
    auto yield = cast<YieldOp>(rec.getBody().front().getTerminator());
    Value speed = matchSpeed(yield.getValues().front());
    if (speed)
      if (auto get = speed.getDefiningOp<GetOp>()) {
        model.setConductionSpeedAttr(get.getNameAttr());
        if (auto param = symbols.lookup<ParamOp>(get.getName()))
          warnNonPositiveRange(param);
        return;
      }

    // Build a derived parameter computing the speed.
    OpBuilder b(rec->getNextNode());
    auto derived = DerivedParamOp::create(b, rec.getLoc(), "conduction_speed",
                                          /*hoisted=*/true);
    b.setInsertionPointToStart(b.createBlock(&derived.getBody()));
    Value result;
    if (speed) {
      llvm::SetVector<Operation *> slice;
      collectSlice(speed.getDefiningOp(), slice);
      SmallVector<Operation *> ordered = slice.takeVector();
      llvm::sort(ordered, [](Operation *a, Operation *c) {
        return a->isBeforeInBlock(c);
      });
      IRMapping mapping;
      for (Operation *op : ordered)
        b.clone(*op, mapping);
      result = mapping.lookup(speed);
    } else {
      Location loc = rec.getLoc();
      Type f64 = b.getF64Type();
      Value recValue = GetOp::create(b, loc, f64, ModelOp::kDelayFactorName);
      Value dt = DtOp::create(b, loc, f64);
      Value one = arith::ConstantOp::create(b, loc, b.getF64FloatAttr(1.0));
      result = arith::DivFOp::create(
          b, loc, one, arith::MulFOp::create(b, loc, recValue, dt));
    }
    YieldOp::create(b, rec.getLoc(), result);
    StringAttr name = symbols.insert(derived);
    model.setConductionSpeedAttr(FlatSymbolRefAttr::get(name));
  }
};
} // namespace
