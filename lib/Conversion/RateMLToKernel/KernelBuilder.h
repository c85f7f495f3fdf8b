//===- KernelBuilder.h - Internals of convert-rateml-to-kernel --*- C++ -*-===//
//
// The declarations the files of the kernel builder share, in the way
// CIRCT's ExportVerilogInternals.h serves ExportVerilog: one class that
// emits the kernels of one model for one target, with its methods in one
// file per job:
//   ModelLayout.cpp   what the kernels need to know about the model (slots,
//                     history channels, blocking) and the ops they accept;
//   Expressions.cpp   the model's expression regions, op for op, per lane;
//   Philox.cpp        the noise draws;
//   Coupling.cpp      the delayed coupling: gathers, blocked sums, prefetch;
//   StepKernel.cpp    one step: prologue, integration, exposures;
//   Functions.cpp     the functions and kernels for the CPU, the GPU and
//                     their host versions, and their arguments (KernelABI.h);
//   Metadata.cpp      the JSON the runtime reads;
//   RateMLToKernel.cpp the pass.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_LIB_CONVERSION_RATEMLTOKERNEL_KERNELBUILDER_H
#define RATEML_LIB_CONVERSION_RATEMLTOKERNEL_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "rateml/Dialect/RateML/IR/ModelStructure.h"
#include "rateml/runtime/KernelABI.h"
#include "llvm/ADT/StringMap.h"
#include <array>
#include <functional>
#include <optional>

namespace mlir::rateml::kernels {

namespace abi = ::rateml::runtime;

/// How cloned expressions read named values and dt / n_node.
struct Reads {
  std::function<Value(StringRef)> symbol;
  std::function<Value(unsigned)> slot;
};

/// Edges between the one a blocked coupling pass sums and the one whose
/// history rows it prefetches (measured on W1: 2, 4 and 8 all help a little,
/// 8 most; docs/performance.md).
constexpr int64_t kPrefetchEdges = 8;
constexpr unsigned kCacheLineBytes = 64;

/// Where the parameter sets of a kernel live: `lanes` per SIMD vector (CPU),
/// or one per thread with the set index as the fastest array index (GPU).
enum class LaneModel { Vector, Thread };

/// What the kernels need to know about a verified, optimized model beyond
/// its structure, the same for every target: the slot of every
/// parameter-level value (KernelABI.h's layout: the fixed slots, then
/// parameters, constants, derived parameters in dependency order and the
/// per-state noise amplitudes), the history channels, and whether the
/// coupling of later steps can be summed ahead (ModelLayout.cpp).
struct ModelLayout : ModelStructure {
  /// Fails, with a located error, for a model that has not been through
  /// rateml-optimize-model or whose expressions use an op the kernels
  /// cannot emit.
  static FailureOr<ModelLayout> analyse(ModelOp model);

