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

def RateMLMarkRegionalPass : Pass<"rateml-mark-regional", "ModelOp"> {
  let summary = "Make the named parameters and constants per-node values";
  let description = [{
    Marks each `rateml.param` or `rateml.constant` named in `names` as
    `regional` (a value of each parameter set and node, which the sweep can
    set per node with `--node-values` and `--map`), and every derived
    parameter that reads a regional value, directly or through another one,
    too (the model verifier requires it). Naming a state, a derived variable
    or anything else is an error at that declaration; an unknown name is an
    error at the model, with the closest known name. Couplings and noise may
    not read regional values (the verifier says so); a regional conduction
    speed is refused too.

    `rateml-compile --regional eta,J` runs it first. Before
    (`names=eta`):
    ```mlir
    rateml.param @eta range [-5.0, -4.0]
    rateml.derived_param @eta_tau { ... rateml.get @eta ... }
    ```
    After:
    ```mlir
    rateml.param @eta range [-5.0, -4.0] regional
    rateml.derived_param @eta_tau regional { ... rateml.get @eta ... }
    ```
  }];
  let options = [
    ListOption<"names", "names", "std::string",
               "Parameters and constants to make regional">
  ];
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

    Values have three levels: set-level (parameter-level values that are not
    regional), node-level (reading at least one `regional` value and nothing
    that changes per step) and step-level (everything else). A maximal
    subexpression of set- and node-level values is hoisted as one derived
    parameter, marked `regional` when it reads a regional value: the kernels
    compute it once per (set, node) in `rateml_node_setup`
    (docs/kernel-abi.md), not per step.

    Before (`@eta` regional):
    ```mlir
    rateml.time_derivative "dV" {
      %eta = rateml.get @eta
      %tau = rateml.get @tau
      %0 = arith.mulf %eta, %tau : f64
      %V = rateml.get @V
      %1 = arith.addf %0, %V : f64
      rateml.yield %1 : f64
    }
    ```
    After:
    ```mlir
    rateml.derived_param @dV_inv0 hoisted regional {
      %eta = rateml.get @eta
      %tau = rateml.get @tau
      %0 = arith.mulf %eta, %tau : f64
      rateml.yield %0 : f64
    }
    rateml.time_derivative "dV" {
      %dV_inv0 = rateml.get @dV_inv0
      %V = rateml.get @V
      %0 = arith.addf %dV_inv0, %V : f64
      rateml.yield %0 : f64
    }
    ```

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

def RateMLReciprocalDivisorsPass
    : Pass<"rateml-reciprocal-divisors", "ModelOp"> {
  let summary = "Divide by parameter-level values through their reciprocals";
  let description = [{
    In per-step bodies (derived and conditional variables, time derivatives,
    exposures, couplings), `x / p` where `p` reads a parameter-level value
    (a parameter, constant or derived parameter) becomes `x * r` with a new
    derived parameter `r = 1 / p`, computed once per parameter set. A
    division costs several multiplications, and models divide by their time
    constants in every derivative. The product differs from the quotient by
    at most 1.5 ulp; the reference interpreter runs the same model, so the
    float64 kernels still match it to the bit. Run after
    `rateml-hoist-invariants`, which turns parameter-level divisors into
    single reads.

    Before:
    ```mlir
    rateml.time_derivative "dx" {
      %x = rateml.get @x
      %tau = rateml.get @tau
      %0 = arith.divf %x, %tau : f64
      rateml.yield %0 : f64
    }
    ```
    After:
    ```mlir
    rateml.derived_param @tau_reciprocal hoisted {
      %one = arith.constant 1.0 : f64
      %tau = rateml.get @tau
      %0 = arith.divf %one, %tau : f64
      rateml.yield %0 : f64
    }
    rateml.time_derivative "dx" {
      %x = rateml.get @x
      %r = rateml.get @tau_reciprocal
      %0 = arith.mulf %x, %r : f64
      rateml.yield %0 : f64
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def RateMLClassifyCouplingPass : Pass<"rateml-classify-coupling", "ModelOp"> {
  let summary = "Classify each coupling's per-edge function";
  let description = [{
    Sets `kind` on every `rateml.coupling`. When no region reads a state of
    the target node: `linear` when `pre * post` is the delayed source times
    a factor independent of it, else `source_function`. Otherwise
    `difference` when `pre` is `x_j - x_i` on the source state,
    `sin_difference` when it is `sin(x_j - x_i)` (with `post` not reading
    the delayed source), `general` for anything else. The CPU kernel
    builder blocks the coupling of several steps only when every coupling
    is `linear` or `source_function`.

    Before:
    ```mlir
    rateml.coupling @c source 0 scale { ... } pre {
    ^bb0(%xj: f64):
      %0 = math.tanh %xj : f64
      rateml.yield %0 : f64
    } post { ... }
    ```
    After:
    ```mlir
    rateml.coupling @c source 0 kind <source_function> scale { ... } ...
    ```
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

def RateMLConductionSpeedPass : Pass<"rateml-conduction-speed", "ModelOp"> {
  let summary = "Name the conduction speed behind rec_speed_dt";
  let description = [{
    RateML gives delays as `rec_speed_dt = 1 / speed / dt`, but TVB's delays
    are `rint(length / speed / dt)`, and the two roundings can differ. When
    `rec_speed_dt` has that form, this pass sets the model's
    `conduction_speed` to the speed: the symbol itself when the speed is a
    single read (`global_speed`), else a new hoisted derived parameter
    `conduction_speed` computing it. Any other form of `rec_speed_dt`
    yields `conduction_speed = 1 / (rec_speed_dt * dt)`. Models without
    `rec_speed_dt` have no delays and are left alone.

    Before:
    ```mlir
    rateml.derived_param @rec_speed_dt {
      %one = arith.constant 1.0 : f64
      %v = rateml.get @global_speed
      %0 = arith.divf %one, %v : f64
      %dt = rateml.dt
      %1 = arith.divf %0, %dt : f64
      rateml.yield %1 : f64
    }
    ```
    After: the model has `conduction_speed = @global_speed`.
  }];
}

#endif // RATEML_TRANSFORMS_PASSES_TD
