//===- RateMLToKernel.cpp - rateml.model to step kernels ------*- C++ -*-===//
//
// Builds the setup, step and exposure functions of a model (see Passes.td
// and docs/kernel-abi.md). The model's expression regions are cloned op for
// op, with f64 scalars becoming vectors of `lanes` parameter sets in the
// chosen precision, so the kernel computes exactly what the model says in
// the order docs/simulation.md fixes.
//
//===----------------------------------------------------------------------===//

#include "rateml/Conversion/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "rateml/Dialect/RateML/IR/ModelStructure.h"
#include "rateml/Version.h"
#include "rateml/runtime/KernelABI.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include <cmath>

namespace mlir::rateml {
#define GEN_PASS_DEF_CONVERTRATEMLTOKERNELPASS
#include "rateml/Conversion/Passes.h.inc"
} // namespace mlir::rateml

using namespace mlir;
using namespace mlir::rateml;
namespace abi = ::rateml::runtime;
namespace json_key = ::rateml::runtime::json_key;
namespace symbol = ::rateml::runtime::symbol;

namespace {

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

class KernelBuilder {
public:
  /// `suffix` is appended to the names of the step and exposure functions
  /// and of the metadata (a second set of CPU kernels, "_narrow").
  KernelBuilder(ModelOp model, LaneModel laneModel, unsigned lanes,
                FloatType elem, unsigned block = 1, StringRef suffix = "")
      : model(model), laneModel(laneModel), suffix(suffix.str()),
        lanes(laneModel == LaneModel::Vector ? lanes : 1), elem(elem),
        ctx(model.getContext()),
        requestedBlock(laneModel == LaneModel::Vector ? block : 1) {
    Type i1 = IntegerType::get(ctx, 1), i32 = IntegerType::get(ctx, 32);
    if (laneModel == LaneModel::Vector) {
      vecType = VectorType::get({lanes}, elem);
      maskType = VectorType::get({lanes}, i1);
      indexVecType = VectorType::get({lanes}, i32);
    } else {
      vecType = elem;
      maskType = i1;
      indexVecType = i32;
    }
  }

  LogicalResult build(ModuleOp module);
  /// Only the step and exposure kernels and their metadata (CPU), for a
  /// second lane count next to a build() of the same model.
  LogicalResult buildLaneVariant(ModuleOp module) {
    if (failed(analyse()))
      return failure();
    loc = model.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    buildStep(b);
    buildExposures(b);
    buildMetadata(b);
    return success();
  }
  /// Only the host thread functions (after a build() of the same model).
  LogicalResult buildThreadFunctionsOnly(ModuleOp module) {
    if (failed(analyse()))
      return failure();
    loc = model.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    buildThreadFunctions(b);
    return success();
  }

private:
  //===-- Model structure --------------------------------------------===//
  LogicalResult analyse();

