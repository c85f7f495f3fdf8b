//===- StepKernel.cpp - One integration step and the exposures ------------===//
//
// The body of every step kernel, whatever the target: a prologue computing
// what the phases share (StepFrame), the coupling (Coupling.cpp), then
// Euler or Heun with the same coupling in both stages, the stimulus, noise,
// clipping, the history write and, on the GPU, the window sums; and the
// exposures of every node. The order of operations is docs/simulation.md's.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include <limits>

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::kernels;

Value KernelBuilder::flagSet(OpBuilder &b, Value flags, abi::KernelFlags bit) {
  Type i32 = b.getI32Type();
  Value masked = arith::AndIOp::create(
      b, loc, flags, arith::ConstantIntOp::create(b, loc, i32, bit));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, masked,
                               arith::ConstantIntOp::create(b, loc, i32, 0));
}

StepFrame KernelBuilder::buildStepPrologue(OpBuilder &b, ValueRange args,
                                           Value step, Value sums) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type(), indexType = b.getIndexType();
  StepFrame f;
  f.args = args;
  f.step = step;
  f.sums = sums;
  Value numNodes = f.arg(abi::kStepNumNodes),
        horizon = f.arg(abi::kStepHorizon), flags = f.arg(abi::kStepFlags);
  f.n = arith::IndexCastOp::create(b, loc, indexType, numNodes);
  if (isVector())
    callEntry.emplace(f.n.getDefiningOp(), f.arg(abi::kStepParams));
  f.heun = flagSet(b, flags, abi::kFlagHeun);
  f.noiseOn = flagSet(b, flags, abi::kFlagNoise);
  f.sharedDelays = flagSet(b, flags, abi::kFlagSharedDelays);
  if (blockSteps > 1 && isVector())
    f.laneSeries = flagSet(b, flags, abi::kFlagLaneSeries);
  if (laneBlockSteps > blockSteps)
    f.longBlock = flagSet(b, flags, abi::kFlagLongBlock);
  if (sums) {
    f.sumStates = flagSet(b, flags, abi::kFlagSumStates);
    f.sumExposures = flagSet(b, flags, abi::kFlagSumExposures);
    f.firstOfLaunch = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            step, f.arg(abi::kStepStep));
  }
  f.zero = splat(b, 0.0);
  f.c0 = index(b, 0);
  f.c1 = index(b, 1);
  f.stimulusOn = flagSet(b, flags, abi::kFlagStimulus);

  if (isVector()) {
    SmallVector<int32_t> iotaValues;
    for (unsigned l = 0; l < lanes; ++l)
      iotaValues.push_back(l);
    f.iota = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(cast<ShapedType>(indexVecType),
                               ArrayRef(iotaValues)));
    f.allTrue = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(cast<ShapedType>(maskType), true));
  }
  f.horizonIndex = arith::IndexCastOp::create(b, loc, indexType, horizon);
  f.rows = historyRows(b, f.horizonIndex);
  f.rowNowScalar = arith::TruncIOp::create(
      b, loc, i32, arith::RemSIOp::create(b, loc, step, horizon));
  f.rowNow = broadcastI32(b, f.rowNowScalar);
  f.horizonI32 = arith::TruncIOp::create(b, loc, i32, horizon);
  f.horizonVec = broadcastI32(b, f.horizonI32);
  if (isVector()) {
    f.rowsVec = broadcastI32(b, historyRows(b, f.horizonI32));
    f.nVec = broadcastI32(b, arith::TruncIOp::create(b, loc, i32, numNodes));
    f.lanesVec = broadcastI32(
        b, arith::IndexCastOp::create(b, loc, i32, fn->laneStride));
  }
  f.zeroVec = broadcastI32(b, arith::ConstantIntOp::create(b, loc, i32, 0));
  f.philox = buildPhiloxInputs(
      b, step,
      loadLanesI32(b, f.arg(abi::kStepSets), laneOffset(b, f.c0, f.c0, f.c0)),
      f.arg(abi::kStepSeed));
  f.nextRow = arith::IndexCastOp::create(
      b, loc, indexType,
      arith::RemSIOp::create(
          b, loc,
          arith::AddIOp::create(b, loc, step,
                                arith::ConstantIntOp::create(b, loc, i64, 1)),
          horizon));
  return f;
}

