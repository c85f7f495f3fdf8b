//===- ReferenceModelInfo.cpp - A model's ModelInfo, from the op --------===//
//
// Slots follow the kernel ABI: the fixed ones, then parameters, constants,
// derived parameters (dependency order) and one noise amplitude per state.
//
//===----------------------------------------------------------------------===//

#include "rateml/Reference/ReferenceModelInfo.h"
#include "rateml/Dialect/RateML/IR/ModelStructure.h"
#include "rateml/Version.h"
#include "rateml/runtime/KernelABI.h"
#include "llvm/ADT/StringMap.h"
#include <cmath>

using namespace mlir;
using namespace mlir::rateml;
namespace rt = ::rateml::runtime;

rt::ModelInfo mlir::rateml::reference::buildModelInfo(ModelOp model) {
  ModelStructure structure(model);
  rt::ModelInfo info;
  info.abi = rt::kKernelABIVersion;
  info.version = RATEML_VERSION;
  info.model = model.getSymName().str();
  info.description = model.getDescription().value_or("").str();
  info.precision = "f64";
  info.lanes = 1;
  info.block = 1;
  llvm::StringMap<unsigned> slotOf;
  unsigned slot = rt::kNumFixedSlots;
  // Regional bases keep their set slot and get a node slot; regional
  // derived parameters have only a node slot, after the bases.
  auto addRegional = [&](Operation *op, StringRef name) {
    if (isRegional(op))
      info.regional.push_back({name.str(), slot, info.numNodeSlots++});
  };
  for (ParamOp p : structure.params) {
    slotOf[p.getSymName()] = slot;
    addRegional(p, p.getSymName());
    info.params.push_back({p.getSymName().str(), p.getLo().convertToDouble(),
                           p.getHi().convertToDouble(), slot++});
  }
  for (ConstantOp c : structure.constants) {
    slotOf[c.getSymName()] = slot;
    addRegional(c, c.getSymName());
    info.constants.push_back(
        {c.getSymName().str(), c.getValue().convertToDouble(), slot++});
  }
  for (DerivedParamOp d : structure.derivedParams) {
    if (d.getRegional())
      ++info.numNodeSlots;
    else
      slotOf[d.getSymName()] = slot++;
  }
  if (structure.noise) {
    info.noiseSlot = slot;
    slot += structure.states.size();
  }
  info.numSlots = slot;
  for (StateOp s : structure.states)
    info.states.push_back(
        {s.getSymName().str(), s.getInitLo().convertToDouble(),
         s.getInitHi().convertToDouble(),
         s.getLower() ? s.getLower()->convertToDouble() : -INFINITY,
         s.getUpper() ? s.getUpper()->convertToDouble() : INFINITY});
  for (ExposureOp e : structure.exposures)
    info.exposures.push_back(e.getName().str());
  info.numCouplings = structure.couplings.size();
  for (int64_t s : model.computeDelayedStates())
    info.historyStates.push_back(unsigned(s));
  if (auto speed = model.getConductionSpeed())
    info.speedSlot = slotOf.lookup(*speed);
  return info;
}