  //===-- Expression cloning -----------------------------------------===//
  /// Clones `region` at `b`; `read` supplies named values, `arg` the block
  /// argument. In vector mode f64 becomes vecType and i1 maskType.
  SmallVector<Value> cloneRegion(OpBuilder &b, Region &region, bool vector,
                                 const Reads &reads, Value arg = nullptr);

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
    Value first = arith::MulIOp::create(b, loc, row, laneStride);
    return isVector() ? first : arith::AddIOp::create(b, loc, first, laneId);
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
  /// i32): blocked kernels keep copies of the ring's first blockSteps - 1
  /// rows after it, so the rows a block of steps reads never wrap around.
  Value historyRows(OpBuilder &b, Value horizon) {
    Value pad = arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(horizon.getType(), blockSteps - 1));
    return arith::AddIOp::create(b, loc, horizon, pad);
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
  /// the order the reference interpreter uses.
  Value addCouplingTerm(OpBuilder &b, CouplingOp coupling, const Reads &reads,
                        Value acc, Value w, Value xj) {
    Value post = cloneRegion(b, coupling.getPost(), true, reads, xj)[0];
    Value pre = cloneRegion(b, coupling.getPre(), true, reads, xj)[0];
    Value term = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, w, post), pre);
    return arith::AddFOp::create(b, loc, acc, term);
  }
  Value loadParam(OpBuilder &b, Value params, unsigned slot) {
    auto load = [&](OpBuilder &at) {
      return loadVec(at, params, laneOffset(at, index(at, 0), index(at, 0),
                                            index(at, slot)));
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
  /// The values of `outputs` (time derivatives or exposures) of one node at
  /// states `x` with couplings `c`.
  SmallVector<Value> evaluateAt(OpBuilder &b, Value params, ValueRange x,
                                ValueRange c, ArrayRef<Region *> outputs);
  template <typename OpTy>
  static SmallVector<Region *> bodiesOf(ArrayRef<OpTy> ops) {
    return llvm::map_to_vector(
        ops, [](OpTy op) -> Region * { return &op.getBody(); });
  }
  SmallVector<Value> derivatives(OpBuilder &b, Value params, ValueRange x,
                                 ValueRange c) {
    return evaluateAt(b, params, x, c,
                      bodiesOf<TimeDerivativeOp>(timeDerivatives));
  }
  SmallVector<Value> exposureValues(OpBuilder &b, Value params, ValueRange x,
                                    ValueRange c) {
    return evaluateAt(b, params, x, c, bodiesOf<ExposureOp>(exposures));
  }

  /// Everything a Philox4x32-10 draw needs besides the node and state.
  struct PhiloxInputs {
    Value step, sets;
    SmallVector<std::pair<Value, Value>> roundKeys;
  };
  /// The standard normal of docs/simulation.md for state `state` of node
  /// `node` (i32) in every lane: Philox4x32-10 with counter (step, node,
  /// set, state), then Box-Muller on words 0 and 1, in the kernel precision.
  Value normalDraw(OpBuilder &b, const PhiloxInputs &philox, Value node,
                   unsigned state);
  /// The low and high 32 bits of x * m for every lane of i32 `x`, `m`.
  std::pair<Value, Value> multiplyExtended(OpBuilder &b, Value x, Value m);

  func::FuncOp makeFunc(OpBuilder &b, StringRef name, TypeRange args);
  void buildSetup(OpBuilder &b);
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
  /// One step for the lanes of this function (`args` as in
  /// stepArgumentTypes, `step` the i64 step index). With `sums` (GPU
  /// kernels, memref<?xf64>), flags 16 and 32 add the new states or their
  /// exposures to it, starting from zero at step args[kStepStep] (the
  /// launch's first).
  void buildStepBody(OpBuilder &b, ValueRange args, Value step,
                     Value sums = nullptr);
  /// The couplings of steps n ... n + blockSteps - 1 of every node into
  /// coupling slots 0 ... blockSteps - 1, in one pass over the edges (lanes
  /// share their delays, all of at least blockSteps - 1 steps, so every row
  /// read is already written). Each edge's rows are contiguous, and each
  /// step's sum is taken in the same order as one step at a time. The ring
  /// has `horizonI32` rows, a history series `rows` (historyRows).
  void buildBlockedCoupling(OpBuilder &b, ValueRange args, Value rowNow,
                            Value horizonI32, Value rows);
  /// Whether every coupling term reads only its source value and
  /// parameter-level values (kind linear or source_function, from
  /// rateml-classify-coupling), so the coupling of later steps can be
  /// summed before the target's states exist.
  bool couplingReadsOnlySources();
  void buildExposures(OpBuilder &b);
  void buildExposuresBody(OpBuilder &b, ValueRange args);
  /// The gpu.module with the step and exposure kernels.
  void buildGpuKernels(OpBuilder &b, ModuleOp module);
  /// Host functions with the GPU kernels' bodies, one call per thread
  /// (`tid` as last argument): rateml_thread_step, rateml_thread_exposures.
  void buildThreadFunctions(OpBuilder &b);
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

  ModelOp model;
  LaneModel laneModel;
  std::string suffix;
  unsigned lanes;
  FloatType elem;
  MLIRContext *ctx;
  /// Steps of coupling per pass over the edges that was asked for, and what
  /// this model gets (1 unless the couplings allow it; docs/kernel-abi.md).
  unsigned requestedBlock, blockSteps = 1;
  /// A value of every lane: vector<lanes x T> / T, masks, i32 indices.
  Type vecType, maskType, indexVecType;
  Location loc = UnknownLoc::get(ctx);
  /// Of the function being built: elements between consecutive sets' values
  /// of one array entry (lanes, or the number of sets on the GPU), and this
  /// thread's set (GPU only).
  Value laneStride, laneId;
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

  SmallVector<StateOp> states;
  SmallVector<ParamOp> params;
  SmallVector<ConstantOp> constants;
  SmallVector<DerivedParamOp> derivedParams;
  SmallVector<Operation *> derived;
  SmallVector<CouplingOp> couplings;
  SmallVector<TimeDerivativeOp> timeDerivatives;
  SmallVector<ExposureOp> exposures;
  NoiseOp noise;
  llvm::StringMap<unsigned> slotOf;
  /// Slots: the fixed ones (KernelABI.h), then parameters, constants,
  /// derived parameters (dependency order) and the per-state noise
  /// amplitudes.
  unsigned noiseSlot = 0, numSlots = abi::kNumFixedSlots;
  bool hasDelays = false;
  /// History channel of each state (-1: not kept).
  SmallVector<int64_t> historyChannel;
  SmallVector<int64_t> delayedStates;
};

LogicalResult KernelBuilder::analyse() {
  ModelStructure structure(model);
  params = structure.params;
  constants = structure.constants;
  derivedParams = structure.derivedParams;
  derived = structure.derived;
  states = structure.states;
  couplings = structure.couplings;
  timeDerivatives = structure.timeDerivatives;
  exposures = structure.exposures;
  noise = structure.noise;
  for (ParamOp p : params)
    slotOf[p.getSymName()] = numSlots++;
  for (ConstantOp c : constants)
    slotOf[c.getSymName()] = numSlots++;
  for (DerivedParamOp d : derivedParams)
    slotOf[d.getSymName()] = numSlots++;
  noiseSlot = numSlots;
  if (noise)
    numSlots += states.size();

  hasDelays = model.hasDelays();
  auto delayed = model.getDelayedStates();
  if (!delayed || (hasDelays && !model.getConductionSpeed()))
    return model.emitError()
           << "run rateml-optimize-model before convert-rateml-to-kernel";
  delayedStates.assign(delayed->begin(), delayed->end());
  historyChannel.assign(states.size(), -1);
  for (auto [channel, s] : llvm::enumerate(delayedStates))
    historyChannel[s] = channel;
  if (requestedBlock > 1 && hasDelays && !couplings.empty() &&
      couplingReadsOnlySources())
    blockSteps = requestedBlock;
  return success();
}

bool KernelBuilder::couplingReadsOnlySources() {
  return llvm::all_of(couplings, [&](CouplingOp c) {
    std::optional<CouplingKind> kind = c.getKind();
    return historyChannel[c.getSource()] >= 0 && kind &&
           (*kind == CouplingKind::Linear ||
            *kind == CouplingKind::SourceFunction);
  });
}

SmallVector<Value> KernelBuilder::cloneRegion(OpBuilder &b, Region &region,
                                              bool vector, const Reads &reads,
                                              Value arg) {
  Block &block = region.front();
  IRMapping mapping;
  if (arg)
    mapping.map(block.getArgument(0), arg);
  auto convert = [&](Type t) -> Type {
    if (!vector)
      return t;
    return t.isInteger(1) ? Type(maskType) : Type(vecType);
  };
  for (Operation &op : block) {
    if (auto get = dyn_cast<GetOp>(op)) {
      mapping.map(get.getResult(), reads.symbol(get.getName()));
    } else if (isa<DtOp>(op)) {
      mapping.map(op.getResult(0), reads.slot(abi::kSlotDt));
    } else if (isa<NNodeOp>(op)) {
      mapping.map(op.getResult(0), reads.slot(abi::kSlotNumNodes));
    } else if (auto yield = dyn_cast<YieldOp>(op)) {
      SmallVector<Value> results;
      for (Value v : yield.getValues())
        results.push_back(mapping.lookup(v));
      return results;
    } else if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      TypedAttr value = c.getValue();
      if (vector) {
        TypedAttr scalar =
            c.getType().isInteger(1)
                ? value
                : TypedAttr(FloatAttr::get(
                      elem, cast<FloatAttr>(value).getValueAsDouble()));
        value = isVector() ? TypedAttr(DenseElementsAttr::get(
                                 cast<ShapedType>(convert(c.getType())),
                                 ArrayRef<Attribute>(scalar)))
                           : scalar;
      }
      mapping.map(c.getResult(), arith::ConstantOp::create(b, loc, value));
    } else {
      Operation *clone = b.clone(op, mapping);
      for (Value result : clone->getResults())
        result.setType(convert(result.getType()));
    }
  }
  llvm_unreachable("expression regions end in rateml.yield");
}

Value KernelBuilder::clip(OpBuilder &b, StateOp state, Value x) {
  if (auto lower = state.getLower()) {
    Value lo = splat(b, lower->convertToDouble());
    Value below =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, lo);
    x = arith::SelectOp::create(b, loc, below, lo, x);
  }
  if (auto upper = state.getUpper()) {
    Value hi = splat(b, upper->convertToDouble());
    Value above =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, hi);
    x = arith::SelectOp::create(b, loc, above, hi, x);
  }
  return x;
}

void KernelBuilder::evaluateDerived(OpBuilder &b,
                                    llvm::StringMap<Value> &values,
                                    const Reads &read) {
  for (Operation *op : derived) {
    StringRef name = cast<mlir::SymbolOpInterface>(op).getName();
    if (auto d = dyn_cast<DerivedOp>(op)) {
      values[name] = cloneRegion(b, d.getBody(), true, read)[0];
      continue;
    }
    // First true case wins: select from the last case backwards.
    auto cases = cast<ConditionalOp>(op).getCases();
    Value result = cloneRegion(b, cases.back(), true, read)[0];
    SmallVector<SmallVector<Value>> evaluated;
    for (Region &region : cases.drop_back())
      evaluated.push_back(cloneRegion(b, region, true, read));
    for (auto &cv : llvm::reverse(evaluated))
      result = arith::SelectOp::create(b, loc, cv[0], cv[1], result);
    values[name] = result;
  }
}

