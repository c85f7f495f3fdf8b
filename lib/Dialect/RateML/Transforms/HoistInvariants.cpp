//===- HoistInvariants.cpp - Hoist parameter-level work -------*- C++ -*-===//
//
// Moves subexpressions of per-step bodies that depend only on the parameter
// set into new rateml.derived_param ops, so that they are computed once per
// parameter set rather than once per step and node. A subexpression that
// reads a regional value is node-level: its derived parameter is regional,
// computed once per (set, node).
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::rateml {
#define GEN_PASS_DEF_RATEMLHOISTINVARIANTSPASS
#include "rateml/Dialect/RateML/Transforms/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;

namespace {
class Hoister {
public:
  explicit Hoister(ModelOp model) : model(model), symbols(model) {}

  void run() {
    SmallVector<std::pair<Operation *, Region *>> bodies;
    for (Operation &op : model.getBody().front()) {
      if (isa<DerivedOp, ExposureOp, TimeDerivativeOp>(op))
        bodies.push_back({&op, &op.getRegion(0)});
      else if (auto conditional = dyn_cast<ConditionalOp>(op))
        for (Region &region : conditional.getCases())
          bodies.push_back({&op, &region});
      else if (auto coupling = dyn_cast<CouplingOp>(op)) {
        bodies.push_back({&op, &coupling.getPre()});
        bodies.push_back({&op, &coupling.getPost()});
      }
    }
    for (auto [owner, region] : bodies)
      hoistFrom(owner, region->front());
  }

private:
  /// How often a value changes: once per parameter set, once per (set,
  /// node) (it reads a regional value), or every step.
  enum class Level { Set, Node, Step };

  Level levelOf(Operation *op,
                const llvm::DenseMap<Operation *, Level> &levels) {
    // Only real values can become derived parameters; conditions stay.
    if (op->getNumRegions() != 0 || !isMemoryEffectFree(op) ||
        op->getNumResults() != 1 || !op->getResult(0).getType().isF64())
      return Level::Step;
    if (auto get = dyn_cast<GetOp>(op)) {
      Operation *def = symbols.lookup(get.getName());
      if (!def || getDefinedStage(def) != Stage::Parameter)
        return Level::Step;
      return isRegional(def) ? Level::Node : Level::Set;
    }
    Level level = Level::Set;
    for (Value v : op->getOperands()) {
      auto it = levels.find(v.getDefiningOp());
      if (it == levels.end())
        return Level::Step;
      level = std::max(level, it->second);
    }
    return level;
  }

  static bool isTrivial(Operation *op) {
    return isa<GetOp, DtOp, NNodeOp>(op) || matchPattern(op, m_Constant());
  }

  static StringRef ownerName(Operation *owner) {
    if (auto sym = owner->getAttrOfType<StringAttr>(
            mlir::SymbolTable::getSymbolAttrName()))
      return sym.getValue();
    if (auto derivative = dyn_cast<TimeDerivativeOp>(owner))
      return derivative.getVariable();
    return cast<ExposureOp>(owner).getName();
  }

  std::string uniqueName(StringRef base) {
    for (unsigned k = 0;; ++k) {
      std::string name = (base + "_inv" + Twine(k)).str();
      if (!symbols.lookup(name))
        return name;
    }
  }

  void hoistFrom(Operation *owner, Block &block) {
    // The set- and node-level ops (step-level ones are left out).
    llvm::DenseMap<Operation *, Level> invariant;
    for (Operation &op : block)
      if (Level level = levelOf(&op, invariant); level != Level::Step)
        invariant[&op] = level;

    SmallVector<Operation *> roots;
    for (Operation &op : block) {
      if (!invariant.contains(&op) || isTrivial(&op))
        continue;
      if (llvm::any_of(op.getUsers(), [&](Operation *user) {
            return !invariant.contains(user);
          }))
        roots.push_back(&op);
    }

    for (Operation *root : roots) {
      llvm::SetVector<Operation *> slice;
      collectSlice(root, slice);
      SmallVector<Operation *> ordered = slice.takeVector();
      llvm::sort(ordered, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });

      OpBuilder b(owner);
      std::string name = uniqueName(ownerName(owner));
      bool regional = invariant.lookup(root) == Level::Node;
      auto derived = DerivedParamOp::create(b, root->getLoc(), name,
                                            /*hoisted=*/true, regional);
      b.setInsertionPointToStart(b.createBlock(&derived.getBody()));
      IRMapping mapping;
      for (Operation *op : ordered)
        b.clone(*op, mapping);
      YieldOp::create(b, root->getLoc(), mapping.lookup(root->getResult(0)));
      symbols.insert(derived);

      b.setInsertionPoint(root);
      auto read = GetOp::create(b, root->getLoc(), b.getF64Type(), name);
      root->getResult(0).replaceAllUsesWith(read.getResult());
    }

    // Erase what the replaced roots left unused.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
      if (!op.hasTrait<OpTrait::IsTerminator>() && op.use_empty() &&
          isMemoryEffectFree(&op))
        op.erase();
  }

  static void collectSlice(Operation *op, llvm::SetVector<Operation *> &out) {
    if (!out.insert(op))
      return;
    for (Value operand : op->getOperands())
      collectSlice(operand.getDefiningOp(), out);
  }

  ModelOp model;
  mlir::SymbolTable symbols;
};

struct HoistInvariantsPass
    : rateml::impl::RateMLHoistInvariantsPassBase<HoistInvariantsPass> {
  void runOnOperation() override { Hoister(getOperation()).run(); }
};
} // namespace
