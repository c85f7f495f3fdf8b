//===- RateMLOps.cpp - RateML operation verifiers -------------*- C++ -*-===//
//
// Verifiers and helpers of the rateml ops. The model verifier enforces what
// makes a model simulable: one derivative per state, valid coupling sources,
// no definition that depends on itself, and parameter-level definitions that
// read only parameter-level values.
//
//===----------------------------------------------------------------------===//

#include "rateml/Dialect/RateML/IR/RateMLOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include <cmath>
#include <cstdio>
#include <deque>
#include <set>

using namespace mlir;
using namespace mlir::rateml;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::optional<Stage> mlir::rateml::getDefinedStage(Operation *op) {
  if (isa<ParamOp, ConstantOp, DerivedParamOp>(op))
    return Stage::Parameter;
  if (isa<StateOp, DerivedOp, ConditionalOp, CouplingOp>(op))
    return Stage::Step;
  return std::nullopt;
}

bool mlir::rateml::isRegional(Operation *op) {
  if (auto p = dyn_cast_if_present<ParamOp>(op))
    return p.getRegional();
  if (auto c = dyn_cast_if_present<ConstantOp>(op))
    return c.getRegional();
  if (auto d = dyn_cast_if_present<DerivedParamOp>(op))
    return d.getRegional();
  return false;
}

void mlir::rateml::forEachRead(Operation *op,
                               function_ref<void(StringRef, GetOp)> fn) {
  for (Region &region : op->getRegions())
    region.walk([&](GetOp get) { fn(get.getName(), get); });
}

/// Checks that `region` ends in a rateml.yield of exactly `expected` types.
static LogicalResult verifyYield(Operation *op, Region &region,
                                 TypeRange expected, StringRef what) {
  auto yield = dyn_cast<YieldOp>(region.front().getTerminator());
  if (!yield)
    return op->emitOpError() << what << " must end in 'rateml.yield'";
  if (TypeRange(yield.getValues()) != expected) {
    InFlightDiagnostic diag = op->emitOpError()
                              << what << " must yield " << expected.size()
                              << " value(s) of type";
    for (Type t : expected)
      diag << " " << t;
    return diag;
  }
  return success();
}

/// Short decimal form of `v` for messages (diagnostics print doubles in
/// scientific notation otherwise).
static std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

static LogicalResult verifyFinite(Operation *op, double v, StringRef what) {
  if (!std::isfinite(v))
    return op->emitOpError() << what << " must be finite";
  return success();
}

// Kahn's algorithm: iterative, so long chains cannot exhaust the stack.
SmallVector<Operation *>
mlir::rateml::sortByDependencies(ArrayRef<Operation *> ops) {
  llvm::StringMap<size_t> index;
  for (auto [i, op] : llvm::enumerate(ops))
    index[cast<mlir::SymbolOpInterface>(op).getName()] = i;
  std::vector<std::vector<size_t>> readers(ops.size());
  std::vector<size_t> pending(ops.size(), 0);
  for (auto [i, op] : llvm::enumerate(ops)) {
    llvm::SmallDenseSet<size_t> deps;
    forEachRead(op, [&](StringRef name, GetOp) {
      auto it = index.find(name);
      if (it != index.end() && deps.insert(it->second).second) {
        readers[it->second].push_back(i);
        ++pending[i];
      }
    });
  }
  std::deque<size_t> ready;
  for (size_t i = 0; i < ops.size(); ++i)
    if (pending[i] == 0)
      ready.push_back(i);
  SmallVector<Operation *> order;
  while (!ready.empty()) {
    size_t i = ready.front();
    ready.pop_front();
    order.push_back(ops[i]);
    for (size_t r : readers[i])
      if (--pending[r] == 0)
        ready.push_back(r);
  }
  return order;
}

//===----------------------------------------------------------------------===//
// ModelOp
//===----------------------------------------------------------------------===//

bool ModelOp::hasDelays() {
  return mlir::SymbolTable::lookupSymbolIn(*this, kDelayFactorName) != nullptr;
}