std::pair<Value, Value> KernelBuilder::multiplyExtended(OpBuilder &b,
                                                        Value x, Value m) {
  auto vecI32 = dyn_cast<VectorType>(x.getType());
  if (!vecI32 || lanes % 2 != 0) {
    auto product = arith::MulUIExtendedOp::create(b, loc, x, m);
    return {product.getLow(), product.getHigh()};
  }
  // Lanes 2k and 2k + 1 as the low and high halves of one i64 (the CPU
  // targets are little-endian): two 32 x 32 -> 64 multiplies of the even
  // and the odd lanes (pmuludq on x86), and two shuffles into the low and
  // the high words. arith.mului_extended on the whole vector computes every
  // product twice, once per half.
  auto vecI64 = VectorType::get({lanes / 2}, b.getI64Type());
  auto splat64 = [&](uint64_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vecI64, b.getI64IntegerAttr(int64_t(v))));
  };
  Value wide = vector::BitCastOp::create(b, loc, vecI64, x);
  Value wideM = vector::BitCastOp::create(b, loc, vecI64, m);
  Value lowMask = splat64(0xFFFFFFFFull), shift = splat64(32);
  Value mEven = arith::AndIOp::create(b, loc, wideM, lowMask);
  Value mOdd = arith::ShRUIOp::create(b, loc, wideM, shift);
  Value even = arith::MulIOp::create(
      b, loc, arith::AndIOp::create(b, loc, wide, lowMask), mEven);
  Value odd = arith::MulIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, wide, shift), mOdd);
  Value evenWords = vector::BitCastOp::create(b, loc, vecI32, even);
  Value oddWords = vector::BitCastOp::create(b, loc, vecI32, odd);
  SmallVector<int64_t> lowOrder, highOrder;
  for (int64_t k = 0; k < int64_t(lanes); k += 2) {
    lowOrder.append({k, int64_t(lanes) + k});
    highOrder.append({k + 1, int64_t(lanes) + k + 1});
  }
  return {vector::ShuffleOp::create(b, loc, evenWords, oddWords, lowOrder),
          vector::ShuffleOp::create(b, loc, evenWords, oddWords, highOrder)};
}

Value KernelBuilder::normalDraw(OpBuilder &b, const PhiloxInputs &philox,
                                Value node, unsigned state) {
  auto broadcast = [&](Value scalar) { return broadcastI32(b, scalar); };
  Value x0 = philox.step, x1 = broadcast(node), x2 = philox.sets,
        x3 = splatI32(b, state);
  Value m0 = splatI32(b, int64_t(0xD2511F53)),
        m1 = splatI32(b, int64_t(0xCD9E8D57));
  for (const auto &[k0, k1] : philox.roundKeys) {
    auto [low0, high0] = multiplyExtended(b, x0, m0);
    auto [low1, high1] = multiplyExtended(b, x2, m1);
    Value y0 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, high1, x1), broadcast(k0));
    Value y2 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, high0, x3), broadcast(k1));
    x0 = y0;
    x1 = low1;
    x2 = y2;
    x3 = low0;
  }
  auto uniform = [&](Value bits) -> Value {
    Value real = arith::UIToFPOp::create(b, loc, vecType, bits);
    return arith::MulFOp::create(
        b, loc, arith::AddFOp::create(b, loc, real, splat(b, 0.5)),
        splat(b, 1.0 / 4294967296.0));
  };
  Value u1 = uniform(x0), u2 = uniform(x1);
  Value radius = math::SqrtOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, splat(b, -2.0),
                            math::LogOp::create(b, loc, u1)));
  Value angle = math::CosOp::create(
      b, loc, arith::MulFOp::create(b, loc, splat(b, 2.0 * M_PI), u2));
  return arith::MulFOp::create(b, loc, radius, angle);
}

func::FuncOp KernelBuilder::makeFunc(OpBuilder &b, StringRef name,
                                     TypeRange args) {
  auto func = func::FuncOp::create(b, loc, name,
                                   FunctionType::get(ctx, args, {}));
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  func.addEntryBlock();
  return func;
}

void KernelBuilder::buildSetup(OpBuilder &module) {
  Type f64 = module.getF64Type();
  auto memF64 = MemRefType::get({ShapedType::kDynamic}, f64);
  func::FuncOp func = makeFunc(module, symbol::kSetup, {memF64});
  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  Value slots = func.getArgument(0);
  auto load = [&](unsigned slot) -> Value {
    return memref::LoadOp::create(b, loc, slots, ValueRange{index(b, slot)});
  };
  Reads read{[&](StringRef name) { return load(slotOf.lookup(name)); },
             [&](unsigned slot) { return load(slot); }};
  for (DerivedParamOp d : derivedParams) {
    Value v = cloneRegion(b, d.getBody(), false, read)[0];
    memref::StoreOp::create(b, loc, v, slots,
                            ValueRange{index(b, slotOf.lookup(d.getSymName()))});
  }
  if (noise) {
    SmallVector<Value> amplitudes = cloneRegion(b, noise.getBody(), false, read);
    for (size_t s = 0; s < states.size(); ++s)
      memref::StoreOp::create(b, loc,
                              amplitudes[amplitudes.size() == 1 ? 0 : s], slots,
                              ValueRange{index(b, noiseSlot + s)});
  }
  func::ReturnOp::create(b, loc);
}

SmallVector<Value> KernelBuilder::evaluateAt(OpBuilder &b, Value params,
                                             ValueRange x, ValueRange c,
                                             ArrayRef<Region *> outputs) {
  llvm::StringMap<Value> values;
  for (auto [s, state] : llvm::enumerate(states))
    values[state.getSymName()] = x[s];
  for (auto [k, coupling] : llvm::enumerate(couplings))
    values[coupling.getSymName()] = c[k];
  Reads read = makeReads(b, params, values);
  evaluateDerived(b, values, read);
  SmallVector<Value> results;
  for (Region *body : outputs)
    results.push_back(cloneRegion(b, *body, true, read)[0]);
  return results;
}

Type KernelBuilder::argumentType(OpBuilder &b, abi::ArgKind kind) {
  auto array = [](Type t) { return MemRefType::get({ShapedType::kDynamic}, t); };
  switch (kind) {
  case abi::ArgKind::RealArray:
    return array(elem);
  case abi::ArgKind::I32Array:
    return array(b.getI32Type());
  case abi::ArgKind::F64Array:
    return array(b.getF64Type());
  case abi::ArgKind::I32:
    return b.getI32Type();
  case abi::ArgKind::I64:
  case abi::ArgKind::U64:
    return b.getI64Type();
  }
  llvm_unreachable("unknown argument kind");
}

