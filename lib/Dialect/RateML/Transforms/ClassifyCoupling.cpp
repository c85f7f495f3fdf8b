//===- ClassifyCoupling.cpp - Classify coupling functions -----*- C++ -*-===//
//
// Recognises the coupling shapes that a backend can gather more cheaply than
// a general per-edge function: linear, difference and sin-of-difference.
//
//===----------------------------------------------------------------------===//

#include "rateml/Dialect/RateML/Transforms/Passes.h"

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLCLASSIFYCOUPLINGPASS
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;

/// Whether `v` is computed from `arg`.
static bool dependsOn(Value v, Value arg) {
  if (v == arg)
    return true;
  Operation *def = v.getDefiningOp();
  return def && llvm::any_of(def->getOperands(), [&](Value operand) {
           return dependsOn(operand, arg);
         });
}

static Value yieldedValue(Region &region) {
  return cast<YieldOp>(region.front().getTerminator()).getValues().front();
}

static CouplingKind classify(CouplingOp coupling, StringRef sourceName) {
  Region &pre = coupling.getPre(), &post = coupling.getPost();
  if (dependsOn(yieldedValue(post), post.getArgument(0)))
    return CouplingKind::General;

  Value xj = pre.getArgument(0);
  Value value = yieldedValue(pre);
  auto isTargetSource = [&](Value v) {
    auto get = v.getDefiningOp<GetOp>();
    return get && get.getName() == sourceName;
  };
  auto isDifference = [&](Value v) {
    auto sub = v.getDefiningOp<arith::SubFOp>();
    return sub && sub.getLhs() == xj && isTargetSource(sub.getRhs());
  };

  if (value == xj)
    return CouplingKind::Linear;
  if (auto mul = value.getDefiningOp<arith::MulFOp>()) {
    Value lhs = mul.getLhs(), rhs = mul.getRhs();
    if ((lhs == xj && !dependsOn(rhs, xj)) ||
        (rhs == xj && !dependsOn(lhs, xj)))
      return CouplingKind::Linear;
  }
  if (isDifference(value))
    return CouplingKind::Difference;
  if (auto sin = value.getDefiningOp<math::SinOp>())
    if (isDifference(sin.getOperand()))
      return CouplingKind::SinDifference;
  return CouplingKind::General;
}

namespace {
struct ClassifyCouplingPass
    : rateml::impl::RateMLClassifyCouplingPassBase<ClassifyCouplingPass> {
  void runOnOperation() override {
    ModelOp model = getOperation();
    SmallVector<StateOp> states = getStates(model);
    model.walk([&](CouplingOp coupling) {
      StringRef sourceName = states[coupling.getSource()].getSymName();
      coupling.setKindAttr(CouplingKindAttr::get(
          &getContext(), classify(coupling, sourceName)));
    });
  }
};
} // namespace