  llvm::StringMap<unsigned> slotOf;
  unsigned noiseSlot = 0, numSlots = abi::kNumFixedSlots;
  /// Node-level values: the regional params and constants (which also have
  /// a set slot, the set's value), then the regional derived parameters in
  /// dependency order (which have none).
  llvm::StringMap<unsigned> nodeSlotOf;
  SmallVector<Operation *> regionalBases;
  SmallVector<DerivedParamOp> regionalDerived;
  unsigned numNodeSlots = 0;
  bool hasDelays = false;
  /// History channel of each state (-1: not kept), and the kept states in
  /// channel order.
  SmallVector<int64_t> historyChannel, delayedStates;
  /// Every coupling term reads only its delayed source and parameter-level
  /// values (kind linear or source_function, from rateml-classify-coupling),
  /// so the coupling of later steps can be summed before the target's
  /// states exist.
  bool couplingReadsOnlySources = false;

private:
  explicit ModelLayout(ModelOp model) : ModelStructure(model) {}
};

/// How to build: the lane model and count, the element type, the steps of
/// coupling per pass over the edges asked for, and a suffix for the names
/// of the step and exposure functions and of the metadata (a second set of
/// CPU kernels, "_narrow").
struct KernelConfig {
  LaneModel laneModel = LaneModel::Vector;
  unsigned lanes = 1;
  FloatType elem;
  unsigned block = 1;
  std::string suffix;
};

/// Everything a Philox4x32-10 draw needs besides the node and state.
struct PhiloxInputs {
  Value step, sets;
  SmallVector<std::pair<Value, Value>> roundKeys;
};

/// The values of one step that its phases share: the step kernel's
/// arguments (KernelABI.h order) and what the prologue derives from them.
struct StepFrame {
  ValueRange args;
  Value step, sums;
  Value arg(abi::StepArg a) const { return args[a]; }
  /// Nodes (index), constants, and the flags read once per step.
  Value n, c0, c1, zero;
  Value heun, noiseOn, sharedDelays, sumStates, sumExposures, firstOfLaunch;
  /// Flag 64: the history is [C][N][W][R] (blocked vector kernels only);
  /// flag 256: its blocks are laneBlockSteps long (only when that is more
  /// than blockSteps).
  Value laneSeries, longBlock;
  /// Flag 128 (--stimulus): whether to add the stimulus.
  Value stimulusOn;
  /// The set offset of every lane (0..lanes-1, or this thread's set) and an
  /// all-true mask (vector lanes only).
  Value iota, allTrue;
  /// History rows: the ring (H as index, i32 and in every lane), a series'
  /// rows, the current row (scalar and in every lane), the next row.
  Value horizonIndex, horizonI32, horizonVec, rows, rowNowScalar, rowNow,
      nextRow;
  /// The gather's i32 index arithmetic (vector lanes only), and 0 in every
  /// lane.
  Value rowsVec, nVec, lanesVec, zeroVec;
  PhiloxInputs philox;
};

class KernelBuilder : private ModelLayout {
public:
  KernelBuilder(const ModelLayout &layout, const KernelConfig &config);

  /// The setup function, the kernels of the configured target and their
  /// metadata.
  void build(ModuleOp module);
  /// Only the step and exposure kernels and their metadata (CPU), for a
  /// second lane count next to a build() of the same model.
  void buildLaneVariant(ModuleOp module);
  /// Only the host thread functions (after a build() of the same model).
  void buildThreadFunctionsOnly(ModuleOp module);

private:
  /// The lane context of the function being built, set for its duration by
  /// a FunctionScope: elements between consecutive sets' values of one
  /// array entry (lanes, or the number of sets on the GPU) and this
  /// thread's set (GPU only).
  struct FunctionContext {
    Value laneStride, laneId;
  };
  class FunctionScope {
  public:
    FunctionScope(KernelBuilder &builder, Value laneStride, Value laneId)
        : builder(builder) {
      builder.fn = FunctionContext{laneStride, laneId};
    }
    ~FunctionScope() { builder.fn.reset(); }

  private:
    KernelBuilder &builder;
  };

  //===-- Expressions (Expressions.cpp) --------------------------------===//
  /// Clones `region` at `b`; `read` supplies named values, `arg` the block
  /// argument. In vector mode f64 becomes vecType and i1 maskType, or
  /// `vectorType` and a mask of its shape when given (a vector over steps
  /// rather than lanes). The ops are those ModelLayout::analyse accepted.
  SmallVector<Value> cloneRegion(OpBuilder &b, Region &region, bool vector,
                                 const Reads &reads, Value arg = nullptr,
                                 Type vectorType = nullptr);