SmallVector<StateOp, 4> ModelOp::getStates() {
  return llvm::to_vector<4>(getBody().front().getOps<StateOp>());
}

SmallVector<TimeDerivativeOp, 4> ModelOp::getTimeDerivatives() {
  return llvm::to_vector<4>(getBody().front().getOps<TimeDerivativeOp>());
}

SmallVector<CouplingOp, 4> ModelOp::getCouplings() {
  return llvm::to_vector<4>(getBody().front().getOps<CouplingOp>());
}

NoiseOp ModelOp::getNoise() {
  auto ops = getBody().front().getOps<NoiseOp>();
  return ops.empty() ? NoiseOp() : *ops.begin();
}

int64_t ModelOp::getStateIndex(StringRef name) {
  for (auto [i, state] : llvm::enumerate(getStates()))
    if (state.getSymName() == name)
      return i;
  return -1;
}

SmallVector<int64_t> ModelOp::computeDelayedStates() {
  std::set<int64_t> delayed;
  if (hasDelays())
    for (CouplingOp coupling : getCouplings())
      if (!coupling.getPre().getArgument(0).use_empty() ||
          !coupling.getPost().getArgument(0).use_empty())
        delayed.insert(coupling.getSource());
  return SmallVector<int64_t>(delayed.begin(), delayed.end());
}

namespace {
/// Finds a cycle among the definitions that read other definitions
/// (derived parameters, derived and conditional variables, couplings).
class CycleFinder {
public:
  explicit CycleFinder(ModelOp model) {
    for (Operation &op : model.getBody().front()) {
      if (op.getNumRegions() == 0)
        continue;
      auto sym = op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
      if (!sym)
        continue;
      defs[sym.getValue()] = &op;
      order.push_back(sym.getValue());
    }
  }

  /// Returns the names along the first cycle found, first name repeated at
  /// the end, or an empty list.
  SmallVector<StringRef> find() {
    for (StringRef name : order)
      if (visit(name))
        return cycle;
    return {};
  }

  Operation *lookup(StringRef name) const { return defs.lookup(name); }

private:
  enum class Color { White, Grey, Black };

  /// Depth-first search with an explicit stack, so that a long chain of
  /// definitions cannot exhaust the call stack.
  bool visit(StringRef root) {
    struct Frame {
      StringRef name;
      SmallVector<StringRef> reads;
      size_t next = 0;
    };
    SmallVector<Frame> stack;
    auto push = [&](StringRef name) {
      colors[name] = Color::Grey;
      Frame frame{name, {}, 0};
      llvm::SetVector<StringRef> reads;
      forEachRead(defs.lookup(name),
                  [&](StringRef read, GetOp) { reads.insert(read); });
      frame.reads.assign(reads.begin(), reads.end());
      stack.push_back(std::move(frame));
    };
    if (colors.lookup(root) == Color::Black)
      return false;
    push(root);
    while (!stack.empty()) {
      Frame &top = stack.back();
      if (top.next == top.reads.size()) {
        colors[top.name] = Color::Black;
        stack.pop_back();
        continue;
      }
      StringRef read = top.reads[top.next++];
      if (!defs.count(read))
        continue;
      Color color = colors.lookup(read);
      if (color == Color::Grey) {
        auto it = llvm::find_if(stack,
                                [&](const Frame &f) { return f.name == read; });
        for (; it != stack.end(); ++it)
          cycle.push_back(it->name);
        cycle.push_back(read);
        return true;
      }
      if (color == Color::White)
        push(read);
    }
    return false;
  }

  llvm::StringMap<Operation *> defs;
  SmallVector<StringRef> order;
  llvm::StringMap<Color> colors;
  SmallVector<StringRef> cycle;
};
} // namespace

