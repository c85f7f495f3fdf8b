//===- MarkRegional.cpp - Make named values per-node -----------*- C++ -*-===//
//
// rateml-compile --regional: the named params and constants become regional
// (one value per parameter set and node), and so does every derived
// parameter that reads one, which the model verifier requires.
//
//===----------------------------------------------------------------------===//

#include "rateml/Dialect/RateML/Transforms/Passes.h"

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLMARKREGIONALPASS
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;

namespace {
struct MarkRegionalPass
    : rateml::impl::RateMLMarkRegionalPassBase<MarkRegionalPass> {
  using Base::Base;

  void runOnOperation() override {
    ModelOp model = getOperation();
    mlir::SymbolTable symbols(model);
    for (const std::string &name : names) {
      Operation *def = symbols.lookup(name);
      if (auto p = dyn_cast_if_present<ParamOp>(def)) {
        p.setRegional(true);
      } else if (auto c = dyn_cast_if_present<ConstantOp>(def)) {
        c.setRegional(true);
      } else if (def) {
        def->emitError() << "--regional '" << name
                         << "': only a parameter or a constant can be "
                            "regional, not a "
                         << describe(def);
        return signalPassFailure();
      } else {
        model.emitError() << "--regional '" << name << "': model '"
                          << model.getSymName() << "' has no such parameter "
                          << "or constant" << suggest(model, name);
        return signalPassFailure();
      }
    }
    // Dependency order, so one pass sees every transitive read.
    SmallVector<Operation *> derivedParams;
    for (Operation &op : model.getBody().front())
      if (isa<DerivedParamOp>(op))
        derivedParams.push_back(&op);
    for (Operation *op : sortByDependencies(derivedParams)) {
      bool readsRegional = false;
      forEachRead(op, [&](StringRef read, GetOp) {
        readsRegional |= isRegional(symbols.lookup(read));
      });
      if (readsRegional)
        cast<DerivedParamOp>(op).setRegional(true);
    }
  }

  static StringRef describe(Operation *def) {
    if (isa<StateOp>(def))
      return "state variable";
    if (isa<DerivedParamOp>(def))
      return "derived parameter (it is regional when it reads a regional "
             "value)";
    if (isa<DerivedOp, ConditionalOp>(def))
      return "derived variable";
    if (isa<CouplingOp>(def))
      return "coupling";
    return "declaration of this kind";
  }

  /// "; did you mean 'x'?" for the nearest param or constant, or "".
  static std::string suggest(ModelOp model, StringRef name) {
    StringRef best;
    unsigned bestDistance = 3;
    for (Operation &op : model.getBody().front()) {
      if (!isa<ParamOp, ConstantOp>(op))
        continue;
      StringRef candidate = cast<SymbolOpInterface>(op).getName();
      unsigned d = name.edit_distance(candidate, true, bestDistance);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best.empty() ? std::string()
                        : "; did you mean '" + best.str() + "'?";
  }
};
} // namespace