SmallVector<Type> KernelBuilder::stepArgumentTypes(OpBuilder &b) {
  return llvm::map_to_vector(abi::kStepArgKinds, [&](abi::ArgKind kind) {
    return argumentType(b, kind);
  });
}

SmallVector<Type> KernelBuilder::exposuresArgumentTypes(OpBuilder &b) {
  return llvm::map_to_vector(abi::kExposuresArgKinds, [&](abi::ArgKind kind) {
    return argumentType(b, kind);
  });
}

void KernelBuilder::buildStep(OpBuilder &module) {
  func::FuncOp func =
      makeFunc(module, symbol::kStep + suffix, stepArgumentTypes(module));
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  laneStride = index(b, lanes);
  laneId = index(b, 0);
  buildStepBody(b, entry.getArguments(), entry.getArgument(abi::kStepStep));
  func::ReturnOp::create(b, loc);
}

void KernelBuilder::buildStepBody(OpBuilder &b, ValueRange args, Value step,
                                  Value sums) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  Value paramsArg = args[abi::kStepParams], state = args[abi::kStepState],
        history = args[abi::kStepHistory], delays = args[abi::kStepDelays],
        rowStart = args[abi::kStepRowStart], sources = args[abi::kStepSources],
        weights = args[abi::kStepWeights],
        couplingArg = args[abi::kStepCoupling],
        numNodes = args[abi::kStepNumNodes], horizon = args[abi::kStepHorizon],
        flags = args[abi::kStepFlags], seed = args[abi::kStepSeed],
        setBase = args[abi::kStepSetBase];

  Type indexType = b.getIndexType();
  Value n = arith::IndexCastOp::create(b, loc, indexType, numNodes);
  if (isVector())
    callEntry.emplace(n.getDefiningOp(), paramsArg);
  auto flag = [&](abi::KernelFlags bit) -> Value {
    Value masked = arith::AndIOp::create(
        b, loc, flags, arith::ConstantIntOp::create(b, loc, i32, bit));
    return arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, masked,
        arith::ConstantIntOp::create(b, loc, i32, 0));
  };
  Value heun = flag(abi::kFlagHeun), noiseOn = flag(abi::kFlagNoise),
        sharedDelays = flag(abi::kFlagSharedDelays);
  Value sumStates, sumExposures, firstOfLaunch;
  if (sums) {
    sumStates = flag(abi::kFlagSumStates);
    sumExposures = flag(abi::kFlagSumExposures);
    firstOfLaunch = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          step, args[abi::kStepStep]);
  }
  Value zero = splat(b, 0.0);
  Value c0 = index(b, 0), c1 = index(b, 1);

  // The set offset of every lane (0..lanes-1, or this thread's set), the
  // current history row in every lane, and the next row.
  Value iota, allTrue;
  if (isVector()) {
    SmallVector<int32_t> iotaValues;
    for (unsigned l = 0; l < lanes; ++l)
      iotaValues.push_back(l);
    iota = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(cast<ShapedType>(indexVecType),
                               ArrayRef(iotaValues)));
    allTrue = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(cast<ShapedType>(maskType), true));
  } else {
    iota = arith::IndexCastOp::create(b, loc, i32, laneId);
  }
  auto splatI32 = [&](OpBuilder &at, Value scalar) -> Value {
    return broadcastI32(at, scalar);
  };
  Value horizonIndex = arith::IndexCastOp::create(b, loc, indexType, horizon);
  Value rows = historyRows(b, horizonIndex);
  Value rowNowScalar = arith::TruncIOp::create(
      b, loc, i32, arith::RemSIOp::create(b, loc, step, horizon));
  Value rowNow = splatI32(b, rowNowScalar);
  Value horizonI32 = arith::TruncIOp::create(b, loc, i32, horizon);
  Value horizonVec = splatI32(b, horizonI32);
  // The gather's i32 index arithmetic (vector lanes only).
  Value rowsVec, nVec, lanesVec;
  if (isVector()) {
    rowsVec = splatI32(b, historyRows(b, horizonI32));
    nVec = splatI32(b, arith::TruncIOp::create(b, loc, i32, numNodes));
    lanesVec =
        splatI32(b, arith::IndexCastOp::create(b, loc, i32, laneStride));
  }
  Value zeroVec = splatI32(b, arith::ConstantIntOp::create(b, loc, i32, 0));
  // Philox counter (step, node, set, state) and key (seed); the set of lane
  // l is setBase + l. The round keys are the same for every draw.
  PhiloxInputs philox;
  philox.step = broadcastI32(b, arith::TruncIOp::create(b, loc, i32, step));
  philox.sets = arith::AddIOp::create(
      b, loc,
      broadcastI32(b, arith::TruncIOp::create(b, loc, i32, setBase)), iota);
  Value k0 = arith::TruncIOp::create(b, loc, i32, seed);
  Value k1 = arith::TruncIOp::create(
      b, loc, i32,
      arith::ShRUIOp::create(b, loc, seed,
                             arith::ConstantIntOp::create(b, loc, i64, 32)));
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = arith::AddIOp::create(
          b, loc, k0,
          arith::ConstantIntOp::create(b, loc, i32, int64_t(0x9E3779B9)));
      k1 = arith::AddIOp::create(
          b, loc, k1,
          arith::ConstantIntOp::create(b, loc, i32, int64_t(0xBB67AE85)));
    }
    philox.roundKeys.push_back({k0, k1});
  }
  Value nextRow = arith::IndexCastOp::create(
      b, loc, indexType,
      arith::RemSIOp::create(
          b, loc,
          arith::AddIOp::create(b, loc, step,
                                arith::ConstantIntOp::create(b, loc, i64, 1)),
          horizon));

  auto loadStates = [&](OpBuilder &ib, Value node) {
    SmallVector<Value> x;
    for (size_t s = 0; s < states.size(); ++s)
      x.push_back(loadVec(ib, state, laneOffset(ib, index(ib, s), n, node)));
    return x;
  };

  // Phase 1: c(n) for every node from x(n) and the history, into coupling
  // slot 0; with flag 8, every `blockSteps` steps, c(n) ... c(n + B - 1)
  // into slots 0 ... B - 1 instead (buildBlockedCoupling).
  Value couplingSlot = c0;
  OpBuilder pb = b;
  if (blockSteps > 1) {
    Value blocked = flag(abi::kFlagBlocked);
    Value blockLen = arith::ConstantIntOp::create(b, loc, i64, blockSteps);
    Value phase = arith::RemSIOp::create(b, loc, step, blockLen);
    couplingSlot = arith::SelectOp::create(
        b, loc, blocked, arith::IndexCastOp::create(b, loc, indexType, phase),
        c0);
    auto ifBlocked = scf::IfOp::create(b, loc, blocked, /*withElse=*/true);
    OpBuilder tb = ifBlocked.getThenBodyBuilder();
    auto ifFirst = scf::IfOp::create(
        tb, loc,
        arith::CmpIOp::create(tb, loc, arith::CmpIPredicate::eq, phase,
                              arith::ConstantIntOp::create(tb, loc, i64, 0)),
        /*withElse=*/false);
    OpBuilder fb = ifFirst.getThenBodyBuilder();
    buildBlockedCoupling(fb, args, rowNowScalar, horizonI32, rows);
    pb = ifBlocked.getElseBodyBuilder();
  }
  if (!couplings.empty()) {
    OpBuilder &b = pb;
    auto nodes = scf::ForOp::create(b, loc, c0, n, c1);
    OpBuilder nb = OpBuilder::atBlockBegin(nodes.getBody());
    Value i = nodes.getInductionVar();
    SmallVector<Value> x = loadStates(nb, i);
    llvm::StringMap<Value> targetValues;
    for (auto [s, st] : llvm::enumerate(states))
      targetValues[st.getSymName()] = x[s];
    Value begin = loadIndex(nb, rowStart, i);
    Value end = loadIndex(nb, rowStart, arith::AddIOp::create(nb, loc, i, c1));
    SmallVector<Value> init(couplings.size(), splat(nb, 0.0));
    auto edgesLoop = scf::ForOp::create(nb, loc, begin, end, c1, init);
    {
      OpBuilder eb = OpBuilder::atBlockBegin(edgesLoop.getBody());
      Value e = edgesLoop.getInductionVar();
      Value j = loadIndex(eb, sources, e);
      Value w = memref::LoadOp::create(eb, loc, weights, ValueRange{e});
      if (isVector())
        w = vector::BroadcastOp::create(eb, loc, vecType, w);
      // Per-lane delays ([K][lanes]), read only where the lanes do not
      // share one table ([K]).
      auto laneDelays = [&](OpBuilder &db) -> Value {
        Value first = arith::MulIOp::create(db, loc, e, laneStride);
        if (isVector())
          return vector::LoadOp::create(db, loc,
                                        cast<VectorType>(indexVecType), delays,
                                        ValueRange{first});
        return memref::LoadOp::create(
            db, loc, delays,
            ValueRange{arith::AddIOp::create(db, loc, first, laneId)});
      };
      Value jVec;
      if (hasDelays && isVector())
        jVec = splatI32(eb, arith::IndexCastOp::create(eb, loc, i32, j));
      Reads reads = makeReads(eb, paramsArg, targetValues);
      SmallVector<Value> next;
      for (auto [k, coupling] : llvm::enumerate(couplings)) {
        int64_t src = coupling.getSource();
        Value xj = zero;
        if (!hasDelays) {
          xj = loadVec(eb, state, laneOffset(eb, index(eb, src), n, j));
        } else if (historyChannel[src] >= 0) {
          // All lanes share the delays (speed not swept in this tile): one
          // contiguous load; otherwise a gather with per-lane rows.
          auto ifShared = scf::IfOp::create(eb, loc, TypeRange{vecType},
                                            sharedDelays, /*withElse=*/true);
          {
            OpBuilder sb = ifShared.getThenBodyBuilder();
            Value row = arith::IndexCastOp::create(
                sb, loc, indexType,
                sharedDelayRow(sb, delays, e, rowNowScalar, horizonI32));
            scf::YieldOp::create(
                sb, loc,
                loadVec(sb, history,
                        historyOffset(sb, index(sb, historyChannel[src]), n, j,
                                      rows, row)));
          }
          OpBuilder gb = ifShared.getElseBodyBuilder();
          // row = (n mod H) - d, wrapped into [0, H).
          Value row = arith::SubIOp::create(gb, loc, rowNow, laneDelays(gb));
          Value negative = arith::CmpIOp::create(
              gb, loc, arith::CmpIPredicate::slt, row, zeroVec);
          row = arith::SelectOp::create(
              gb, loc, negative,
              arith::AddIOp::create(gb, loc, row, horizonVec), row);
          Value gathered;
          if (isVector()) {
            // i32 lanes (a CPU tile's history stays below 2^31 elements).
            Value channel = splatI32(gb, arith::ConstantIntOp::create(
                gb, loc, i32, historyChannel[src]));
            Value idx = arith::MulIOp::create(gb, loc, channel, nVec);
            idx = arith::AddIOp::create(gb, loc, idx, jVec);
            idx = arith::MulIOp::create(gb, loc, idx, rowsVec);
            idx = arith::AddIOp::create(gb, loc, idx, row);
            idx = arith::MulIOp::create(gb, loc, idx, lanesVec);
            idx = arith::AddIOp::create(gb, loc, idx, iota);
            gathered = vector::GatherOp::create(
                gb, loc, cast<VectorType>(vecType), history,
                ValueRange{index(gb, 0)}, idx, allTrue, zero);
          } else {
            // Index arithmetic: a GPU batch's history may exceed 2^31
            // elements.
            Value rowIndex =
                arith::IndexCastOp::create(gb, loc, indexType, row);
            Value channel = index(gb, historyChannel[src]);
            gathered = loadVec(
                gb, history, historyOffset(gb, channel, n, j, rows, rowIndex));
          }
          scf::YieldOp::create(gb, loc, gathered);
          xj = ifShared.getResult(0);
        }
        next.push_back(addCouplingTerm(
            eb, coupling, reads, edgesLoop.getRegionIterArgs()[k], w, xj));
      }
      scf::YieldOp::create(eb, loc, next);
    }
    Reads reads = makeReads(nb, paramsArg, targetValues);
    for (auto [k, coupling] : llvm::enumerate(couplings)) {
      Value scale = cloneRegion(nb, coupling.getScale(), true, reads)[0];
      Value c = arith::MulFOp::create(nb, loc, scale, edgesLoop.getResult(k));
      storeVec(nb, c, couplingArg, laneOffset(nb, index(nb, k), n, i));
    }
  }

  // Phase 2: x(n + 1), node by node, and the history row n + 1.
  auto nodes = scf::ForOp::create(b, loc, c0, n, c1);
  OpBuilder nb = OpBuilder::atBlockBegin(nodes.getBody());
  Value i = nodes.getInductionVar();
  SmallVector<Value> x = loadStates(nb, i), c;
  for (size_t k = 0; k < couplings.size(); ++k) {
    Value slotRow = arith::AddIOp::create(
        nb, loc,
        arith::MulIOp::create(nb, loc, couplingSlot, index(nb, couplings.size())),
        index(nb, k));
    c.push_back(loadVec(nb, couplingArg, laneOffset(nb, slotRow, n, i)));
    // Slot 0 holds c(n) after the call, as the exposures expect.
    if (blockSteps > 1)
      storeVec(nb, c.back(), couplingArg, laneOffset(nb, index(nb, k), n, i));
  }
  SmallVector<Value> f1 = derivatives(nb, paramsArg, x, c);
  Value dt = loadParam(nb, paramsArg, abi::kSlotDt);
  SmallVector<Value> z, predicted;
  for (size_t s = 0; s < states.size(); ++s) {
    auto ifNoise = scf::IfOp::create(nb, loc, TypeRange{vecType}, noiseOn,
                                     /*withElse=*/true);
    {
      OpBuilder tb = ifNoise.getThenBodyBuilder();
      Value term = zero;
      if (noise)
        term = arith::MulFOp::create(
            tb, loc, loadParam(tb, paramsArg, noiseSlot + s),
            normalDraw(tb, philox, arith::IndexCastOp::create(tb, loc, i32, i),
                       s));
      scf::YieldOp::create(tb, loc, term);
      OpBuilder fb = ifNoise.getElseBodyBuilder();
      scf::YieldOp::create(fb, loc, splat(fb, 0.0));
    }
    z.push_back(ifNoise.getResult(0));
    Value euler = arith::AddFOp::create(
        nb, loc, x[s], arith::MulFOp::create(nb, loc, dt, f1[s]));
    Value noisy = arith::AddFOp::create(nb, loc, euler, z[s]);
    predicted.push_back(
        clip(nb, states[s],
             arith::SelectOp::create(nb, loc, noiseOn, noisy, euler)));
  }
  SmallVector<Type> stateTypes(states.size(), vecType);
  auto ifHeun = scf::IfOp::create(nb, loc, stateTypes, heun, /*withElse=*/true);
  {
    OpBuilder tb = ifHeun.getThenBodyBuilder();
    SmallVector<Value> f2 = derivatives(tb, paramsArg, predicted, c);
    Value half = arith::MulFOp::create(tb, loc, splat(tb, 0.5),
                                       loadParam(tb, paramsArg, abi::kSlotDt));
    SmallVector<Value> corrected;
    for (size_t s = 0; s < states.size(); ++s) {
      Value sum = arith::AddFOp::create(tb, loc, f1[s], f2[s]);
      Value heunValue = arith::AddFOp::create(
          tb, loc, x[s], arith::MulFOp::create(tb, loc, half, sum));
      Value noisy = arith::AddFOp::create(tb, loc, heunValue, z[s]);
      corrected.push_back(
          clip(tb, states[s],
               arith::SelectOp::create(tb, loc, noiseOn, noisy, heunValue)));
    }
    scf::YieldOp::create(tb, loc, corrected);
    OpBuilder fb = ifHeun.getElseBodyBuilder();
    scf::YieldOp::create(fb, loc, predicted);
  }
  // Blocked kernels also write rows 0 ... B - 2 to their copies, rows H ...
  // H + B - 2.
  Value mirrored;
  if (blockSteps > 1)
    mirrored = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ult,
                                     nextRow, index(nb, blockSteps - 1));
  for (size_t s = 0; s < states.size(); ++s) {
    Value v = ifHeun.getResult(s);
    storeVec(nb, v, state, laneOffset(nb, index(nb, s), n, i));
    if (!hasDelays || historyChannel[s] < 0)
      continue;
    Value channel = index(nb, historyChannel[s]);
    storeVec(nb, v, history, historyOffset(nb, channel, n, i, rows, nextRow));
    if (blockSteps > 1) {
      auto ifMirrored = scf::IfOp::create(nb, loc, mirrored, false);
      OpBuilder mb = ifMirrored.getThenBodyBuilder();
      storeVec(
          mb, v, history,
          historyOffset(mb, channel, n, i, rows,
                        arith::AddIOp::create(mb, loc, nextRow, horizonIndex)));
    }
  }
  if (sums) {
    // In float64 whatever the precision, as the host's window sums are.
    Value zeroF64 = arith::ConstantOp::create(nb, loc, nb.getF64FloatAttr(0));
    auto addTo = [&](OpBuilder &ab, unsigned row, Value v) {
      Value at = laneOffset(ab, index(ab, row), n, i);
      if (!elem.isF64())
        v = arith::ExtFOp::create(ab, loc, ab.getF64Type(), v);
      Value old = memref::LoadOp::create(ab, loc, sums, ValueRange{at});
      Value base =
          arith::SelectOp::create(ab, loc, firstOfLaunch, zeroF64, old);
      memref::StoreOp::create(ab, loc, arith::AddFOp::create(ab, loc, base, v),
                              sums, ValueRange{at});
    };
    SmallVector<Value> next(ifHeun.getResults());
    OpBuilder sb = scf::IfOp::create(nb, loc, sumStates, false)
                       .getThenBodyBuilder();
    for (auto [s, v] : llvm::enumerate(next))
      addTo(sb, s, v);
    OpBuilder eb = scf::IfOp::create(nb, loc, sumExposures, false)
                       .getThenBodyBuilder();
    for (auto [e, v] : llvm::enumerate(exposureValues(eb, paramsArg, next, c)))
      addTo(eb, e, v);
  }
  callEntry.reset();
}

