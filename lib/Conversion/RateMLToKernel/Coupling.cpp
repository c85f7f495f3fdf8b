//===- Coupling.cpp - The delayed coupling of one step --------------------===//
//
// c(n) of every node: a sum over its incoming edges of terms of the
// source's delayed state, read from the history (one contiguous load when
// the lanes share their delays, a gather otherwise), or, when the couplings
// allow it (ModelLayout::couplingReadsOnlySources), the couplings of
// `blockSteps` steps in one pass over the edges with prefetching
// (docs/kernel-abi.md); lanes with delays of their own sum blocks of steps
// from a history laid out per lane (flag 64). Each step's sum is taken in
// the same order either way, so the results are bit-identical.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::kernels;

Value KernelBuilder::buildCouplingPhase(OpBuilder &b, const StepFrame &f) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type(), indexType = b.getIndexType();
  Value paramsArg = f.arg(abi::kStepParams), state = f.arg(abi::kStepState),
        history = f.arg(abi::kStepHistory), delays = f.arg(abi::kStepDelays),
        rowStart = f.arg(abi::kStepRowStart),
        sources = f.arg(abi::kStepSources), weights = f.arg(abi::kStepWeights),
        couplingArg = f.arg(abi::kStepCoupling);
  Value step = f.step, n = f.n, c0 = f.c0, c1 = f.c1, zero = f.zero;
  Value rowNowScalar = f.rowNowScalar, horizonI32 = f.horizonI32;
  auto splatI32 = [&](OpBuilder &at, Value scalar) -> Value {
    return broadcastI32(at, scalar);
  };

  Value couplingSlot = c0;
  OpBuilder pb = b;
  if (blockSteps > 1) {
    Value blocked = flagSet(b, f.arg(abi::kStepFlags), abi::kFlagBlocked);
    Value blockLen = arith::ConstantIntOp::create(b, loc, i64, blockSteps);
    if (f.longBlock)
      blockLen = arith::SelectOp::create(
          b, loc, f.longBlock,
          arith::ConstantIntOp::create(b, loc, i64, laneBlockSteps), blockLen);
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
    if (f.laneSeries) {
      auto ifLanes =
          scf::IfOp::create(fb, loc, f.laneSeries, /*withElse=*/true);
      OpBuilder lb = ifLanes.getThenBodyBuilder();
      if (f.longBlock) {
        auto ifLong =
            scf::IfOp::create(lb, loc, f.longBlock, /*withElse=*/true);
        OpBuilder longBuilder = ifLong.getThenBodyBuilder();
        buildLaneSeriesCoupling(longBuilder, f, laneBlockSteps);
        OpBuilder shortBuilder = ifLong.getElseBodyBuilder();
        buildLaneSeriesCoupling(shortBuilder, f, blockSteps);
      } else {
        buildLaneSeriesCoupling(lb, f, blockSteps);
      }
      OpBuilder sb = ifLanes.getElseBodyBuilder();
      buildBlockedCoupling(sb, f);
    } else {
      buildBlockedCoupling(fb, f);
    }
    pb = ifBlocked.getElseBodyBuilder();
  }
  if (!couplings.empty()) {
    OpBuilder &b = pb;
    auto nodes = scf::ForOp::create(b, loc, c0, n, c1);
    OpBuilder nb = OpBuilder::atBlockBegin(nodes.getBody());
    Value i = nodes.getInductionVar();
    SmallVector<Value> x = loadStates(nb, f, i);
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
        Value first = arith::MulIOp::create(db, loc, e, fn->laneStride);
        if (isVector())
          return vector::LoadOp::create(db, loc, cast<VectorType>(indexVecType),
                                        delays, ValueRange{first});
        return memref::LoadOp::create(
            db, loc, delays,
            ValueRange{arith::AddIOp::create(db, loc, first, fn->laneId)});
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
                                            f.sharedDelays, /*withElse=*/true);
          {
            OpBuilder sb = ifShared.getThenBodyBuilder();
            Value row = arith::IndexCastOp::create(
                sb, loc, indexType,
                sharedDelayRow(sb, delays, e, rowNowScalar, horizonI32));
            scf::YieldOp::create(
                sb, loc,
                loadVec(sb, history,
                        historyOffset(sb, index(sb, historyChannel[src]), n, j,
                                      f.rows, row)));
          }
          OpBuilder gb = ifShared.getElseBodyBuilder();
          // row = (n mod H) - d, wrapped into [0, H).
          Value row = arith::SubIOp::create(gb, loc, f.rowNow, laneDelays(gb));
          Value negative = arith::CmpIOp::create(
              gb, loc, arith::CmpIPredicate::slt, row, f.zeroVec);
          row = arith::SelectOp::create(
              gb, loc, negative,
              arith::AddIOp::create(gb, loc, row, f.horizonVec), row);
          Value gathered;
          if (isVector()) {
            // i32 lanes (a CPU tile's history stays below 2^31 elements).
            Value channel =
                splatI32(gb, arith::ConstantIntOp::create(gb, loc, i32,
                                                          historyChannel[src]));
            Value idx = arith::MulIOp::create(gb, loc, channel, f.nVec);
            idx = arith::AddIOp::create(gb, loc, idx, jVec);
            idx = arith::MulIOp::create(gb, loc, idx, f.rowsVec);
            idx = arith::AddIOp::create(gb, loc, idx, row);
            idx = arith::MulIOp::create(gb, loc, idx, f.lanesVec);
            idx = arith::AddIOp::create(gb, loc, idx, f.iota);
            gathered = vector::GatherOp::create(
                gb, loc, cast<VectorType>(vecType), history,
                ValueRange{index(gb, 0)}, idx, f.allTrue, zero);
          } else {
            // Index arithmetic: a GPU batch's history may exceed 2^31
            // elements.
            Value rowIndex =
                arith::IndexCastOp::create(gb, loc, indexType, row);
            Value channel = index(gb, historyChannel[src]);
            gathered =
                loadVec(gb, history,
                        historyOffset(gb, channel, n, j, f.rows, rowIndex));
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
  return couplingSlot;
}