SmallVector<Value> KernelBuilder::loadStates(OpBuilder &b, const StepFrame &f,
                                             Value node) {
  SmallVector<Value> x;
  for (size_t s = 0; s < states.size(); ++s)
    x.push_back(loadVec(b, f.arg(abi::kStepState),
                        laneOffset(b, index(b, s), f.n, node)));
  return x;
}

SmallVector<Value> KernelBuilder::stimulusTerms(OpBuilder &b,
                                                const StepFrame &f,
                                                Value stimulusRow, Value scale,
                                                Value node) {
  SmallVector<Value> terms;
  for (size_t s = 0; s < states.size(); ++s) {
    // Element ((row + s) * N + node): one value for every lane.
    Value state = index(b, s);
    Value row = arith::AddIOp::create(b, loc, stimulusRow, state);
    Value at = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, row, f.n), node);
    Value v = memref::LoadOp::create(b, loc, f.arg(abi::kStepStimulus),
                                     ValueRange{at});
    if (isVector())
      v = vector::BroadcastOp::create(b, loc, vecType, v);
    terms.push_back(arith::MulFOp::create(b, loc, scale, v));
  }
  return terms;
}

void KernelBuilder::buildStepBody(OpBuilder &b, ValueRange args, Value step,
                                  Value sums) {
  StepFrame f = buildStepPrologue(b, args, step, sums);
  Value couplingSlot = buildCouplingPhase(b, f);
  buildIntegrationPhase(b, f, couplingSlot);
  callEntry.reset();
}

void KernelBuilder::buildIntegrationPhase(OpBuilder &b, const StepFrame &f,
                                          Value couplingSlot) {
  Type i32 = b.getI32Type();
  // Flag 128 chooses between two node loops once per step, so that without
  // a stimulus the kernel runs the loop it ran before the stimulus existed,
  // at no cost per node.
  auto ifStimulus =
      scf::IfOp::create(b, loc, TypeRange{maskType}, f.stimulusOn, true);
  OpBuilder tb = ifStimulus.getThenBodyBuilder();
  scf::YieldOp::create(tb, loc, buildNodeLoop(tb, f, couplingSlot, true));
  OpBuilder eb = ifStimulus.getElseBodyBuilder();
  scf::YieldOp::create(eb, loc, buildNodeLoop(eb, f, couplingSlot, false));

  // Lanes still at -1 in `diverged` whose new state is non-finite record n.
  Value c0 = f.c0;
  Value divergedArg = f.arg(abi::kStepDiverged);
  Value at = laneOffset(b, c0, c0, c0);
  Value recorded = loadLanesI32(b, divergedArg, at);
  Value fresh = arith::AndIOp::create(
      b, loc, ifStimulus.getResult(0),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, recorded,
                            splatI32(b, -1)));
  Value stepNow = broadcastI32(b, arith::TruncIOp::create(b, loc, i32, f.step));
  storeLanesI32(b, arith::SelectOp::create(b, loc, fresh, stepNow, recorded),
                divergedArg, at);
}

