//===- Passes.td - Conversions out of the rateml dialect --*- tablegen -*-===//
//
// Conversions from rateml.model to executable kernels.
//
//===----------------------------------------------------------------------===//

#ifndef RATEML_CONVERSION_PASSES_TD
#define RATEML_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertRateMLToKernelPass : Pass<"convert-rateml-to-kernel", "ModuleOp"> {
  let summary = "Turn the rateml.model into step kernels over parameter-set lanes";
  let description = [{
    Replaces the module's single `rateml.model` (which must have been through
    `rateml-optimize-model`) by three functions with C interfaces and a
    metadata string for the runtime:

    - `rateml_setup(slots: memref<?xf64>)`: float64, one parameter set:
      fills the derived parameters and noise amplitudes from the swept
      parameters and constants, in dependency order.
    - `rateml_step(...)`: one integration step of `lanes` parameter sets at
      once (the set is the fastest index of every per-set array, so each
      value is a `vector<lanes x T>`), for all nodes: the delayed coupling
      gather (`vector.gather` with per-lane delays), derived variables, time
      derivatives, Euler or Heun with the same coupling in both stages,
      noise, clipping, and the history write. Arithmetic is the model's,
      op for op, in the order of docs/simulation.md; parameter-level values
      are loaded once per call, before the loop over nodes.
    - `rateml_exposures(...)`: the exposures of every node.
    - `rateml_model_json`: an `llvm.mlir.global` string describing sizes,
      names, slots, ranges and bounds.

    Every per-set array is flat and indexed `(... * numNodes + node) * lanes
    + lane`; see docs/kernel-abi.md for the argument layout. The history is
    `[channel][node][row][lane]`, so the rows of one node are contiguous.

    When every coupling term reads only its source value and parameter-level
    values (not the target's states), the CPU step kernel can compute the
    coupling of `block` steps in one pass over the edges: each edge then
    reads `block` consecutive history rows with contiguous loads (a node's
    history series has `block - 1` rows after the ring that repeat its
    first rows, so those rows never wrap around). The
    runtime turns this on (flag 8) for tiles whose lanes share their delays
    and whose shortest delay is at least `block - 1` steps; the sums are the
    same, in the same order, as one step at a time.

    With `narrow-lanes=M`, the CPU module also holds `rateml_step_narrow`,
    `rateml_exposures_narrow` and `rateml_model_json_narrow`: the same
    kernels over M lanes, which the runtime uses when M lanes' history fits
    the L2 cache and `lanes` lanes' does not.

    With `target=gpu`, the step and exposure functions become kernels of a
    `gpu.module` with one parameter set per thread: arrays keep the set as
    the fastest index (stride = number of sets, so a warp's loads
    coalesce), and the step kernel runs a chunk of steps.
  }];
  let options = [
    Option<"target", "target", "KernelTarget", "KernelTarget::CPU",
           "Where the kernels run", [{::llvm::cl::values(
             clEnumValN(KernelTarget::CPU, "cpu", "SIMD lanes of parameter sets"),
             clEnumValN(KernelTarget::GPU, "gpu", "one parameter set per thread"))}]>,
    Option<"lanes", "lanes", "unsigned", "8",
           "Parameter sets per vector (SIMD width in elements; cpu only)">,
    Option<"precision", "precision", "KernelPrecision", "KernelPrecision::F32",
           "Element type of the kernels", [{::llvm::cl::values(
             clEnumValN(KernelPrecision::F32, "f32", "float32"),
             clEnumValN(KernelPrecision::F64, "f64", "float64"))}]>,
    Option<"block", "block", "unsigned", "8",
           "Steps of coupling per pass over the edges (cpu only; 1 = off)">,
    Option<"narrowLanes", "narrow-lanes", "unsigned", "0",
           "Also build step and exposure kernels with this many lanes, "
           "suffixed _narrow (cpu only; 0 = none)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::gpu::GPUDialect"
  ];
}

def RateMLApproximateMathPass : Pass<"rateml-approximate-math"> {
  let summary = "Vectorisable polynomial approximations of f32 math functions";
  let description = [{
    Rewrites f32 `math` ops (exp, log, sin, cos, tanh, erf, atan, ...) with
    MLIR's polynomial approximations, so that vector code stays vector
    instead of calling libm once per lane. Used only for float32 kernels;
    float64 kernels call libm, like the reference.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // RATEML_CONVERSION_PASSES_TD