  //===-- Helpers ----------------------------------------------------===//
  Value index(OpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  bool isVector() const { return laneModel == LaneModel::Vector; }
  /// A constant in every lane.
  Value splat(OpBuilder &b, double v) {
    if (!isVector())
      return arith::ConstantOp::create(b, loc, FloatAttr::get(elem, v));
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(cast<ShapedType>(vecType),
                               FloatAttr::get(elem, v)));
  }
  Value splatI32(OpBuilder &b, int64_t v) {
    Attribute attr = b.getI32IntegerAttr(int32_t(v));
    if (isVector())
      attr = DenseElementsAttr::get(cast<ShapedType>(indexVecType), attr);
    return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  }
  /// A scalar i32 in every lane.
  Value broadcastI32(OpBuilder &b, Value scalar) {
    return isVector() ? Value(vector::BroadcastOp::create(b, loc, indexVecType,
                                                          scalar))
                      : scalar;
  }
  /// Element index of `(a * n + b)` for this kernel's lanes: the first lane
  /// of the vector (CPU), or this thread's set (GPU).
  Value laneOffset(OpBuilder &b, Value a, Value n, Value bIdx) {
    Value row = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, a, n), bIdx);
    Value first = arith::MulIOp::create(b, loc, row, fn->laneStride);
    return isVector() ? first
                      : arith::AddIOp::create(b, loc, first, fn->laneId);
  }
  Value loadVec(OpBuilder &b, Value mem, Value offset) {
    if (!isVector())
      return memref::LoadOp::create(b, loc, mem, ValueRange{offset});
    return vector::LoadOp::create(b, loc, cast<VectorType>(vecType), mem,
                                  ValueRange{offset});
  }
  void storeVec(OpBuilder &b, Value v, Value mem, Value offset) {
    if (!isVector())
      memref::StoreOp::create(b, loc, v, mem, ValueRange{offset});
    else
      vector::StoreOp::create(b, loc, v, mem, ValueRange{offset});
  }
  /// Element index of history row `row` of `channel` (index values) for
  /// node `node`: the history is [channel][node][rows][lane], `rows` =
  /// historyRows().
  Value historyOffset(OpBuilder &b, Value channel, Value n, Value node,
                      Value rows, Value row) {
    Value series = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, channel, n), node);
    return laneOffset(b, series, rows, row);
  }
  /// Rows of one history series for a ring of `horizon` rows (index or
  /// i32): blocked kernels keep copies of the ring's first copiedRows()
  /// rows after it, so the rows a block of steps reads never wrap around.
  Value historyRows(OpBuilder &b, Value horizon) {
    Value pad = arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(horizon.getType(), copiedRows()));
    return arith::AddIOp::create(b, loc, horizon, pad);
  }
  /// The i32 of this kernel's lanes at element `offset` of `mem` (from
  /// laneOffset): a vector of them (CPU) or this thread's (GPU).
  Value loadLanesI32(OpBuilder &b, Value mem, Value offset) {
    if (!isVector())
      return memref::LoadOp::create(b, loc, mem, ValueRange{offset});
    return vector::LoadOp::create(b, loc, cast<VectorType>(indexVecType), mem,
                                  ValueRange{offset});
  }
  void storeLanesI32(OpBuilder &b, Value v, Value mem, Value offset) {
    if (!isVector())
      memref::StoreOp::create(b, loc, v, mem, ValueRange{offset});
    else
      vector::StoreOp::create(b, loc, v, mem, ValueRange{offset});
  }
  /// Element `i` of an i32 array, as an index.
  Value loadIndex(OpBuilder &b, Value mem, Value i) {
    Value v = memref::LoadOp::create(b, loc, mem, ValueRange{i});
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }
  /// The history row (i32) edge `e` reads now when every lane has the same
  /// delays (flag 4: `delays` is one table, [K]): (n mod H) - d, wrapped
  /// into [0, H).
  Value sharedDelayRow(OpBuilder &b, Value delays, Value e, Value rowNow,
                       Value horizonI32) {
    Value d = memref::LoadOp::create(b, loc, delays, ValueRange{e});
    Value row = arith::SubIOp::create(b, loc, rowNow, d);
    Value negative = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::slt, row,
        arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0));
    return arith::SelectOp::create(
        b, loc, negative, arith::AddIOp::create(b, loc, row, horizonI32), row);
  }
  /// One edge added to a coupling sum: acc + (w * post(xj)) * pre(xj), in
  /// the order the reference interpreter uses. The values have xj's type
  /// (every lane, or one lane's steps), as `reads` must.
  Value addCouplingTerm(OpBuilder &b, CouplingOp coupling, const Reads &reads,
                        Value acc, Value w, Value xj) {
    Type type = isVector() ? xj.getType() : Type();
    Value post = cloneRegion(b, coupling.getPost(), true, reads, xj, type)[0];
    Value pre = cloneRegion(b, coupling.getPre(), true, reads, xj, type)[0];
    Value term = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, w, post), pre);
    return arith::AddFOp::create(b, loc, acc, term);
  }
  Value loadParam(OpBuilder &b, Value params, unsigned slot) {
    auto load = [&](OpBuilder &at) {
      return loadVec(
          at, params,
          laneOffset(at, index(at, 0), index(at, 0), index(at, slot)));
    };
    if (!callEntry || params != callEntry->params)
      return load(b);
    Value &loaded = callEntry->slots[slot];
    if (!loaded)
      loaded = load(callEntry->builder);
    return loaded;
  }
  Value clip(OpBuilder &b, StateOp state, Value x);

  /// Values of derived and conditional variables for one node, given
  /// `read` for everything else.
  void evaluateDerived(OpBuilder &b, llvm::StringMap<Value> &values,
                       const Reads &reads);
  /// The node-level values of node `node` (index) from `nodeParams`
  /// (kStepNodeParams), by name; none for a model without regional values.
  llvm::StringMap<Value> loadNodeValues(OpBuilder &b, Value nodeParams, Value n,
                                        Value node);
  /// The values of `outputs` (time derivatives or exposures) of one node at
  /// states `x` with couplings `c` and node-level values `nodeValues`.
  SmallVector<Value> evaluateAt(OpBuilder &b, Value params, ValueRange x,
                                ValueRange c,
                                const llvm::StringMap<Value> &nodeValues,
                                ArrayRef<Region *> outputs);
  template <typename OpTy>
  static SmallVector<Region *> bodiesOf(ArrayRef<OpTy> ops) {
    return llvm::map_to_vector(
        ops, [](OpTy op) -> Region * { return &op.getBody(); });
  }
  SmallVector<Value> derivatives(OpBuilder &b, Value params, ValueRange x,
                                 ValueRange c,
                                 const llvm::StringMap<Value> &nodeValues) {
    return evaluateAt(b, params, x, c, nodeValues,
                      bodiesOf<TimeDerivativeOp>(timeDerivatives));
  }
  SmallVector<Value> exposureValues(OpBuilder &b, Value params, ValueRange x,
                                    ValueRange c,
                                    const llvm::StringMap<Value> &nodeValues) {
    return evaluateAt(b, params, x, c, nodeValues,
                      bodiesOf<ExposureOp>(exposures));
  }

  //===-- Noise (Philox.cpp) -------------------------------------------===//
  /// The Philox inputs of one step: counter words (step, sets) for the
  /// lanes' sets `sets` (i32 per lane), and the round keys from `seed`.
  PhiloxInputs buildPhiloxInputs(OpBuilder &b, Value step, Value sets,
                                 Value seed);
  /// The four Philox4x32-10 words of counter (step, nodePair, set, pair)
  /// for the state pairs `firstPair` ... `firstPair + count - 1` of node
  /// pair `nodePair` (i32) in every lane (docs/simulation.md): nodes 2m and
  /// 2m + 1 share a call, the even one taking words 0 and 1, the odd one
  /// words 2 and 3. The CPU kernels draw several pairs in one vector of
  /// lanes * count elements, pair-major (the GPU one at a time): LLVM
  /// splits it into registers whose instructions interleave, independent
  /// chains that hide each other's latency.
  std::array<Value, 4> philoxWords(OpBuilder &b, const PhiloxInputs &philox,
                                   Value nodePair, unsigned firstPair,
                                   unsigned count);
  /// The type of those words for `count` pairs: vector<lanes * count x
  /// i32> on the CPU, i32 on the GPU.
  Type philoxWordType(OpBuilder &b, unsigned count) const {
    Type i32 = b.getI32Type();
    return isVector() ? Type(VectorType::get({int64_t(lanes) * count}, i32))
                      : i32;
  }
  /// Box-Muller on two of those words (NormalTransform.h) in the kernel
  /// precision: the cosine and sine draws of states 2 pair and 2 pair + 1
  /// of each of the `count` pairs, in state order.
  SmallVector<Value> normalDraws(OpBuilder &b, Value word1, Value word2,
                                 unsigned count);
  /// The low and high 32 bits of x * m for every lane of i32 `x`, `m`.
  std::pair<Value, Value> multiplyExtended(OpBuilder &b, Value x, Value m);

  //===-- Functions and their arguments (Functions.cpp) ----------------===//
  func::FuncOp makeFunc(OpBuilder &b, StringRef name, TypeRange args);
  void buildSetup(OpBuilder &b);
  /// rateml_node_setup: the regional derived parameters of one (set, node).
  void buildNodeSetup(OpBuilder &b);
  /// The MLIR type of an argument of kind `kind` (KernelABI.h).
  Type argumentType(OpBuilder &b, ::rateml::runtime::ArgKind kind);
  /// The arguments of the kernels, as KernelABI.h lists them. The GPU
  /// kernels take those of the host thread versions without tid.
  SmallVector<Type> stepArgumentTypes(OpBuilder &b);
  SmallVector<Type> exposuresArgumentTypes(OpBuilder &b);
  SmallVector<Type> threadStepArgumentTypes(OpBuilder &b);
  SmallVector<Type> threadExposuresArgumentTypes(OpBuilder &b);
  /// The loop over a launch's steps (`args` as threadStepArgumentTypes).
  void buildThreadSteps(OpBuilder &b, ValueRange args);
  void buildStep(OpBuilder &b);

  //===-- The step (StepKernel.cpp, Coupling.cpp) ----------------------===//
  /// One step for the lanes of this function (`args` as in
  /// stepArgumentTypes, `step` the i64 step index). With `sums` (GPU
  /// kernels, memref<?xf64>), flags 16 and 32 add the new states or their
  /// exposures to it, starting from zero at step args[kStepStep] (the
  /// launch's first).
  void buildStepBody(OpBuilder &b, ValueRange args, Value step,
                     Value sums = nullptr);
  /// Whether bit `bit` of `flags` is set.
  Value flagSet(OpBuilder &b, Value flags, abi::KernelFlags bit);
  /// The values every phase of one step uses, computed once at its start.
  StepFrame buildStepPrologue(OpBuilder &b, ValueRange args, Value step,
                              Value sums);
  /// The states of `node` at the start of the step.
  SmallVector<Value> loadStates(OpBuilder &b, const StepFrame &f, Value node);
  /// stimulus.scale x S(n) of every state of `node`: the window's element
  /// (stimulusRow + s) * N + node (one value for every lane) times `scale`
  /// (the lanes' stimulus.scale).
  SmallVector<Value> stimulusTerms(OpBuilder &b, const StepFrame &f,
                                   Value stimulusRow, Value scale, Value node);
  /// Phase 1: c(n) of every node from x(n) and the history, into coupling
  /// slot 0; with flag 8, every `blockSteps` steps, c(n) ... c(n + B - 1)
  /// into slots 0 ... B - 1 instead (buildBlockedCoupling). Returns the slot
  /// phase 2 reads.
  Value buildCouplingPhase(OpBuilder &b, const StepFrame &f);
  /// Phase 2: x(n + 1), node by node, the history row n + 1, and the sums,
  /// with one of two node loops (buildNodeLoop) chosen by flag 128; then
  /// the lanes' divergence steps.
  void buildIntegrationPhase(OpBuilder &b, const StepFrame &f,
                             Value couplingSlot);
  /// The node loop of phase 2, adding the stimulus or not; returns which
  /// lanes have a non-finite new state.
  Value buildNodeLoop(OpBuilder &b, const StepFrame &f, Value couplingSlot,
                      bool withStimulus);
  /// The couplings of steps n ... n + blockSteps - 1 of every node into
  /// coupling slots 0 ... blockSteps - 1, in one pass over the edges (lanes
  /// share their delays, all of at least blockSteps - 1 steps, so every row
  /// read is already written). Each edge's rows are contiguous, and each
  /// step's sum is taken in the same order as one step at a time. The ring
  /// has `horizonI32` rows, a history series `rows` (historyRows).
  void buildBlockedCoupling(OpBuilder &b, const StepFrame &f);
  /// The same sums with flag 64 (lanes with delays of their own, each at
  /// least blockSteps - 1): the history is [C][N][W][R], and each edge
  /// loads, for every lane, the blockSteps consecutive values of that
  /// lane's own delayed row into per-lane accumulators over the steps, which
  /// are transposed into vectors over lanes once per node
  /// (transposeToLanes). Each element of each sum sees the same operations
  /// in the same order as one step at a time.
  /// `steps` is blockSteps, or laneBlockSteps with flag 256.
  void buildLaneSeriesCoupling(OpBuilder &b, const StepFrame &f,
                               unsigned steps);
  /// `rows[l]` a vector over the steps of lane l (lanes of them): returns a
  /// vector over the lanes per step, out[t][l] = rows[l][t].
  SmallVector<Value> transposeToLanes(OpBuilder &b, ArrayRef<Value> rows);
  /// Rows after the ring in a history series (the copies of its first
  /// rows): the longest block's length - 1.
  unsigned copiedRows() const {
    return std::max(blockSteps, laneBlockSteps) - 1;
  }
  /// Element offsets (i32, every lane) of row `row` (i32 lanes) of each
  /// lane's series of node `node` (i32 lanes) in history channel `channel`
  /// with flag 64: ((channel * N + node) * W + lane) * R + row.
  Value laneSeriesOffsets(OpBuilder &b, const StepFrame &f, int64_t channel,
                          Value node, Value row);
  void buildExposures(OpBuilder &b);
  void buildExposuresBody(OpBuilder &b, ValueRange args);
  /// The gpu.module with the step and exposure kernels.
  void buildGpuKernels(OpBuilder &b, ModuleOp module);
  /// Host functions with the GPU kernels' bodies, one call per thread
  /// (`tid` as last argument): rateml_thread_step, rateml_thread_exposures.
  void buildThreadFunctions(OpBuilder &b);

  //===-- Metadata (Metadata.cpp) ---------------------------------------===//
  void buildMetadata(OpBuilder &b);

  /// Reads `values` (states, couplings, derived variables) first, and
  /// parameter-level values from the `params` vectors.
  Reads makeReads(OpBuilder &b, Value params, llvm::StringMap<Value> &values) {
    return {[this, &b, params, &values](StringRef name) -> Value {
              auto it = values.find(name);
              if (it != values.end())
                return it->second;
              return loadParam(b, params, slotOf.lookup(name));
            },
            [this, &b, params](unsigned slot) -> Value {
              return loadParam(b, params, slot);
            }};
  }

  LaneModel laneModel;
  std::string suffix;
  unsigned lanes;
  FloatType elem;
  MLIRContext *ctx;
  /// Steps of coupling per pass over the edges: what was asked for when the
  /// couplings allow it, else 1 (docs/kernel-abi.md).
  unsigned blockSteps = 1;
  /// The same for tiles with flags 64 and 256: 2 blockSteps when a lane's
  /// values of those steps fit one cache line, else blockSteps. The
  /// history's copies after the ring cover the longer of the two.
  unsigned laneBlockSteps = 1;
  /// A value of every lane: vector<lanes x T> / T, masks, i32 indices.
  Type vecType, maskType, indexVecType;
  Location loc;
  std::optional<FunctionContext> fn;
  /// While a CPU step kernel is built: its parameter-level values, loaded
  /// once per call before the loops (LLVM cannot hoist them, since as far as
  /// it knows the kernel's arrays may alias).
  struct CallEntry {
    CallEntry(Operation *firstOp, Value params)
        : builder(firstOp), params(params) {}
    OpBuilder builder;
    Value params;
    llvm::DenseMap<unsigned, Value> slots;
  };
  std::optional<CallEntry> callEntry;
};

} // namespace mlir::rateml::kernels

#endif // RATEML_LIB_CONVERSION_RATEMLTOKERNEL_KERNELBUILDER_H