void KernelBuilder::buildBlockedCoupling(OpBuilder &b, ValueRange args,
                                         Value rowNow, Value horizonI32,
                                         Value rows) {
  Type indexType = b.getIndexType();
  Value paramsArg = args[abi::kStepParams], history = args[abi::kStepHistory],
        delays = args[abi::kStepDelays], rowStart = args[abi::kStepRowStart],
        sources = args[abi::kStepSources], weights = args[abi::kStepWeights],
        couplingArg = args[abi::kStepCoupling];
  Value n = arith::IndexCastOp::create(b, loc, indexType,
                                       args[abi::kStepNumNodes]);
  Value c0 = index(b, 0), c1 = index(b, 1);
  const size_t numCouplings = couplings.size();
  llvm::StringMap<Value> noStates;

  // Flag 8 is set only when there are edges.
  Value lastEdge = arith::SubIOp::create(b, loc, loadIndex(b, rowStart, n), c1);
  auto nodes = scf::ForOp::create(b, loc, c0, n, c1);
  OpBuilder nb = OpBuilder::atBlockBegin(nodes.getBody());
  Value i = nodes.getInductionVar();
  Value begin = loadIndex(nb, rowStart, i);
  Value end = loadIndex(nb, rowStart, arith::AddIOp::create(nb, loc, i, c1));
  SmallVector<Value> init(blockSteps * numCouplings, splat(nb, 0.0));
  auto edgesLoop = scf::ForOp::create(nb, loc, begin, end, c1, init);
  {
    OpBuilder eb = OpBuilder::atBlockBegin(edgesLoop.getBody());
    Value e = edgesLoop.getInductionVar();
    Value j = loadIndex(eb, sources, e);
    Value w = vector::BroadcastOp::create(
        eb, loc, vecType, memref::LoadOp::create(eb, loc, weights, ValueRange{e}));
    Value first = sharedDelayRow(eb, delays, e, rowNow, horizonI32);
    // Rows first ... first + B - 1 of the source, contiguous: the copies
    // after the ring stand in for rows that wrap around it.
    Value firstRow = arith::IndexCastOp::create(eb, loc, indexType, first);
    auto sourceOffset = [&](CouplingOp coupling, Value source, Value row) {
      return historyOffset(eb, index(eb, historyChannel[coupling.getSource()]),
                           n, source, rows, row);
    };
    SmallVector<Value> sourceValues;
    for (CouplingOp coupling : couplings) {
      Value offset = sourceOffset(coupling, j, firstRow);
      for (unsigned t = 0; t < blockSteps; ++t)
        sourceValues.push_back(loadVec(
            eb, history,
            arith::AddIOp::create(
                eb, loc, offset,
                arith::MulIOp::create(eb, loc, index(eb, t), laneStride))));
    }
    // The history of a tile is larger than the L2 cache for the usual
    // sweeps, and each edge's rows sit somewhere else in it: ask for the
    // rows of the edge kPrefetchEdges ahead while this one is summed.
    Value ahead = arith::MinSIOp::create(
        eb, loc, arith::AddIOp::create(eb, loc, e, index(eb, kPrefetchEdges)),
        lastEdge);
    Value sourceAhead = loadIndex(eb, sources, ahead);
    Value rowAhead = arith::IndexCastOp::create(
        eb, loc, indexType,
        sharedDelayRow(eb, delays, ahead, rowNow, horizonI32));
    const unsigned elementBits = elem.getIntOrFloatBitWidth();
    const unsigned lineElements = kCacheLineBytes * 8 / elementBits;
    const unsigned blockElements = blockSteps * lanes;
    for (CouplingOp coupling : couplings) {
      Value offset = sourceOffset(coupling, sourceAhead, rowAhead);
      for (unsigned at = 0; at < blockElements; at += lineElements)
        memref::PrefetchOp::create(
            eb, loc, history,
            ValueRange{arith::AddIOp::create(eb, loc, offset, index(eb, at))},
            /*isWrite=*/false, /*localityHint=*/3, /*isDataCache=*/true);
    }
    Reads reads = makeReads(eb, paramsArg, noStates);
    SmallVector<Value> next;
    for (auto [k, coupling] : llvm::enumerate(couplings)) {
      for (unsigned t = 0; t < blockSteps; ++t) {
        unsigned slot = k * blockSteps + t;
        next.push_back(addCouplingTerm(eb, coupling, reads,
                                       edgesLoop.getRegionIterArgs()[slot], w,
                                       sourceValues[slot]));
      }
    }
    scf::YieldOp::create(eb, loc, next);
  }
  Reads reads = makeReads(nb, paramsArg, noStates);
  for (auto [k, coupling] : llvm::enumerate(couplings)) {
    Value scale = cloneRegion(nb, coupling.getScale(), true, reads)[0];
    for (unsigned t = 0; t < blockSteps; ++t) {
      Value c = arith::MulFOp::create(
          nb, loc, scale, edgesLoop.getResult(k * blockSteps + t));
      storeVec(nb, c, couplingArg,
               laneOffset(nb, index(nb, t * numCouplings + k), n, i));
    }
  }
}

