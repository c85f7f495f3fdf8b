//===- RateMLOps.td - RateML operations -------------------*- tablegen -*-===//
//
// The operations of the rateml dialect: one `rateml.model` and the
// declarations inside it, plus the few ops used inside expression regions.
//
//===----------------------------------------------------------------------===//

#ifndef RATEML_OPS_TD
#define RATEML_OPS_TD

include "RateML/RateMLDialect.td"
include "RateML/RateMLAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// The model
//===----------------------------------------------------------------------===//

def RateML_ModelOp : RateML_Op<"model", [
    Symbol, SymbolTable, IsolatedFromAbove, NoTerminator, SingleBlock,
    NoRegionArguments]> {
  let summary = "One neural-mass model: a symbol table of its declarations";
  let description = [{
    Holds the declarations of one model file. The symbol table contains the
    named values (`param`, `constant`, `derived_param`, `state`, `derived`,
    `conditional`, `coupling`); `exposure` and `time_derivative` are unnamed
    in the symbol table and ordered: the i-th `time_derivative` belongs to the
    i-th `state`.

    The verifier checks that every state has exactly one time derivative,
    that coupling source indices name a state, that no definition depends on
    itself, that parameter-level definitions do not read step-level values,
    that couplings read only states and parameter-level values (they are
    computed before the node's derived variables), that exposures do not
    depend on a coupling (they are functions of the state, recorded at
    sample times when no coupling of that instant exists), and that there is
    at most one `noise`.

    A model has conduction delays exactly when it defines the derived
    parameter `rec_speed_dt` (RateML's delay factor `1 / speed / dt`);
    `hasDelays()` is the one place that asks.

    `delayed_states`, set by `rateml-prune-history`, lists the state indices
    that are read with a conduction delay and so need a history.
    `conduction_speed`, set by `rateml-conduction-speed`, names the
    parameter-level value holding the speed in mm/ms, so that delays are
    computed as TVB does: `rint(length / speed / dt)`.

    Example:
    ```mlir
    rateml.model @kuramoto {
      rateml.param @global_coupling range [1.0, 1.0]
      rateml.constant @omega = 0.37699111
      rateml.state @V init [0.0, 0.0]
      rateml.time_derivative "dV" {
        %0 = rateml.get @omega
        %1 = rateml.get @c_pop0
        %2 = arith.addf %0, %1 : f64
        rateml.yield %2 : f64
      }
      rateml.coupling @c_pop0 source 0 scale {
        %0 = rateml.get @global_coupling
        rateml.yield %0 : f64
      } pre {
      ^bb0(%V_j: f64):
        %V = rateml.get @V
        %0 = arith.subf %V_j, %V : f64
        %1 = math.sin %0 : f64
        rateml.yield %1 : f64
      } post {
      ^bb0(%V_j: f64):
        %0 = arith.constant 1.0 : f64
        rateml.yield %0 : f64
      }
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       OptionalAttr<StrAttr>:$description,
                       OptionalAttr<DenseI64ArrayAttr>:$delayed_states,
                       OptionalAttr<FlatSymbolRefAttr>:$conduction_speed);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The derived parameter whose presence gives a model delays.
    static constexpr ::llvm::StringLiteral kDelayFactorName = "rec_speed_dt";
    /// Whether the model has conduction delays (defines kDelayFactorName).
    bool hasDelays();
    /// The declarations of one kind, in declaration order.
    ::llvm::SmallVector<StateOp, 4> getStates();
    ::llvm::SmallVector<TimeDerivativeOp, 4> getTimeDerivatives();
    ::llvm::SmallVector<CouplingOp, 4> getCouplings();
    /// The noise op, or null for a deterministic model.
    NoiseOp getNoise();
    /// The position of state variable `name`, or -1 when it is not a state.
    int64_t getStateIndex(::llvm::StringRef name);
    /// The states read with a conduction delay, which need a history: the
    /// sorted sources of the couplings whose `pre` or `post` reads the
    /// delayed value; none without delays. (`delayed_states` records it.)
    ::llvm::SmallVector<int64_t> computeDelayedStates();
  }];
}

//===----------------------------------------------------------------------===//
// Declarations with a constant payload
//===----------------------------------------------------------------------===//

class RateML_DeclOp<string mnemonic, list<Trait> traits = []>
    : RateML_Op<mnemonic, !listconcat(traits, [HasParent<"ModelOp">])>;

def RateML_ParamOp : RateML_DeclOp<"param", [Symbol]> {
  let summary = "A swept parameter with its default range";
  let description = [{
    A parameter varied across the sweep (RateML's derivatives `Parameter`).
    `range` is the interval sampled when the user does not give values;
    parameters are ordered as declared, which fixes the sweep order.

    `regional` (set by `rateml-mark-regional`, `rateml-compile --regional`)
    makes it a per-node value: the runtime may give node i its own value
    (`--node-values`, `--map`), and everything that reads it is node-level.

    ```mlir
    rateml.param @global_coupling range [0.33, 0.5]
    rateml.param @eta range [-5.0, -4.0] regional
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$lo, F64Attr:$hi,
                       UnitAttr:$regional);
  let assemblyFormat = [{
    $sym_name `range` ` ` `[` $lo `,` $hi `]` (`regional` $regional^)? attr-dict
  }];
  let hasVerifier = 1;
}

def RateML_ConstantOp : RateML_DeclOp<"constant", [Symbol]> {
  let summary = "A named constant (overridable at run time)";
  let description = [{
    A model constant. The compiler keeps constants symbolic so that a sweep
    can override them at run time; `rateml-inline-constants` folds them in.

    `regional` makes it a per-node value, as for `rateml.param`.

    ```mlir
    rateml.constant @tau = 1.0
    rateml.constant @J = 15.0 regional
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$value,
                       UnitAttr:$regional);
  let assemblyFormat = "$sym_name `=` $value (`regional` $regional^)? attr-dict";
  let hasVerifier = 1;
}

def RateML_StateOp : RateML_DeclOp<"state", [Symbol]> {
  let summary = "A state variable with its initial range and bounds";
  let description = [{
    A state variable. `init` is the range initial values are drawn from
    (RateML's `dimension`, which may be given high-to-low); `lower` and
    `upper` are the optional clipping bounds (RateML's `exposure`).

    ```mlir
    rateml.state @r init [0.0, -2.0] lower 0.0
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$init_lo,
                       F64Attr:$init_hi, OptionalAttr<F64Attr>:$lower,
                       OptionalAttr<F64Attr>:$upper);
  let assemblyFormat = [{
    $sym_name `init` ` ` `[` $init_lo `,` $init_hi `]`
    (`lower` $lower^)? (`upper` $upper^)? attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Declarations with an expression body
//===----------------------------------------------------------------------===//

// Expression regions read named values with rateml.get and never capture SSA
// values from outside; IsolatedFromAbove keeps folded constants inside them.
class RateML_ExprDeclOp<string mnemonic, list<Trait> traits = []>
    : RateML_DeclOp<mnemonic,
                    !listconcat(traits, [NoRegionArguments, IsolatedFromAbove])> {
  let regions = (region SizedRegion<1>:$body);
  let hasRegionVerifier = 1;
}

def RateML_DerivedParamOp : RateML_ExprDeclOp<"derived_param", [Symbol]> {
  let summary = "A value computed once per parameter set";
  let description = [{
    RateML's derivatives `DerivedParameter`: an expression of parameters,
    constants, other derived parameters, `dt` and `n_node`. The names
    `rec_speed_dt` (delay factor, no delays when absent) and `nsig` (noise
    amplitude) have their RateML meaning. `hoisted` marks the ones created by
    `rateml-hoist-invariants` rather than written in the model. `regional`
    marks the node-level ones, which read a regional value and are computed
    once per (parameter set, node) instead of once per set; the model
    verifier requires it exactly when the body reads a regional value.

    ```mlir
    rateml.derived_param @rec_speed_dt {
      %0 = rateml.get @global_speed
      %1 = rateml.dt
      %2 = arith.mulf %0, %1 : f64
      %3 = arith.constant 1.0 : f64
      %4 = arith.divf %3, %2 : f64
      rateml.yield %4 : f64
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, UnitAttr:$hoisted,
                       UnitAttr:$regional);
  let assemblyFormat = [{
    $sym_name (`hoisted` $hoisted^)? (`regional` $regional^)?
    attr-dict-with-keyword $body
  }];
}

def RateML_DerivedOp : RateML_ExprDeclOp<"derived", [Symbol]> {
  let summary = "A derived variable, computed every step";
  let description = [{
    RateML's `DerivedVariable`: an expression of anything in the model,
    evaluated once per step and node before the time derivatives.

    ```mlir
    rateml.derived @ztmp {
      %z = rateml.get @z
      %c = arith.constant 4.0 : f64
      %0 = arith.subf %z, %c : f64
      rateml.yield %0 : f64
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
}

def RateML_ExposureOp : RateML_ExprDeclOp<"exposure"> {
  let summary = "An observable expression of the state";
  let description = [{
    RateML's `Exposure`: what the default monitor records. Exposures have
    their own names (often equal to a state's) and are not symbols.

    ```mlir
    rateml.exposure "r" {
      %r = rateml.get @r
      rateml.yield %r : f64
    }
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let assemblyFormat = "$name attr-dict-with-keyword $body";
}

def RateML_TimeDerivativeOp : RateML_ExprDeclOp<"time_derivative"> {
  let summary = "The time derivative of the state variable at its position";
  let description = [{
    RateML's `TimeDerivative`. Matched to state variables by position; the
    `variable` name is only a local label.

    ```mlir
    rateml.time_derivative "dV" {
      %omega = rateml.get @omega
      rateml.yield %omega : f64
    }
    ```
  }];
  let arguments = (ins StrAttr:$variable);
  let assemblyFormat = "$variable attr-dict-with-keyword $body";
}

def RateML_ConditionalOp : RateML_DeclOp<"conditional",
    [Symbol, IsolatedFromAbove]> {
  let summary = "A derived variable chosen by the first true condition";
  let description = [{
    RateML's `ConditionalDerivedVariable`. Every region but the last yields
    a condition (`i1`) and a value; the last region is the `else` case and
    yields only a value. The first case whose condition holds gives the
    value.

    ```mlir
    rateml.conditional @ydot4 {
      %x2 = rateml.get @x2
      %c = arith.constant -2.500000e-01 : f64
      %0 = arith.cmpf olt, %x2, %c : f64
      %1 = arith.constant 0.0 : f64
      rateml.yield %0, %1 : i1, f64
    }, {
      %0 = arith.constant 1.0 : f64
      rateml.yield %0 : f64
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let regions = (region VariadicRegion<SizedRegion<1>>:$cases);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $cases";
  let hasRegionVerifier = 1;
}

def RateML_CouplingOp : RateML_DeclOp<"coupling", [Symbol, IsolatedFromAbove,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "A coupling component: a delayed weighted sum over edges";
  let description = [{
    One RateML coupling component. For target node `i` its value is

        scale * sum_j w_ij * post(x_i, x_j) * pre(x_i, x_j)

    where `x_j` is state variable `source` of node `j` read with the
    conduction delay `d_ij` (the block argument of `pre` and `post`; its
    name, RateML's coupling `Parameter`, is kept in `source_name`) and
    `rateml.get` of a state inside `pre`/`post` reads the target's current
    value. `scale` is RateML's coupling `DerivedParameter`, whose name is the
    result's name. `kind` is set by `rateml-classify-coupling`.

    ```mlir
    rateml.coupling @c_pop0 source 0 scale {
      %g = rateml.get @global_coupling
      rateml.yield %g : f64
    } pre {
    ^bb0(%r_j: f64):
      rateml.yield %r_j : f64
    } post {
    ^bb0(%r_j: f64):
      %0 = arith.constant 1.0 : f64
      rateml.yield %0 : f64
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$source,
                       OptionalAttr<StrAttr>:$source_name,
                       OptionalAttr<RateML_CouplingKindAttr>:$kind);
  let regions = (region SizedRegion<1>:$scale, SizedRegion<1>:$pre,
                        SizedRegion<1>:$post);
  let assemblyFormat = [{
    $sym_name `source` $source (`as` $source_name^)? (`kind` $kind^)?
    attr-dict-with-keyword
    `scale` $scale `pre` $pre `post` $post
  }];
  let hasRegionVerifier = 1;
}

def RateML_NoiseOp : RateML_DeclOp<"noise",
    [NoRegionArguments, IsolatedFromAbove]> {
  let summary = "Additive Gaussian noise on the state variables";
  let description = [{
    Present when the model is stochastic. The region yields the noise
    amplitude (RateML's `nsig`, which includes the sqrt(dt) factor): one
    value for all state variables or one per state variable. The integrator
    adds `amplitude * N(0, 1)` to each state every step.

    ```mlir
    rateml.noise {
      %nsig = rateml.get @nsig
      rateml.yield %nsig : f64
    }
    ```
  }];
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Ops used inside expression regions
//===----------------------------------------------------------------------===//

def RateML_YieldOp : RateML_Op<"yield", [Pure, Terminator,
    ParentOneOf<["DerivedParamOp", "DerivedOp", "ExposureOp",
                 "TimeDerivativeOp", "ConditionalOp", "CouplingOp",
                 "NoiseOp"]>]> {
  let summary = "Ends an expression region with its value(s)";
  let arguments = (ins Variadic<AnyTypeOf<[F64, I1]>>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

def RateML_GetOp : RateML_Op<"get", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "Reads a named value of the model";
  let description = [{
    Reads a parameter, constant, derived parameter, state variable, derived
    or conditional variable, or coupling result of the enclosing model. Inside
    a coupling's `pre` or `post`, a state is the target node's current value.
    Canonicalization replaces a read of a derived parameter whose body is a
    literal by that literal.

    ```mlir
    %tau = rateml.get @tau
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs F64:$result);
  let assemblyFormat = "$name attr-dict";
  let hasCanonicalizeMethod = 1;
}

def RateML_DtOp : RateML_Op<"dt", [Pure]> {
  let summary = "The integration step in ms (fixed at run time)";
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict";
}

def RateML_NNodeOp : RateML_Op<"n_node", [Pure]> {
  let summary = "The number of nodes of the connectome (a real number)";
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict";
}

#endif // RATEML_OPS_TD