void KernelBuilder::buildBlockedCoupling(OpBuilder &b, const StepFrame &f) {
  Type indexType = b.getIndexType();
  Value paramsArg = f.arg(abi::kStepParams), history = f.arg(abi::kStepHistory),
        delays = f.arg(abi::kStepDelays), rowStart = f.arg(abi::kStepRowStart),
        sources = f.arg(abi::kStepSources), weights = f.arg(abi::kStepWeights),
        couplingArg = f.arg(abi::kStepCoupling);
  Value rowNow = f.rowNowScalar, horizonI32 = f.horizonI32, rows = f.rows;
  Value n =
      arith::IndexCastOp::create(b, loc, indexType, f.arg(abi::kStepNumNodes));
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
        eb, loc, vecType,
        memref::LoadOp::create(eb, loc, weights, ValueRange{e}));
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
                arith::MulIOp::create(eb, loc, index(eb, t), fn->laneStride))));
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
      Value c = arith::MulFOp::create(nb, loc, scale,
                                      edgesLoop.getResult(k * blockSteps + t));
      storeVec(nb, c, couplingArg,
               laneOffset(nb, index(nb, t * numCouplings + k), n, i));
    }
  }
}

Value KernelBuilder::laneSeriesOffsets(OpBuilder &b, const StepFrame &f,
                                       int64_t channel, Value node, Value row) {
  Value idx = splatI32(b, channel);
  idx = arith::MulIOp::create(b, loc, idx, f.nVec);
  idx = arith::AddIOp::create(b, loc, idx, node);
  idx = arith::MulIOp::create(b, loc, idx, f.lanesVec);
  idx = arith::AddIOp::create(b, loc, idx, f.iota);
  idx = arith::MulIOp::create(b, loc, idx, f.rowsVec);
  return arith::AddIOp::create(b, loc, idx, row);
}

