//===- ClassifyCoupling.cpp - Classify coupling functions -----*- C++ -*-===//
//
// Recognises the coupling shapes a backend can compute more cheaply than a
// general per-edge function: terms that read no target state (linear or
// another function of the delayed source; the CPU kernels sum several steps
// of those in one pass over the edges), difference and sin-of-difference.
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

/// Whether any region of `coupling` reads a state of the target node.
static bool readsTargetState(CouplingOp coupling, ModelOp model) {
  bool reads = false;
  forEachRead(coupling, [&](StringRef name, GetOp) {
    reads |= isa_and_nonnull<StateOp>(
        mlir::SymbolTable::lookupSymbolIn(model, name));
  });
  return reads;
}

static CouplingKind classify(CouplingOp coupling, StringRef sourceName,
                             ModelOp model) {
  Region &pre = coupling.getPre(), &post = coupling.getPost();
  bool postReadsSource = dependsOn(yieldedValue(post), post.getArgument(0));
  Value xj = pre.getArgument(0);
  Value value = yieldedValue(pre);

  if (!readsTargetState(coupling, model)) {
    bool linearInSource = value == xj;
    if (auto mul = value.getDefiningOp<arith::MulFOp>()) {
      Value lhs = mul.getLhs(), rhs = mul.getRhs();
      linearInSource |= (lhs == xj && !dependsOn(rhs, xj)) ||
                        (rhs == xj && !dependsOn(lhs, xj));
    }
    return linearInSource && !postReadsSource ? CouplingKind::Linear
                                              : CouplingKind::SourceFunction;
  }
  if (postReadsSource)
    return CouplingKind::General;
  auto isTargetSource = [&](Value v) {
    auto get = v.getDefiningOp<GetOp>();
    return get && get.getName() == sourceName;
  };
  auto isDifference = [&](Value v) {
    auto sub = v.getDefiningOp<arith::SubFOp>();
    return sub && sub.getLhs() == xj && isTargetSource(sub.getRhs());
  };
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
    SmallVector<StateOp> states = model.getStates();
    model.walk([&](CouplingOp coupling) {
      StringRef sourceName = states[coupling.getSource()].getSymName();
      coupling.setKindAttr(CouplingKindAttr::get(
          &getContext(), classify(coupling, sourceName, model)));
    });
  }
};
} // namespace
