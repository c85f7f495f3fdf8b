//===- Passes.td - RateML model-level passes --------------*- tablegen -*-===//
//
// Passes that rewrite or analyse a rateml.model before lowering.
//
//===----------------------------------------------------------------------===//

#ifndef RATEML_TRANSFORMS_PASSES_TD
#define RATEML_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def RateMLInlineConstantsPass : Pass<"rateml-inline-constants", "ModelOp"> {
  let summary = "Replace reads of constants by their values";
  let description = [{
    Folds `rateml.get` of a `rateml.constant` into an `arith.constant`, so
    that canonicalization can simplify the arithmetic. Constants named in
    `keep` stay symbolic (they remain overridable at run time).

    Before:
    ```mlir
    rateml.constant @tau = 2.0
    rateml.time_derivative "dx" {
      %tau = rateml.get @tau
      rateml.yield %tau : f64
    }
    ```
    After:
    ```mlir
    rateml.time_derivative "dx" {
      %cst = arith.constant 2.000000e+00 : f64
      rateml.yield %cst : f64
    }
    ```
  }];
  let options = [
    ListOption<"keep", "keep", "std::string",
               "Constants to leave symbolic">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def RateMLExpandPowersPass : Pass<"rateml-expand-powers", "ModelOp"> {
  let summary = "Turn powers with small integer exponents into products";
  let description = [{
    `math.powf(x, n)` with a constant integral `n`, `|n| <= max-exponent`,
    becomes a chain of multiplications (square-and-multiply), and a division
    for negative `n`. This is both faster and exact for negative bases,
    where `pow` lowered through `exp(n * log(x))` would give NaN.

    Before: `%p = math.powf %V, %c3 : f64` with `%c3 = arith.constant 3.0`.
    After:
    ```mlir
    %0 = arith.mulf %V, %V : f64
    %p = arith.mulf %0, %V : f64
    ```
  }];
  let options = [
    Option<"maxExponent", "max-exponent", "unsigned", "16",
           "Largest |exponent| expanded into multiplications">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def RateMLHoistInvariantsPass : Pass<"rateml-hoist-invariants", "ModelOp"> {
  let summary = "Move parameter-level subexpressions out of per-step bodies";
  let description = [{
    Every maximal subexpression of a per-step body (derived and conditional
    variables, time derivatives, exposures, coupling `pre`/`post`) that
    reads only parameter-level values (parameters, constants, derived
    parameters, `dt`, `n_node`) becomes a new `rateml.derived_param`,
    computed once per parameter set instead of every step and node.
    Constants, single reads and literals are not hoisted.

    Before:
    ```mlir
    rateml.time_derivative "dr" {
      %tau = rateml.get @tau
      %one = arith.constant 1.0 : f64
      %inv = arith.divf %one, %tau : f64
      %r = rateml.get @r
      %0 = arith.mulf %inv, %r : f64
      rateml.yield %0 : f64
    }
    ```
    After:
    ```mlir
    rateml.derived_param @dr_inv0 hoisted {
      %tau = rateml.get @tau
      %one = arith.constant 1.0 : f64
      %inv = arith.divf %one, %tau : f64
      rateml.yield %inv : f64
    }
    rateml.time_derivative "dr" {
      %dr_inv0 = rateml.get @dr_inv0
      %r = rateml.get @r
      %0 = arith.mulf %dr_inv0, %r : f64
      rateml.yield %0 : f64
    }
    ```
  }];
}

def RateMLClassifyCouplingPass : Pass<"rateml-classify-coupling", "ModelOp"> {
  let summary = "Classify each coupling's per-edge function";
  let description = [{
    Sets `kind` on every `rateml.coupling`: `linear` when `pre * post` is
    the delayed source times a factor independent of it, `difference` when
    `pre` is `x_j - x_i` on the source state, `sin_difference` when it is
    `sin(x_j - x_i)`, `general` otherwise. `post` must not read the delayed
    source for the first three kinds.
  }];
}

def RateMLPruneHistoryPass : Pass<"rateml-prune-history", "ModelOp"> {
  let summary = "Record which state variables are read with a delay";
  let description = [{
    Sets `delayed_states` on the model: the sorted source indices of the
    couplings whose `pre` or `post` reads the delayed source. Only these
    state variables need a history buffer. A model without a
    `rec_speed_dt` derived parameter has no delays, so the list is empty.
  }];
}

#endif // RATEML_TRANSFORMS_PASSES_TD
