//===- Metadata.cpp - The model description the runtime reads -------------===//
//
// A NUL-terminated JSON string (symbol::kModelJson, keys json_key::*):
// names, slots, ranges, bounds and sizes, which the runtime needs to lay
// out its arrays, check the command line and label the output
// (runtime/lib/ModelInfo.cpp parses it).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "rateml/Version.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::kernels;
namespace json_key = ::rateml::runtime::json_key;
namespace symbol = ::rateml::runtime::symbol;

void KernelBuilder::buildMetadata(OpBuilder &b) {
  using llvm::json::Array;
  using llvm::json::Object;
  auto bound = [](std::optional<APFloat> v) -> llvm::json::Value {
    if (!v)
      return nullptr;
    return v->convertToDouble();
  };
  namespace key = json_key;
  Array paramsJson, constantsJson, statesJson, exposuresJson, delayedJson;
  for (ParamOp p : params)
    paramsJson.push_back(Object{{key::kName, p.getSymName()},
                                {key::kLo, p.getLo().convertToDouble()},
                                {key::kHi, p.getHi().convertToDouble()},
                                {key::kSlot, slotOf.lookup(p.getSymName())}});
  for (ConstantOp c : constants)
    constantsJson.push_back(
        Object{{key::kName, c.getSymName()},
               {key::kValue, c.getValue().convertToDouble()},
               {key::kSlot, slotOf.lookup(c.getSymName())}});
  Array regionalJson;
  for (Operation *op : regionalBases) {
    StringRef name = cast<SymbolOpInterface>(op).getName();
    regionalJson.push_back(Object{{key::kName, name},
                                  {key::kSlot, slotOf.lookup(name)},
                                  {key::kNodeSlot, nodeSlotOf.lookup(name)}});
  }
  for (StateOp st : states)
    statesJson.push_back(
        Object{{key::kName, st.getSymName()},
               {key::kInitLo, st.getInitLo().convertToDouble()},
               {key::kInitHi, st.getInitHi().convertToDouble()},
               {key::kLower, bound(st.getLower())},
               {key::kUpper, bound(st.getUpper())}});
  for (ExposureOp e : exposures)
    exposuresJson.push_back(e.getName());
  for (int64_t s : delayedStates)
    delayedJson.push_back(s);
  Object meta{{key::kAbi, abi::kKernelABIVersion},
              {key::kVersion, RATEML_VERSION},
              {key::kModel, model.getSymName()},
              {key::kDescription, model.getDescription().value_or("")},
              {key::kLanes, lanes},
              {key::kBlock, blockSteps},
              {key::kLaneBlock, laneBlockSteps},
              {key::kTarget, isVector() ? "cpu" : "gpu"},
              {key::kPrecision, elem.isF64() ? "f64" : "f32"},
              {key::kNumSlots, numSlots},
              {key::kNumNodeSlots, numNodeSlots},
              {key::kRegional, std::move(regionalJson)},
              {key::kParams, std::move(paramsJson)},
              {key::kConstants, std::move(constantsJson)},
              {key::kStates, std::move(statesJson)},
              {key::kExposures, std::move(exposuresJson)},
              {key::kNumCouplings, couplings.size()},
              {key::kHistoryStates, std::move(delayedJson)},
              {key::kNoiseSlot, noise ? llvm::json::Value(noiseSlot) : nullptr},
              {key::kSpeedSlot, hasDelays
                                    ? llvm::json::Value(slotOf.lookup(
                                          model.getConductionSpeed().value()))
                                    : nullptr}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(meta));
  text.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), text.size());
  LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                         LLVM::Linkage::External, symbol::kModelJson + suffix,
                         b.getStringAttr(text));
}