Value KernelBuilder::buildNodeLoop(OpBuilder &b, const StepFrame &f,
                                   Value couplingSlot, bool withStimulus) {
  Type i32 = b.getI32Type();
  Value paramsArg = f.arg(abi::kStepParams), state = f.arg(abi::kStepState),
        history = f.arg(abi::kStepHistory),
        couplingArg = f.arg(abi::kStepCoupling);
  Value n = f.n, c0 = f.c0, c1 = f.c1, zero = f.zero, sums = f.sums,
        rows = f.rows;
  const PhiloxInputs &philox = f.philox;
  // Phase 2: x(n + 1), node by node, and the history row n + 1; the loop
  // carries which lanes have a non-finite new state.
  Value noneNonFinite =
      isVector()
          ? Value(arith::ConstantOp::create(
                b, loc,
                DenseElementsAttr::get(cast<ShapedType>(maskType), false)))
          : Value(arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0));
  // The window's first row is step args[kStepStep]'s (the launch's first).
  Value stimulusRow, stimulusScale;
  if (withStimulus) {
    // One op per statement: the order of a call's arguments is unspecified,
    // and the IR (and its lit test) must not depend on the compiler.
    Value since = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        arith::SubIOp::create(b, loc, f.step, f.arg(abi::kStepStep)));
    Value numStates = index(b, states.size());
    stimulusRow = arith::MulIOp::create(b, loc, since, numStates);
    stimulusScale =
        loadVec(b, f.arg(abi::kStepStimulusScale), laneOffset(b, c0, c0, c0));
  }
  // Noise draws by groups of state pairs (two per vector on the CPU); each
  // group's Philox call serves two nodes, so the loop carries words 2 and 3
  // of the even node's call to the odd one.
  const unsigned numPairs = (states.size() + 1) / 2;
  const unsigned pairsPerDraw = isVector() ? 2 : 1;
  const unsigned numGroups =
      noise ? (numPairs + pairsPerDraw - 1) / pairsPerDraw : 0;
  auto groupWordType = [&](unsigned g) -> Type {
    return philoxWordType(b,
                          std::min(pairsPerDraw, numPairs - g * pairsPerDraw));
  };
  SmallVector<Value> loopInit{noneNonFinite};
  for (unsigned g = 0; g < numGroups; ++g)
    for (int w = 0; w < 2; ++w)
      loopInit.push_back(arith::ConstantOp::create(
          b, loc, cast<TypedAttr>(b.getZeroAttr(groupWordType(g)))));
  auto nodes = scf::ForOp::create(b, loc, c0, n, c1, loopInit);
  OpBuilder nb = OpBuilder::atBlockBegin(nodes.getBody());
  Value i = nodes.getInductionVar();
  Value nonFinite = nodes.getRegionIterArg(0);
  auto carriedWords = nodes.getRegionIterArgs().drop_front();
  SmallVector<Value> x = loadStates(nb, f, i), c;
  for (size_t k = 0; k < couplings.size(); ++k) {
    Value slotRow = arith::AddIOp::create(
        nb, loc,
        arith::MulIOp::create(nb, loc, couplingSlot,
                              index(nb, couplings.size())),
        index(nb, k));
    c.push_back(loadVec(nb, couplingArg, laneOffset(nb, slotRow, n, i)));
    // Slot 0 holds c(n) after the call, as the exposures expect.
    if (blockSteps > 1)
      storeVec(nb, c.back(), couplingArg, laneOffset(nb, index(nb, k), n, i));
  }
  llvm::StringMap<Value> nodeValues =
      loadNodeValues(nb, f.arg(abi::kStepNodeParams), n, i);
  SmallVector<Value> f1 = derivatives(nb, paramsArg, x, c, nodeValues);
  Value dt = loadParam(nb, paramsArg, abi::kSlotDt);
  // The noise terms of every state (Box-Muller draws two states per pair of
  // Philox words), then the words carried to the next node.
  SmallVector<Type> noiseTypes(states.size(), vecType);
  for (unsigned g = 0; g < numGroups; ++g)
    noiseTypes.append(2, groupWordType(g));
  auto ifNoise =
      scf::IfOp::create(nb, loc, noiseTypes, f.noiseOn, /*withElse=*/true);
  {
    OpBuilder tb = ifNoise.getThenBodyBuilder();
    SmallVector<Value> terms(states.size(), zero), carried;
    if (noise) {
      Value odd =
          arith::CmpIOp::create(tb, loc, arith::CmpIPredicate::ne,
                                arith::AndIOp::create(tb, loc, i, c1), c0);
      Value nodePair = arith::IndexCastOp::create(
          tb, loc, i32, arith::ShRUIOp::create(tb, loc, i, c1));
      for (unsigned g = 0; g < numGroups; ++g) {
        unsigned p = g * pairsPerDraw;
        unsigned count = std::min(pairsPerDraw, numPairs - p);
        Type wordType = groupWordType(g);
        // This node's two words, and the two for the next node.
        auto ifOdd = scf::IfOp::create(
            tb, loc, TypeRange{wordType, wordType, wordType, wordType}, odd,
            /*withElse=*/true);
        {
          OpBuilder ob = ifOdd.getThenBodyBuilder();
          Value w2 = carriedWords[2 * g], w3 = carriedWords[2 * g + 1];
          scf::YieldOp::create(ob, loc, ValueRange{w2, w3, w2, w3});
          OpBuilder eb = ifOdd.getElseBodyBuilder();
          std::array<Value, 4> words =
              philoxWords(eb, philox, nodePair, p, count);
          scf::YieldOp::create(eb, loc, ValueRange(words));
        }
        SmallVector<Value> draws =
            normalDraws(tb, ifOdd.getResult(0), ifOdd.getResult(1), count);
        carried.append({ifOdd.getResult(2), ifOdd.getResult(3)});
        for (unsigned k = 0; k < draws.size() && 2 * p + k < states.size();
             ++k) {
          unsigned s = 2 * p + k;
          terms[s] = arith::MulFOp::create(
              tb, loc, loadParam(tb, paramsArg, noiseSlot + s), draws[k]);
        }
      }
    }
    terms.append(carried);
    scf::YieldOp::create(tb, loc, terms);
    OpBuilder fb = ifNoise.getElseBodyBuilder();
    SmallVector<Value> none(states.size(), splat(fb, 0.0));
    none.append(carriedWords.begin(), carriedWords.end());
    scf::YieldOp::create(fb, loc, none);
  }
  SmallVector<Type> stateTypes(states.size(), vecType);
  SmallVector<Value> z(ifNoise.getResults().take_front(states.size())),
      predicted;
  SmallVector<Value> stimulus;
  if (withStimulus)
    stimulus = stimulusTerms(nb, f, stimulusRow, stimulusScale, i);
  for (size_t s = 0; s < states.size(); ++s) {
    Value slope =
        withStimulus ? Value(arith::AddFOp::create(nb, loc, f1[s], stimulus[s]))
                     : f1[s];
    Value euler = arith::AddFOp::create(
        nb, loc, x[s], arith::MulFOp::create(nb, loc, dt, slope));
    Value noisy = arith::AddFOp::create(nb, loc, euler, z[s]);
    predicted.push_back(
        clip(nb, states[s],
             arith::SelectOp::create(nb, loc, f.noiseOn, noisy, euler)));
  }
  auto ifHeun =
      scf::IfOp::create(nb, loc, stateTypes, f.heun, /*withElse=*/true);
  {
    OpBuilder tb = ifHeun.getThenBodyBuilder();
    SmallVector<Value> f2 =
        derivatives(tb, paramsArg, predicted, c, nodeValues);
    Value half = arith::MulFOp::create(tb, loc, splat(tb, 0.5),
                                       loadParam(tb, paramsArg, abi::kSlotDt));
    SmallVector<Value> corrected;
    for (size_t s = 0; s < states.size(); ++s) {
      Value sum = arith::AddFOp::create(tb, loc, f1[s], f2[s]);
      Value heunValue = arith::AddFOp::create(
          tb, loc, x[s], arith::MulFOp::create(tb, loc, half, sum));
      // TVB adds dt x the stimulus once more outside the average.
      if (withStimulus)
        heunValue = arith::AddFOp::create(
            tb, loc, heunValue,
            arith::MulFOp::create(tb, loc, dt, stimulus[s]));
      Value noisy = arith::AddFOp::create(tb, loc, heunValue, z[s]);
      corrected.push_back(
          clip(tb, states[s],
               arith::SelectOp::create(tb, loc, f.noiseOn, noisy, heunValue)));
    }
    scf::YieldOp::create(tb, loc, corrected);
    OpBuilder fb = ifHeun.getElseBodyBuilder();
    scf::YieldOp::create(fb, loc, predicted);
  }
  // Blocked kernels also write rows 0 ... copiedRows() - 1 to their
  // copies, rows H ... H + copiedRows() - 1.
  Value mirrored;
  if (blockSteps > 1)
    mirrored = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ult,
                                     f.nextRow, index(nb, copiedRows()));
  Value infinity = splat(nb, std::numeric_limits<double>::infinity());
  for (size_t s = 0; s < states.size(); ++s) {
    Value v = ifHeun.getResult(s);
    storeVec(nb, v, state, laneOffset(nb, index(nb, s), n, i));
    // Unordered or infinite: NaN or +-inf.
    nonFinite = arith::OrIOp::create(
        nb, loc, nonFinite,
        arith::CmpFOp::create(nb, loc, arith::CmpFPredicate::UGE,
                              math::AbsFOp::create(nb, loc, v), infinity));
    if (!hasDelays || historyChannel[s] < 0)
      continue;
    Value channel = index(nb, historyChannel[s]);
    // The row, and its copy after the ring (blocked kernels, rows 0 ... B -
    // 2).
    auto writeRow = [&](OpBuilder &wb) {
      storeVec(wb, v, history,
               historyOffset(wb, channel, n, i, rows, f.nextRow));
      if (blockSteps == 1)
        return;
      auto ifMirrored = scf::IfOp::create(wb, loc, mirrored, false);
      OpBuilder mb = ifMirrored.getThenBodyBuilder();
      storeVec(mb, v, history,
               historyOffset(
                   mb, channel, n, i, rows,
                   arith::AddIOp::create(mb, loc, f.nextRow, f.horizonIndex)));
    };
    if (!f.laneSeries) {
      writeRow(nb);
      continue;
    }
    // Flag 64: one element into each lane's series ([C][N][W][R]).
    auto ifLanes = scf::IfOp::create(nb, loc, f.laneSeries, /*withElse=*/true);
    {
      OpBuilder lb = ifLanes.getThenBodyBuilder();
      Value node =
          broadcastI32(lb, arith::IndexCastOp::create(lb, loc, i32, i));
      Value nextRow = arith::IndexCastOp::create(lb, loc, i32, f.nextRow);
      Value at = laneSeriesOffsets(lb, f, historyChannel[s], node,
                                   broadcastI32(lb, nextRow));
      vector::ScatterOp::create(lb, loc, Type(), history,
                                ValueRange{index(lb, 0)}, at, f.allTrue, v);
      OpBuilder mb =
          scf::IfOp::create(lb, loc, mirrored, false).getThenBodyBuilder();
      vector::ScatterOp::create(
          mb, loc, Type(), history, ValueRange{index(mb, 0)},
          arith::AddIOp::create(mb, loc, at, f.horizonVec), f.allTrue, v);
      OpBuilder ob = ifLanes.getElseBodyBuilder();
      writeRow(ob);
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
          arith::SelectOp::create(ab, loc, f.firstOfLaunch, zeroF64, old);
      memref::StoreOp::create(ab, loc, arith::AddFOp::create(ab, loc, base, v),
                              sums, ValueRange{at});
    };
    SmallVector<Value> next(ifHeun.getResults());
    OpBuilder sb =
        scf::IfOp::create(nb, loc, f.sumStates, false).getThenBodyBuilder();
    for (auto [s, v] : llvm::enumerate(next))
      addTo(sb, s, v);
    OpBuilder eb =
        scf::IfOp::create(nb, loc, f.sumExposures, false).getThenBodyBuilder();
    for (auto [e, v] :
         llvm::enumerate(exposureValues(eb, paramsArg, next, c, nodeValues)))
      addTo(eb, e, v);
  }
  SmallVector<Value> next{nonFinite};
  for (Value words : ifNoise.getResults().drop_front(states.size()))
    next.push_back(words);
  scf::YieldOp::create(nb, loc, next);
  return nodes.getResult(0);
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
  llvm::StringMap<Value> nodeValues =
      loadNodeValues(nb, args[abi::kExposuresNodeParams], n, i);
  for (auto [e, v] :
       llvm::enumerate(exposureValues(nb, paramsArg, x, c, nodeValues)))
    storeVec(nb, v, out, laneOffset(nb, index(nb, e), n, i));
}