SmallVector<Value> KernelBuilder::transposeToLanes(OpBuilder &b,
                                                   ArrayRef<Value> rows) {
  const int64_t steps = cast<VectorType>(rows[0].getType()).getNumElements(),
                numLanes = lanes;
  SmallVector<Value> out;
  if (!llvm::isPowerOf2_64(numLanes)) {
    for (int64_t t = 0; t < steps; ++t) {
      SmallVector<Value> elements;
      for (Value row : rows)
        elements.push_back(vector::ExtractOp::create(b, loc, row, t));
      out.push_back(vector::FromElementsOp::create(
          b, loc, cast<VectorType>(vecType), elements));
    }
    return out;
  }
  // Interleave pairs, then pairs of pairs, ...: after the round with chunks
  // of c elements, vector p holds element (t, l) of lanes p*2c ... p*2c +
  // 2c - 1 at t*2c + (l mod 2c). The last vector is [steps][lanes].
  SmallVector<Value> level(rows);
  for (int64_t chunk = 1; level.size() > 1; chunk *= 2) {
    const int64_t length = steps * chunk;
    SmallVector<int64_t> mask;
    for (int64_t q = 0; q < length / chunk; ++q) {
      for (int64_t c = 0; c < chunk; ++c)
        mask.push_back(q * chunk + c);
      for (int64_t c = 0; c < chunk; ++c)
        mask.push_back(length + q * chunk + c);
    }
    SmallVector<Value> next;
    for (size_t p = 0; p < level.size(); p += 2)
      next.push_back(vector::ShuffleOp::create(b, loc, level[p], level[p + 1],
                                               b.getDenseI64ArrayAttr(mask)));
    level = std::move(next);
  }
  for (int64_t t = 0; t < steps; ++t)
    out.push_back(vector::ExtractStridedSliceOp::create(
        b, loc, level[0], ArrayRef<int64_t>{t * numLanes},
        ArrayRef<int64_t>{numLanes}, ArrayRef<int64_t>{1}));
  return out;
}

