//===- Expressions.cpp - The model's expressions, per lane ----------------===//
//
// The model's expression regions are cloned op for op, with f64 scalars
// becoming values of every lane in the kernel's precision, so the kernels
// compute exactly what the model says in the order docs/simulation.md
// fixes.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::kernels;

SmallVector<Value> KernelBuilder::cloneRegion(OpBuilder &b, Region &region,
                                              bool vector, const Reads &reads,
                                              Value arg, Type vectorType) {
  Block &block = region.front();
  IRMapping mapping;
  if (arg)
    mapping.map(block.getArgument(0), arg);
  Type valueType = vectorType ? vectorType : vecType;
  Type boolType = maskType;
  if (vectorType)
    if (auto shaped = dyn_cast<VectorType>(vectorType))
      boolType = shaped.clone(IntegerType::get(ctx, 1));
  auto convert = [&](Type t) -> Type {
    if (!vector)
      return t;
    return t.isInteger(1) ? boolType : valueType;
  };
  for (Operation &op : block) {
    if (auto get = dyn_cast<GetOp>(op)) {
      mapping.map(get.getResult(), reads.symbol(get.getName()));
    } else if (isa<DtOp>(op)) {
      mapping.map(op.getResult(0), reads.slot(abi::kSlotDt));
    } else if (isa<NNodeOp>(op)) {
      mapping.map(op.getResult(0), reads.slot(abi::kSlotNumNodes));
    } else if (auto yield = dyn_cast<YieldOp>(op)) {
      SmallVector<Value> results;
      for (Value v : yield.getValues())
        results.push_back(mapping.lookup(v));
      return results;
    } else if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      TypedAttr value = c.getValue();
      if (vector) {
        TypedAttr scalar =
            c.getType().isInteger(1)
                ? value
                : TypedAttr(FloatAttr::get(
                      elem, cast<FloatAttr>(value).getValueAsDouble()));
        value = isVector() ? TypedAttr(DenseElementsAttr::get(
                                 cast<ShapedType>(convert(c.getType())),
                                 ArrayRef<Attribute>(scalar)))
                           : scalar;
      }
      mapping.map(c.getResult(), arith::ConstantOp::create(b, loc, value));
    } else {
      Operation *clone = b.clone(op, mapping);
      for (Value result : clone->getResults())
        result.setType(convert(result.getType()));
    }
  }
  llvm_unreachable("expression regions end in rateml.yield");
}

Value KernelBuilder::clip(OpBuilder &b, StateOp state, Value x) {
  if (auto lower = state.getLower()) {
    Value lo = splat(b, lower->convertToDouble());
    Value below =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, lo);
    x = arith::SelectOp::create(b, loc, below, lo, x);
  }
  if (auto upper = state.getUpper()) {
    Value hi = splat(b, upper->convertToDouble());
    Value above =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, hi);
    x = arith::SelectOp::create(b, loc, above, hi, x);
  }
  return x;
}

void KernelBuilder::evaluateDerived(OpBuilder &b,
                                    llvm::StringMap<Value> &values,
                                    const Reads &read) {
  for (Operation *op : derived) {
    StringRef name = cast<mlir::SymbolOpInterface>(op).getName();
    if (auto d = dyn_cast<DerivedOp>(op)) {
      values[name] = cloneRegion(b, d.getBody(), true, read)[0];
      continue;
    }
    // First true case wins: select from the last case backwards.
    auto cases = cast<ConditionalOp>(op).getCases();
    Value result = cloneRegion(b, cases.back(), true, read)[0];
    SmallVector<SmallVector<Value>> evaluated;
    for (Region &region : cases.drop_back())
      evaluated.push_back(cloneRegion(b, region, true, read));
    for (auto &cv : llvm::reverse(evaluated))
      result = arith::SelectOp::create(b, loc, cv[0], cv[1], result);
    values[name] = result;
  }
}

llvm::StringMap<Value> KernelBuilder::loadNodeValues(OpBuilder &b,
                                                     Value nodeParams, Value n,
                                                     Value node) {
  llvm::StringMap<Value> values;
  for (const auto &entry : nodeSlotOf)
    values[entry.getKey()] = loadVec(
        b, nodeParams, laneOffset(b, index(b, entry.getValue()), n, node));
  return values;
}

SmallVector<Value> KernelBuilder::evaluateAt(
    OpBuilder &b, Value params, ValueRange x, ValueRange c,
    const llvm::StringMap<Value> &nodeValues, ArrayRef<Region *> outputs) {
  llvm::StringMap<Value> values(nodeValues);
  for (auto [s, state] : llvm::enumerate(states))
    values[state.getSymName()] = x[s];
  for (auto [k, coupling] : llvm::enumerate(couplings))
    values[coupling.getSymName()] = c[k];
  Reads read = makeReads(b, params, values);
  evaluateDerived(b, values, read);
  SmallVector<Value> results;
  for (Region *body : outputs)
    results.push_back(cloneRegion(b, *body, true, read)[0]);
  return results;
}