void KernelBuilder::buildExposures(OpBuilder &module) {
  func::FuncOp func = makeFunc(module, symbol::kExposures + suffix,
                               exposuresArgumentTypes(module));
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  laneStride = index(b, lanes);
  laneId = index(b, 0);
  buildExposuresBody(b, entry.getArguments());
  func::ReturnOp::create(b, loc);
}

void KernelBuilder::buildExposuresBody(OpBuilder &b, ValueRange args) {
  Value paramsArg = args[abi::kExposuresParams],
        state = args[abi::kExposuresState],
        couplingArg = args[abi::kExposuresCoupling],
        out = args[abi::kExposuresOut];
  Value n = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                       args[abi::kExposuresNumNodes]);
  auto nodes = scf::ForOp::create(b, loc, index(b, 0), n, index(b, 1));
  OpBuilder nb = OpBuilder::atBlockBegin(nodes.getBody());
  Value i = nodes.getInductionVar();
  SmallVector<Value> x, c;
  for (size_t s = 0; s < states.size(); ++s)
    x.push_back(loadVec(nb, state, laneOffset(nb, index(nb, s), n, i)));
  for (size_t k = 0; k < couplings.size(); ++k)
    c.push_back(loadVec(nb, couplingArg, laneOffset(nb, index(nb, k), n, i)));
  for (auto [e, v] : llvm::enumerate(exposureValues(nb, paramsArg, x, c)))
    storeVec(nb, v, out, laneOffset(nb, index(nb, e), n, i));
}

