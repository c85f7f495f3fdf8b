//===- RateMLAttrs.td - RateML attributes and enums -------*- tablegen -*-===//
//
// Attributes attached by the analyses: the classification of a coupling's
// per-edge function, which the backends use to pick a cheaper gather.
//
//===----------------------------------------------------------------------===//

#ifndef RATEML_ATTRS_TD
#define RATEML_ATTRS_TD

include "RateML/RateMLDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def RateML_CouplingKind : I32EnumAttr<"CouplingKind",
    "shape of a coupling's per-edge function", [
      I32EnumAttrCase<"Linear", 0, "linear">,
      I32EnumAttrCase<"Difference", 1, "difference">,
      I32EnumAttrCase<"SinDifference", 2, "sin_difference">,
      I32EnumAttrCase<"General", 3, "general">,
      I32EnumAttrCase<"SourceFunction", 4, "source_function">
    ]> {
  let cppNamespace = "::mlir::rateml";
  let genSpecializedAttr = 0;
}

def RateML_CouplingKindAttr
    : EnumAttr<RateML_Dialect, RateML_CouplingKind, "coupling_kind"> {
  let summary = "Classification of a coupling's per-edge function";
  let description = [{
    - `linear`: `pre * post = g * x_j` with `g` and `scale` reading only
      parameter-level values: a weighted sum of delayed values;
    - `source_function`: `pre`, `post` and `scale` read only the delayed
      source and parameter-level values, but not linearly (e.g. a sigmoid
      of `x_j`);
    - `difference`: `pre = x_j - x_i` on the same state variable;
    - `sin_difference`: `pre = sin(x_j - x_i)` (Kuramoto), which factorises as
      `sin x_j cos x_i - cos x_j sin x_i`;
    - `general`: anything else, evaluated per edge.

    The CPU kernels use it: when every coupling is `linear` or
    `source_function`, no per-edge term reads the target, so the coupling of
    several future steps can be summed in one pass over the edges
    (docs/kernel-abi.md, blocked coupling).
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // RATEML_ATTRS_TD
