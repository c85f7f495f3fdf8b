//===- InlineConstants.cpp - Fold reads of model constants ----*- C++ -*-===//
//
// Replaces rateml.get of a rateml.constant by an arith.constant. Constants
// stay symbolic by default so a sweep can override them; this pass trades
// that flexibility for compile-time folding.
//
//===----------------------------------------------------------------------===//

#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLINLINECONSTANTSPASS
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;

namespace {
struct InlineConstantsPass
    : rateml::impl::RateMLInlineConstantsPassBase<InlineConstantsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModelOp model = getOperation();
    llvm::StringSet<> kept;
    for (const std::string &name : keep)
      kept.insert(name);
    mlir::SymbolTable symbols(model);
    model.walk([&](GetOp get) {
      auto constant = symbols.lookup<ConstantOp>(get.getName());
      if (!constant || kept.contains(get.getName()))
        return;
      OpBuilder b(get);
      auto literal =
          arith::ConstantOp::create(b, get.getLoc(), constant.getValueAttr());
      get.replaceAllUsesWith(literal.getResult());
      get.erase();
    });
  }
};
} // namespace