SmallVector<Type> KernelBuilder::threadStepArgumentTypes(OpBuilder &b) {
  SmallVector<Type> args = stepArgumentTypes(b);
  args.insert(args.begin() + abi::kThreadStepSums,
              argumentType(b, abi::ArgKind::F64Array));
  Type i64 = argumentType(b, abi::ArgKind::I64);
  args.resize(abi::kNumThreadStepArgs, i64);
  return args;
}

SmallVector<Type> KernelBuilder::threadExposuresArgumentTypes(OpBuilder &b) {
  SmallVector<Type> args = exposuresArgumentTypes(b);
  args.resize(abi::kNumThreadExposuresArgs,
              argumentType(b, abi::ArgKind::I64));
  return args;
}

void KernelBuilder::buildThreadSteps(OpBuilder &b, ValueRange args) {
  Type i64 = b.getI64Type();
  SmallVector<Value> stepArgs;
  for (unsigned a = 0; a < abi::kNumStepArgs; ++a)
    stepArgs.push_back(args[abi::threadStepArg(abi::StepArg(a))]);
  Value begin = stepArgs[abi::kStepStep];
  Value end =
      arith::AddIOp::create(b, loc, begin, args[abi::kThreadStepCount]);
  auto steps = scf::ForOp::create(b, loc, begin, end,
                                  arith::ConstantIntOp::create(b, loc, i64, 1));
  OpBuilder sb = OpBuilder::atBlockBegin(steps.getBody());
  buildStepBody(sb, stepArgs, steps.getInductionVar(),
                args[abi::kThreadStepSums]);
}

void KernelBuilder::buildThreadFunctions(OpBuilder &b) {
  Type indexType = b.getIndexType();
  func::FuncOp step =
      makeFunc(b, symbol::kThreadStep, threadStepArgumentTypes(b));
  {
    Block &entry = step.getBody().front();
    OpBuilder fb = OpBuilder::atBlockBegin(&entry);
    laneStride = arith::IndexCastOp::create(
        fb, loc, indexType, entry.getArgument(abi::kThreadStepNumSets));
    laneId = arith::IndexCastOp::create(
        fb, loc, indexType, entry.getArgument(abi::kThreadStepTid));
    buildThreadSteps(fb, entry.getArguments());
    func::ReturnOp::create(fb, loc);
  }
  func::FuncOp expose = makeFunc(b, symbol::kThreadExposures,
                                 threadExposuresArgumentTypes(b));
  {
    Block &entry = expose.getBody().front();
    OpBuilder fb = OpBuilder::atBlockBegin(&entry);
    laneStride = arith::IndexCastOp::create(
        fb, loc, indexType, entry.getArgument(abi::kThreadExposuresNumSets));
    laneId = arith::IndexCastOp::create(
        fb, loc, indexType, entry.getArgument(abi::kThreadExposuresTid));
    buildExposuresBody(fb, entry.getArguments());
    func::ReturnOp::create(fb, loc);
  }
}

