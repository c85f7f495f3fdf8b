//===- ModelSummary.cpp - One-screen description of a model ---*- C++ -*-===//
//
// Formats the declarations of a rateml.model as a short table.
//
//===----------------------------------------------------------------------===//

#include "ModelSummary.h"
#include "rateml/Dialect/RateML/IR/ModelStructure.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::rateml;

namespace {
std::string num(double v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%g", v);
  return s;
}

std::string join(ArrayRef<std::string> items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i)
    s += (i ? ", " : "") + items[i];
  return s.empty() ? "none" : s;
}

void row(llvm::raw_ostream &os, StringRef label, const std::string &text) {
  os << "  " << llvm::left_justify(label, 18) << text << "\n";
}
} // namespace

void mlir::rateml::printModelSummary(ModelOp model, llvm::raw_ostream &os) {
  ModelStructure structure(model);
  SmallVector<StateOp> states = structure.states;
  os << "model " << model.getSymName();
  if (auto description = model.getDescription()) {
    SmallVector<StringRef> words;
    StringRef(*description).split(words, ' ', -1, false);
    std::string text;
    for (StringRef word : words)
      if (!word.trim().empty())
        text += (text.empty() ? "" : " ") + word.trim().str();
    os << ": " << StringRef(text).take_front(68)
       << (text.size() > 68 ? "..." : "");
  }
  os << "\n";

  std::vector<std::string> stateItems, params, constants, derived, couplings,
      exposures;
  for (StateOp state : states) {
    std::string s = state.getSymName().str() + " init [" +
                    num(state.getInitLo().convertToDouble()) + ", " +
                    num(state.getInitHi().convertToDouble()) + "]";
    if (state.getLower() || state.getUpper())
      s += " clip [" +
           (state.getLower() ? num(state.getLower()->convertToDouble())
                             : std::string("-inf")) +
           ", " +
           (state.getUpper() ? num(state.getUpper()->convertToDouble())
                             : std::string("inf")) +
           "]";
    stateItems.push_back(s);
  }
  for (ParamOp p : structure.params)
    params.push_back(p.getSymName().str() + " [" +
                     num(p.getLo().convertToDouble()) + ", " +
                     num(p.getHi().convertToDouble()) + "]");
  for (ConstantOp c : structure.constants)
    constants.push_back(c.getSymName().str() + "=" +
                        num(c.getValue().convertToDouble()));
  unsigned hoisted = 0;
  for (DerivedParamOp d : structure.derivedParams) {
    if (d.getHoisted())
      ++hoisted;
    else
      derived.push_back(d.getSymName().str());
  }
  for (ExposureOp e : structure.exposures)
    exposures.push_back(e.getName().str());
  for (CouplingOp c : structure.couplings) {
    llvm::SetVector<StringRef> scaleReads;
    for (auto get : c.getScale().getOps<GetOp>())
      scaleReads.insert(get.getName());
    std::string s = c.getSymName().str() + ": ";
    s += c.getKind() ? stringifyCouplingKind(*c.getKind()).str()
                     : std::string("unclassified");
    s += " on " + states[c.getSource()].getSymName().str();
    if (!scaleReads.empty()) {
      s += ", scale reads ";
      for (auto [i, name] : llvm::enumerate(scaleReads))
        s += (i ? " " : "") + name.str();
    }
    couplings.push_back(s);
  }
  if (hoisted)
    derived.push_back("+" + std::to_string(hoisted) + " hoisted");

  row(os, "state variables", join(stateItems));
  row(os, "swept parameters", join(params));
  row(os, "constants", join(constants));
  row(os, "derived params", join(derived));
  // Only in builds with --regional, so other summaries stay as they were.
  std::vector<std::string> regional;
  unsigned nodeLevel = 0;
  for (Operation &op : model.getBody().front()) {
    if (!isRegional(&op))
      continue;
    ++nodeLevel;
    if (!isa<DerivedParamOp>(op))
      regional.push_back(cast<SymbolOpInterface>(op).getName().str());
  }
  if (!regional.empty())
    row(os, "regional",
        join(regional) + " (" + std::to_string(nodeLevel) +
            " values per set and node)");
  if (couplings.empty())
    row(os, "couplings", "none");
  for (auto [i, c] : llvm::enumerate(couplings))
    row(os, i == 0 ? "couplings" : "", c);

  std::string delays = model.hasDelays()
                           ? "yes (" + ModelOp::kDelayFactorName.str() + ")"
                           : std::string("none");
  if (auto delayed = model.getDelayedStates()) {
    std::vector<std::string> names;
    for (int64_t i : *delayed)
      names.push_back(states[i].getSymName().str());
    if (!names.empty())
      delays += "; history of " + join(names) + " only";
  }
  row(os, "delays", delays);
  std::string noise = "none (deterministic)";
  if (NoiseOp n = structure.noise) {
    noise = "additive Gaussian, amplitude ";
    auto yield = cast<YieldOp>(n.getBody().front().getTerminator());
    std::vector<std::string> amplitudes;
    for (Value v : yield.getValues()) {
      if (auto get = v.getDefiningOp<GetOp>())
        amplitudes.push_back(get.getName().str());
      else if (auto literal = v.getDefiningOp<arith::ConstantOp>())
        amplitudes.push_back(
            num(cast<FloatAttr>(literal.getValue()).getValueAsDouble()));
      else
        amplitudes.push_back("an expression");
    }
    noise += join(amplitudes);
  }
  row(os, "noise", noise);
  row(os, "exposures", join(exposures));
}