void KernelBuilder::buildLaneSeriesCoupling(OpBuilder &b, const StepFrame &f,
                                            unsigned steps) {
  Type indexType = b.getIndexType();
  Value paramsArg = f.arg(abi::kStepParams), history = f.arg(abi::kStepHistory),
        delays = f.arg(abi::kStepDelays), rowStart = f.arg(abi::kStepRowStart),
        sources = f.arg(abi::kStepSources), weights = f.arg(abi::kStepWeights),
        couplingArg = f.arg(abi::kStepCoupling);
  Value n = f.n, c0 = f.c0, c1 = f.c1;
  const size_t numCouplings = couplings.size();
  auto stepsType = VectorType::get({int64_t(steps)}, elem);
  Value stepsZero = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(stepsType, FloatAttr::get(elem, 0.0)));
  llvm::StringMap<Value> noStates;
  Value lanesIndex = index(b, lanes);

  // Element offsets of the block's first values in each lane's series of
  // source `source` (i32 lanes) in history channel `channel`: ((channel *
  // N + source) * W + l) * R + row_l, with `rows` the lanes' first rows,
  // computed for all lanes in one vector and taken out lane by lane as the
  // addresses of W loads.
  auto laneOffsets = [&](OpBuilder &at, int64_t channel, Value source,
                         Value rows) {
    Value all = laneSeriesOffsets(at, f, channel, source, rows);
    SmallVector<Value> offsets;
    for (unsigned l = 0; l < lanes; ++l)
      offsets.push_back(arith::IndexCastUIOp::create(
          at, loc, indexType, vector::ExtractOp::create(at, loc, all, l)));
    return offsets;
  };

  auto nodes = scf::ForOp::create(b, loc, c0, n, c1);
  OpBuilder nb = OpBuilder::atBlockBegin(nodes.getBody());
  Value i = nodes.getInductionVar();
  Value begin = loadIndex(nb, rowStart, i);
  Value end = loadIndex(nb, rowStart, arith::AddIOp::create(nb, loc, i, c1));
  // Accumulator (k, l): lane l's sums of coupling k over the block's steps.
  SmallVector<Value> init(numCouplings * lanes, stepsZero);
  auto edgesLoop = scf::ForOp::create(nb, loc, begin, end, c1, init);
  {
    OpBuilder eb = OpBuilder::atBlockBegin(edgesLoop.getBody());
    Value e = edgesLoop.getInductionVar();
    Value j = loadIndex(eb, sources, e);
    Value w = vector::BroadcastOp::create(
        eb, loc, stepsType,
        memref::LoadOp::create(eb, loc, weights, ValueRange{e}));
    // Each lane's first row, (n mod H) - d_l wrapped into [0, H) (the copies
    // after the ring stand in for rows that wrap around it), once per edge
    // for all couplings.
    Value d = vector::LoadOp::create(
        eb, loc, cast<VectorType>(indexVecType), delays,
        ValueRange{arith::MulIOp::create(eb, loc, e, lanesIndex)});
    Value firstRows = arith::SubIOp::create(eb, loc, f.rowNow, d);
    Value negative = arith::CmpIOp::create(eb, loc, arith::CmpIPredicate::slt,
                                           firstRows, f.zeroVec);
    firstRows = arith::SelectOp::create(
        eb, loc, negative,
        arith::AddIOp::create(eb, loc, firstRows, f.horizonVec), firstRows);
    Value source = broadcastI32(
        eb, arith::IndexCastOp::create(eb, loc, eb.getI32Type(), j));
    SmallVector<SmallVector<Value>> sourceOffsets;
    for (CouplingOp coupling : couplings)
      sourceOffsets.push_back(laneOffsets(
          eb, historyChannel[coupling.getSource()], source, firstRows));
    // No prefetch, unlike the shared-delay pass: W of them per edge (one
    // per lane) made W1 slower (docs/performance.md).
    SmallVector<Value> next;
    for (unsigned l = 0; l < lanes; ++l) {
      // Lane l's parameter-level values, in every step.
      Reads reads{
          [&, l](StringRef name) -> Value {
            return vector::BroadcastOp::create(
                eb, loc, stepsType,
                vector::ExtractOp::create(
                    eb, loc, loadParam(eb, paramsArg, slotOf.lookup(name)), l));
          },
          [&, l](unsigned slot) -> Value {
            return vector::BroadcastOp::create(
                eb, loc, stepsType,
                vector::ExtractOp::create(eb, loc,
                                          loadParam(eb, paramsArg, slot), l));
          }};
      // Each lane's load next to its use: all W loaded at once would not
      // fit in the registers beside the W accumulators.
      for (auto [k, coupling] : llvm::enumerate(couplings))
        next.push_back(addCouplingTerm(
            eb, coupling, reads, edgesLoop.getRegionIterArgs()[k * lanes + l],
            w,
            vector::LoadOp::create(eb, loc, stepsType, history,
                                   ValueRange{sourceOffsets[k][l]})));
    }
    // Back to the order of the iteration arguments: (k, l).
    SmallVector<Value> ordered(next.size());
    for (unsigned l = 0; l < lanes; ++l)
      for (size_t k = 0; k < numCouplings; ++k)
        ordered[k * lanes + l] = next[l * numCouplings + k];
    scf::YieldOp::create(eb, loc, ordered);
  }
  Reads reads = makeReads(nb, paramsArg, noStates);
  for (auto [k, coupling] : llvm::enumerate(couplings)) {
    Value scale = cloneRegion(nb, coupling.getScale(), true, reads)[0];
    SmallVector<Value> sums(
        edgesLoop.getResults().slice(k * lanes, lanes).begin(),
        edgesLoop.getResults().slice(k * lanes, lanes).end());
    for (auto [t, sum] : llvm::enumerate(transposeToLanes(nb, sums))) {
      Value c = arith::MulFOp::create(nb, loc, scale, sum);
      storeVec(nb, c, couplingArg,
               laneOffset(nb, index(nb, t * numCouplings + k), n, i));
    }
  }
}
