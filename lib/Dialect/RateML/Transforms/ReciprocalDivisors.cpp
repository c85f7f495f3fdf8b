//===- ReciprocalDivisors.cpp - Divide through reciprocals -----*- C++ -*-===//
//
// Rewrites x / p in per-step bodies, where p is a parameter-level value, into
// x * (1 / p) with 1 / p a new derived parameter, computed once per set. A
// division costs several times a multiplication and models divide by time
// constants in every derivative (Montbrio's tau four times per node and Heun
// step); the result differs from the division by at most 1.5 ulp.
//
//===----------------------------------------------------------------------===//

#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLRECIPROCALDIVISORSPASS
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;

namespace {
struct ReciprocalDivisorsPass
    : rateml::impl::RateMLReciprocalDivisorsPassBase<ReciprocalDivisorsPass> {
  void runOnOperation() override {
    ModelOp model = getOperation();
    mlir::SymbolTable symbols(model);
    SmallVector<arith::DivFOp> divisions;
    model.walk([&](arith::DivFOp div) {
      if (isa<DerivedOp, ConditionalOp, TimeDerivativeOp, ExposureOp,
              CouplingOp>(div->getParentOp()))
        divisions.push_back(div);
    });

    // One reciprocal per divisor, named after it.
    llvm::StringMap<std::string> reciprocalOf;
    for (arith::DivFOp div : divisions) {
      auto get = div.getRhs().getDefiningOp<GetOp>();
      if (!get)
        continue;
      Operation *def = symbols.lookup(get.getName());
      if (!def || getDefinedStage(def) != Stage::Parameter)
        continue;
      std::string &name = reciprocalOf[get.getName()];
      Location loc = div.getLoc();
      if (name.empty()) {
        name = uniqueName(symbols, get.getName());
        OpBuilder b(div->getParentOp());
        auto reciprocal =
            DerivedParamOp::create(b, loc, name,
                                   /*hoisted=*/true, isRegional(def));
        b.setInsertionPointToStart(b.createBlock(&reciprocal.getBody()));
        Value one = arith::ConstantOp::create(b, loc, b.getF64FloatAttr(1.0));
        Value divisor = GetOp::create(b, loc, b.getF64Type(), get.getName());
        Value inverse = arith::DivFOp::create(b, loc, one, divisor);
        YieldOp::create(b, loc, inverse);
        symbols.insert(reciprocal);
      }
      OpBuilder b(div);
      Value reciprocal = GetOp::create(b, loc, b.getF64Type(), name);
      div.replaceAllUsesWith(
          arith::MulFOp::create(b, loc, div.getLhs(), reciprocal).getResult());
      div.erase();
      if (get.use_empty())
        get.erase();
    }
  }

  static std::string uniqueName(mlir::SymbolTable &symbols, StringRef base) {
    std::string name = (base + "_reciprocal").str();
    for (unsigned k = 1; symbols.lookup(name); ++k)
      name = (base + "_reciprocal" + Twine(k)).str();
    return name;
  }
};
} // namespace