void KernelBuilder::buildGpuKernels(OpBuilder &b, ModuleOp module) {
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(ctx));
  auto gpuModule = gpu::GPUModuleOp::create(b, loc, symbol::kGpuModule);
  OpBuilder gb = OpBuilder::atBlockBegin(gpuModule.getBody());
  Type indexType = gb.getIndexType();

  // One thread per parameter set; this thread's set and the set count.
  auto kernelPrologue = [&](gpu::GPUFuncOp kernel, Value numSets,
                            OpBuilder &kb) -> Value {
    Value block = gpu::BlockIdOp::create(kb, loc, gpu::Dimension::x);
    Value blockSize = gpu::BlockDimOp::create(kb, loc, gpu::Dimension::x);
    Value thread = gpu::ThreadIdOp::create(kb, loc, gpu::Dimension::x);
    Value tid = arith::AddIOp::create(
        kb, loc, arith::MulIOp::create(kb, loc, block, blockSize), thread);
    laneStride = arith::IndexCastOp::create(kb, loc, indexType, numSets);
    laneId = tid;
    return arith::CmpIOp::create(kb, loc, arith::CmpIPredicate::ult, tid,
                                 laneStride);
  };
  auto makeKernel = [&](StringRef name, SmallVector<Type> args) {
    auto kernel = gpu::GPUFuncOp::create(gb, loc, name,
                                         FunctionType::get(ctx, args, {}));
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                    UnitAttr::get(ctx));
    return kernel;
  };

  // The thread step without tid (the grid gives it): a chunk of steps
  // without leaving the kernel.
  SmallVector<Type> stepArgs = threadStepArgumentTypes(gb);
  stepArgs.erase(stepArgs.begin() + abi::kThreadStepTid);
  gpu::GPUFuncOp step = makeKernel(symbol::kStep, stepArgs);
  {
    Block &entry = step.getBody().front();
    OpBuilder kb = OpBuilder::atBlockBegin(&entry);
    Value inRange = kernelPrologue(
        step, entry.getArgument(abi::kThreadStepNumSets), kb);
    auto guard = scf::IfOp::create(kb, loc, inRange, /*withElse=*/false);
    OpBuilder tb = guard.getThenBodyBuilder();
    buildThreadSteps(tb, entry.getArguments());
    gpu::ReturnOp::create(kb, loc);
  }

  // The thread exposures without tid.
  SmallVector<Type> exposeArgs = threadExposuresArgumentTypes(gb);
  exposeArgs.erase(exposeArgs.begin() + abi::kThreadExposuresTid);
  gpu::GPUFuncOp expose = makeKernel(symbol::kExposures, exposeArgs);
  {
    Block &entry = expose.getBody().front();
    OpBuilder kb = OpBuilder::atBlockBegin(&entry);
    Value inRange = kernelPrologue(
        expose, entry.getArgument(abi::kThreadExposuresNumSets), kb);
    auto guard = scf::IfOp::create(kb, loc, inRange, /*withElse=*/false);
    OpBuilder tb = guard.getThenBodyBuilder();
    buildExposuresBody(tb, entry.getArguments());
    gpu::ReturnOp::create(kb, loc);
  }
}

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
  Object meta{
      {key::kAbi, abi::kKernelABIVersion},
      {key::kVersion, RATEML_VERSION},
      {key::kModel, model.getSymName()},
      {key::kDescription, model.getDescription().value_or("")},
      {key::kLanes, lanes},
      {key::kBlock, blockSteps},
      {key::kTarget, isVector() ? "cpu" : "gpu"},
      {key::kPrecision, elem.isF64() ? "f64" : "f32"},
      {key::kNumSlots, numSlots},
      {key::kParams, std::move(paramsJson)},
      {key::kConstants, std::move(constantsJson)},
      {key::kStates, std::move(statesJson)},
      {key::kExposures, std::move(exposuresJson)},
      {key::kNumCouplings, couplings.size()},
      {key::kHistoryStates, std::move(delayedJson)},
      {key::kNoiseSlot, noise ? llvm::json::Value(noiseSlot) : nullptr},
      {key::kSpeedSlot, hasDelays ? llvm::json::Value(slotOf.lookup(
                                        model.getConductionSpeed().value()))
                                  : nullptr}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(meta));
  text.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), text.size());
  LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                         LLVM::Linkage::External,
                         symbol::kModelJson + suffix,
                         b.getStringAttr(text));
}

LogicalResult KernelBuilder::build(ModuleOp module) {
  if (failed(analyse()))
    return failure();
  loc = model.getLoc();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  buildSetup(b);
  if (isVector()) {
    buildStep(b);
    buildExposures(b);
  } else {
    buildGpuKernels(b, module);
  }
  buildMetadata(b);
  return success();
}

struct ConvertRateMLToKernelPass
    : mlir::rateml::impl::ConvertRateMLToKernelPassBase<
          ConvertRateMLToKernelPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto models = llvm::to_vector(module.getOps<ModelOp>());
    if (models.size() != 1) {
      module.emitError() << "expected exactly one rateml.model, found "
                         << models.size();
      return signalPassFailure();
    }
    if (precision != "f32" && precision != "f64") {
      module.emitError() << "precision must be f32 or f64, got '" << precision
                         << "'";
      return signalPassFailure();
    }
    if (block == 0 || block > 32) {
      module.emitError() << "block must be 1 to 32, got " << unsigned(block);
      return signalPassFailure();
    }
    if (lanes == 0 || lanes > 64) {
      module.emitError() << "lanes must be 1 to 64, got " << unsigned(lanes);
      return signalPassFailure();
    }
    if (narrowLanes >= lanes || (narrowLanes != 0 && target != "cpu")) {
      module.emitError() << "narrow-lanes must be 0 or, on the cpu, fewer "
                            "than lanes ("
                         << unsigned(lanes) << "), got "
                         << unsigned(narrowLanes);
      return signalPassFailure();
    }
    FloatType elem = precision == "f64" ? FloatType(Float64Type::get(&getContext()))
                                        : FloatType(Float32Type::get(&getContext()));
    if (target != "cpu" && target != "gpu") {
      module.emitError() << "target must be cpu or gpu, got '" << target
                         << "'";
      return signalPassFailure();
    }
    KernelBuilder builder(models[0],
                          target == "gpu" ? LaneModel::Thread
                                          : LaneModel::Vector,
                          lanes, elem, block);
    if (failed(builder.build(module)))
      return signalPassFailure();
    // The CPU object also carries the GPU kernels' bodies as host functions
    // (one call per thread), so the GPU batch logic runs and is tested on
    // any machine.
    if (target == "cpu") {
      KernelBuilder threads(models[0], LaneModel::Thread, 1, elem);
      if (failed(threads.buildThreadFunctionsOnly(module)))
        return signalPassFailure();
    }
    if (narrowLanes != 0) {
      KernelBuilder narrow(models[0], LaneModel::Vector, narrowLanes, elem,
                           block, symbol::kNarrowSuffix);
      if (failed(narrow.buildLaneVariant(module)))
        return signalPassFailure();
    }
    models[0].erase();
  }
};

} // namespace