/// Couplings are computed before the node's derived variables, so they may
/// read states and parameter-level values only.
static LogicalResult verifyCouplingReads(ModelOp model,
                                         mlir::SymbolTable &symbols) {
  LogicalResult result = success();
  for (CouplingOp coupling : model.getCouplings())
    forEachRead(coupling, [&](StringRef name, GetOp get) {
      Operation *def = symbols.lookup(name);
      if (failed(result) ||
          !isa_and_nonnull<DerivedOp, ConditionalOp, CouplingOp>(def))
        return;
      result = get.emitOpError()
               << "coupling '" << coupling.getSymName() << "' reads '" << name
               << "'; couplings are computed before the derived variables "
                  "and may read only states and parameter-level values";
    });
  return result;
}

/// Exposures are functions of the state, recorded at sample times for which
/// no coupling is computed, so nothing they read may depend on a coupling.
static LogicalResult verifyExposureReads(ModelOp model) {
  llvm::StringSet<> dependsOnCoupling;
  for (CouplingOp coupling : model.getCouplings())
    dependsOnCoupling.insert(coupling.getSymName());
  SmallVector<Operation *> derived;
  for (Operation &op : model.getBody().front())
    if (isa<DerivedOp, ConditionalOp>(op))
      derived.push_back(&op);
  // Dependency order: one pass sees every transitive dependence (cycles are
  // left out here and reported by the cycle check).
  for (Operation *op : sortByDependencies(derived)) {
    bool depends = false;
    forEachRead(op, [&](StringRef name, GetOp) {
      depends |= dependsOnCoupling.contains(name);
    });
    if (depends)
      dependsOnCoupling.insert(cast<mlir::SymbolOpInterface>(op).getName());
  }
  LogicalResult result = success();
  for (ExposureOp exposure : model.getBody().front().getOps<ExposureOp>())
    forEachRead(exposure, [&](StringRef name, GetOp get) {
      if (failed(result) || !dependsOnCoupling.contains(name))
        return;
      result = get.emitOpError()
               << "exposure '" << exposure.getName() << "' reads '" << name
               << "', which depends on a coupling; exposures may depend only "
                  "on states and parameter-level values";
    });
  return result;
}

