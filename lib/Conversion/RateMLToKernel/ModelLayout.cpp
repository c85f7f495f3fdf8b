//===- ModelLayout.cpp - What the kernels need to know about a model ------===//
//
// Computed once per model and shared by the kernels of every target. The
// check of the expression ops is an allow-list: the kernel builder clones
// expressions op for op and retypes them per lane, which is correct only
// for element-wise scalar arithmetic; anything else (a new op a pass or the
// frontend starts to emit) is refused here with a located error rather than
// miscompiled.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::kernels;

/// Whether the kernels can emit `op` inside an expression region.
static bool isEmittable(Operation *op) {
  return isa<GetOp, DtOp, NNodeOp, YieldOp, arith::ConstantOp, arith::AddFOp,
             arith::SubFOp, arith::MulFOp, arith::DivFOp, arith::NegFOp,
             arith::MinNumFOp, arith::MaxNumFOp, arith::MinimumFOp,
             arith::MaximumFOp, arith::CmpFOp, arith::SelectOp, arith::XOrIOp,
             arith::UIToFPOp, math::PowFOp, math::ExpOp, math::LogOp,
             math::Log10Op, math::SqrtOp, math::SinOp, math::CosOp, math::TanOp,
             math::AsinOp, math::AcosOp, math::AtanOp, math::SinhOp,
             math::CoshOp, math::TanhOp, math::AbsFOp, math::CeilOp,
             math::FloorOp, math::ErfOp>(op);
}

FailureOr<ModelLayout> ModelLayout::analyse(ModelOp model) {
  ModelLayout layout(model);
  for (Operation &decl : model.getBody().front())
    for (Region &region : decl.getRegions())
      for (Operation &op : region.front())
        if (!isEmittable(&op))
          return op.emitError() << "convert-rateml-to-kernel cannot emit '"
                                << op.getName() << "' in an expression";

  auto addBase = [&](Operation *op, StringRef name) {
    layout.slotOf[name] = layout.numSlots++;
    if (isRegional(op)) {
      layout.nodeSlotOf[name] = layout.numNodeSlots++;
      layout.regionalBases.push_back(op);
    }
  };
  for (ParamOp p : layout.params)
    addBase(p, p.getSymName());
  for (ConstantOp c : layout.constants)
    addBase(c, c.getSymName());
  for (DerivedParamOp d : layout.derivedParams) {
    if (!d.getRegional()) {
      layout.slotOf[d.getSymName()] = layout.numSlots++;
      continue;
    }
    layout.nodeSlotOf[d.getSymName()] = layout.numNodeSlots++;
    layout.regionalDerived.push_back(d);
  }
  layout.noiseSlot = layout.numSlots;
  if (layout.noise)
    layout.numSlots += layout.states.size();

  layout.hasDelays = model.hasDelays();
  auto delayed = model.getDelayedStates();
  if (!delayed || (layout.hasDelays && !model.getConductionSpeed()))
    return model.emitError()
           << "run rateml-optimize-model before convert-rateml-to-kernel";
  layout.delayedStates.assign(delayed->begin(), delayed->end());
  layout.historyChannel.assign(layout.states.size(), -1);
  for (auto [channel, s] : llvm::enumerate(layout.delayedStates))
    layout.historyChannel[s] = channel;
  layout.couplingReadsOnlySources =
      layout.hasDelays && !layout.couplings.empty() &&
      llvm::all_of(layout.couplings, [&](CouplingOp c) {
        std::optional<CouplingKind> kind = c.getKind();
        return layout.historyChannel[c.getSource()] >= 0 && kind &&
               (*kind == CouplingKind::Linear ||
                *kind == CouplingKind::SourceFunction);
      });
  return layout;
}
