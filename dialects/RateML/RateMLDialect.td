//===- RateMLDialect.td - RateML dialect definition -------*- tablegen -*-===//
//
// The rateml dialect describes one neural-mass model: what a RateML/LEMS XML
// file says, with expressions as regions of arith/math ops so that MLIR's
// folding and analyses apply.
//
//===----------------------------------------------------------------------===//

#ifndef RATEML_DIALECT_TD
#define RATEML_DIALECT_TD

include "mlir/IR/OpBase.td"

def RateML_Dialect : Dialect {
  let name = "rateml";
  let cppNamespace = "::mlir::rateml";
  let summary = "Neural-mass network models for parameter-sweep simulation.";
  let description = [{
    A `rateml.model` is a symbol table that holds everything one model file
    says: swept parameters, constants, derived parameters, state variables,
    exposures, derived and conditional variables, time derivatives, coupling
    components and noise. Every expression is a single-block region of `arith`
    and `math` ops that reads named values with `rateml.get` and ends in
    `rateml.yield`. All arithmetic is real-valued (`f64` at this level; the
    lowering picks the precision), conditions are `i1`.

    Values fall in two stages: *parameter-level* values are fixed for one
    parameter set (swept parameters, constants, derived parameters, `dt`,
    `n_node`); *step-level* values change every integration step (state
    variables, derived and conditional variables, coupling results).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect"
  ];
  let useDefaultAttributePrinterParser = 1;
}

class RateML_Op<string mnemonic, list<Trait> traits = []>
    : Op<RateML_Dialect, mnemonic, traits>;

#endif // RATEML_DIALECT_TD