LogicalResult ModelOp::verifyRegions() {
  SmallVector<StateOp> states = getStates();
  SmallVector<TimeDerivativeOp> derivatives = getTimeDerivatives();
  if (states.empty())
    return emitOpError() << "model has no state variables";
  if (states.size() != derivatives.size()) {
    InFlightDiagnostic diag =
        emitOpError() << "has " << states.size() << " state variable(s) but "
                      << derivatives.size() << " time derivative(s)";
    if (derivatives.size() > states.size())
      diag.attachNote(derivatives[states.size()].getLoc())
          << "first time derivative without a state variable";
    else
      diag.attachNote(states[derivatives.size()].getLoc())
          << "first state variable without a time derivative";
    return diag;
  }

  mlir::SymbolTable symbols(*this);
  llvm::StringSet<> exposureNames;
  unsigned noiseCount = 0;
  for (Operation &op : getBody().front()) {
    if (auto coupling = dyn_cast<CouplingOp>(op)) {
      int64_t source = coupling.getSource();
      if (source >= static_cast<int64_t>(states.size()))
        return coupling.emitOpError()
               << "source state index " << source << " is out of range (the "
               << "model has " << states.size() << " state variable(s))";
    } else if (auto exposure = dyn_cast<ExposureOp>(op)) {
      if (!exposureNames.insert(exposure.getName()).second)
        return exposure.emitOpError()
               << "duplicate exposure '" << exposure.getName() << "'";
    } else if (auto noise = dyn_cast<NoiseOp>(op)) {
      if (++noiseCount > 1)
        return noise.emitOpError() << "a model has at most one noise op";
      auto yield = cast<YieldOp>(noise.getBody().front().getTerminator());
      size_t n = yield.getValues().size();
      if (n != 1 && n != states.size())
        return noise.emitOpError()
               << "must yield one amplitude or one per state variable ("
               << states.size() << "), got " << n;
    }

    // Parameter-level definitions must not read step-level values.
    if (auto derivedParam = dyn_cast<DerivedParamOp>(op)) {
      LogicalResult result = success();
      forEachRead(derivedParam, [&](StringRef name, GetOp get) {
        Operation *def = symbols.lookup(name);
        if (failed(result) || !def || getDefinedStage(def) != Stage::Step)
          return;
        result = get.emitOpError()
                 << "derived parameter '" << derivedParam.getSymName()
                 << "' reads '" << name
                 << "', which changes every step; make it a derived variable";
      });
      if (failed(result))
        return result;
      // Node-level exactly when it reads a node-level value, so that the
      // kernels compute it per (set, node) and nothing else reads it per set.
      StringRef regionalRead;
      forEachRead(derivedParam, [&](StringRef name, GetOp) {
        if (regionalRead.empty() && isRegional(symbols.lookup(name)))
          regionalRead = name;
      });
      if (!regionalRead.empty() && !derivedParam.getRegional())
        return derivedParam.emitOpError()
               << "reads the regional value '" << regionalRead
               << "' and must be marked regional";
      if (regionalRead.empty() && derivedParam.getRegional())
        return derivedParam.emitOpError()
               << "is marked regional but reads no regional value";
    }
    // TVB's coupling functions and its additive noise take no per-node model
    // parameters, and the kernels evaluate them outside the per-node values.
    if (isa<CouplingOp, NoiseOp>(op)) {
      LogicalResult result = success();
      forEachRead(&op, [&](StringRef name, GetOp get) {
        if (succeeded(result) && isRegional(symbols.lookup(name)))
          result = get.emitOpError()
                   << "reads the regional value '" << name << "'; "
                   << (isa<NoiseOp>(op) ? "noise amplitudes" : "couplings")
                   << " are the same at every node (TVB's coupling functions "
                      "and additive noise have no per-node parameters)";
      });
      if (failed(result))
        return result;
    }
  }

  if (failed(verifyCouplingReads(*this, symbols)) ||
      failed(verifyExposureReads(*this)))
    return failure();

  if (auto speed = getConductionSpeedAttr()) {
    Operation *def = symbols.lookup(speed.getValue());
    if (!def || getDefinedStage(def) != Stage::Parameter)
      return emitOpError() << "conduction_speed must name a parameter-level "
                              "value, got "
                           << speed;
    if (isRegional(def))
      return emitOpError() << "conduction_speed " << speed
                           << " is regional; delays are per parameter set";
  }

  CycleFinder finder(*this);
  SmallVector<StringRef> cycle = finder.find();
  if (!cycle.empty()) {
    InFlightDiagnostic diag = finder.lookup(cycle.front())->emitOpError()
                              << "definition depends on itself: ";
    constexpr size_t kShown = 8;
    if (cycle.size() <= kShown) {
      llvm::interleave(cycle, diag, " -> ");
    } else {
      llvm::interleave(ArrayRef(cycle).take_front(kShown - 1), diag, " -> ");
      diag << " -> ... -> " << cycle.back() << " (" << cycle.size() - 1
           << " definitions)";
    }
    return diag;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (failed(verifyFinite(*this, getLo().convertToDouble(), "range")) ||
      failed(verifyFinite(*this, getHi().convertToDouble(), "range")))
    return failure();
  if (getLo().convertToDouble() > getHi().convertToDouble())
    return emitOpError() << "range is empty: " << fmt(getLo().convertToDouble())
                         << " > " << fmt(getHi().convertToDouble());
  return success();
}

LogicalResult ConstantOp::verify() {
  return verifyFinite(*this, getValue().convertToDouble(), "value");
}

LogicalResult StateOp::verify() {
  if (failed(verifyFinite(*this, getInitLo().convertToDouble(),
                          "initial range")) ||
      failed(
          verifyFinite(*this, getInitHi().convertToDouble(), "initial range")))
    return failure();
  if (getLower() && getUpper() &&
      getLower()->convertToDouble() > getUpper()->convertToDouble())
    return emitOpError() << "lower bound " << fmt(getLower()->convertToDouble())
                         << " is above upper bound "
                         << fmt(getUpper()->convertToDouble());
  return success();
}

static LogicalResult verifyExprBody(Operation *op, Region &body) {
  Builder b(op->getContext());
  return verifyYield(op, body, b.getF64Type(), "body");
}

LogicalResult DerivedParamOp::verifyRegions() {
  return verifyExprBody(*this, getBody());
}
LogicalResult DerivedOp::verifyRegions() {
  return verifyExprBody(*this, getBody());
}
LogicalResult ExposureOp::verifyRegions() {
  return verifyExprBody(*this, getBody());
}
LogicalResult TimeDerivativeOp::verifyRegions() {
  return verifyExprBody(*this, getBody());
}

LogicalResult ConditionalOp::verifyRegions() {
  if (getCases().empty())
    return emitOpError() << "needs at least one case";
  Builder b(getContext());
  Type f64 = b.getF64Type(), i1 = b.getI1Type();
  for (auto [i, region] : llvm::enumerate(getCases())) {
    if (region.getNumArguments() != 0)
      return emitOpError() << "cases take no arguments";
    bool isElse = i + 1 == getCases().size();
    SmallVector<Type> expected;
    if (!isElse)
      expected.push_back(i1);
    expected.push_back(f64);
    if (failed(verifyYield(*this, region, expected,
                           isElse ? "the last (else) case"
                                  : "a case before the last")))
      return failure();
  }
  return success();
}

LogicalResult CouplingOp::verifyRegions() {
  if (static_cast<int64_t>(getSource()) < 0)
    return emitOpError() << "source state index "
                         << static_cast<int64_t>(getSource()) << " is negative";
  Builder b(getContext());
  Type f64 = b.getF64Type();
  if (getScale().getNumArguments() != 0)
    return emitOpError() << "scale takes no arguments";
  for (Region *region : {&getPre(), &getPost()})
    if (region->getNumArguments() != 1 ||
        region->getArgument(0).getType() != f64)
      return emitOpError()
             << "pre and post take one f64 argument (the delayed source)";
  if (failed(verifyYield(*this, getScale(), f64, "scale")) ||
      failed(verifyYield(*this, getPre(), f64, "pre")) ||
      failed(verifyYield(*this, getPost(), f64, "post")))
    return failure();
  return success();
}

void CouplingOp::getAsmBlockArgumentNames(Region &region,
                                          OpAsmSetValueNameFn setNameFn) {
  if (region.empty() || region.getNumArguments() != 1)
    return;
  if (std::optional<StringRef> name = getSourceName())
    setNameFn(region.getArgument(0), *name);
}

LogicalResult NoiseOp::verifyRegions() {
  auto yield = dyn_cast<YieldOp>(getBody().front().getTerminator());
  if (!yield || yield.getValues().empty() ||
      !llvm::all_of(yield.getValues().getTypes(),
                    [](Type t) { return t.isF64(); }))
    return emitOpError() << "must yield one or more f64 amplitudes";
  return success();
}

//===----------------------------------------------------------------------===//
// GetOp
//===----------------------------------------------------------------------===//

LogicalResult GetOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto model = (*this)->getParentOfType<ModelOp>();
  if (!model)
    return emitOpError() << "must be inside a 'rateml.model'";
  Operation *def = symbolTable.lookupSymbolIn(model, getNameAttr());
  if (!def)
    return emitOpError() << "unknown name '" << getName() << "'";
  if (!getDefinedStage(def))
    return emitOpError() << "'" << getName() << "' does not name a value";
  return success();
}

LogicalResult GetOp::canonicalize(GetOp op, PatternRewriter &rewriter) {
  auto model = op->getParentOfType<ModelOp>();
  if (!model)
    return failure();
  auto def = mlir::SymbolTable::lookupSymbolIn(model, op.getNameAttr());
  auto derived = dyn_cast_or_null<DerivedParamOp>(def);
  if (!derived)
    return failure();
  auto yield = cast<YieldOp>(derived.getBody().front().getTerminator());
  auto literal = yield.getValues().front().getDefiningOp<arith::ConstantOp>();
  if (!literal)
    return failure();
  rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, literal.getValue());
  return success();
}

void GetOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getResult(), getName());
}

#define GET_OP_CLASSES
#include "rateml/Dialect/RateML/IR/RateMLOps.cpp.inc"
