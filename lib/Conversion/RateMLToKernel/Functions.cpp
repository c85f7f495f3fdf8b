//===- Functions.cpp - The kernels of each target and their arguments -----===//
//
// The functions the runtime calls (docs/kernel-abi.md): the setup; on the
// CPU the step and exposure kernels over SIMD lanes; on the GPU the same as
// kernels of a gpu.module, one parameter set per thread; and the GPU
// kernels' bodies as host functions (one call per thread) for the stand-in
// CUDA driver. Argument lists come from KernelABI.h. Each function sets its
// lane context (FunctionScope) before any body is emitted into it.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::kernels;
namespace symbol = ::rateml::runtime::symbol;

KernelBuilder::KernelBuilder(const ModelLayout &layout,
                             const KernelConfig &config)
    : ModelLayout(layout), laneModel(config.laneModel), suffix(config.suffix),
      lanes(config.laneModel == LaneModel::Vector ? config.lanes : 1),
      elem(config.elem), ctx(model.getContext()), loc(model.getLoc()) {
  // The GPU kernels do not block.
  if (config.laneModel == LaneModel::Vector && config.block > 1 &&
      couplingReadsOnlySources) {
    blockSteps = config.block;
    // Twice the block for lanes with delays of their own when each lane's
    // values then still fit one cache line.
    const unsigned lineElements =
        kCacheLineBytes * 8 / config.elem.getIntOrFloatBitWidth();
    laneBlockSteps =
        2 * blockSteps <= lineElements ? 2 * blockSteps : blockSteps;
  }
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

void KernelBuilder::build(ModuleOp module) {
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  buildSetup(b);
  buildNodeSetup(b);
  if (isVector()) {
    buildStep(b);
    buildExposures(b);
  } else {
    buildGpuKernels(b, module);
  }
  buildMetadata(b);
}

void KernelBuilder::buildLaneVariant(ModuleOp module) {
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  buildStep(b);
  buildExposures(b);
  buildMetadata(b);
}

void KernelBuilder::buildThreadFunctionsOnly(ModuleOp module) {
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  buildThreadFunctions(b);
}

func::FuncOp KernelBuilder::makeFunc(OpBuilder &b, StringRef name,
                                     TypeRange args) {
  auto func =
      func::FuncOp::create(b, loc, name, FunctionType::get(ctx, args, {}));
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
    if (d.getRegional())
      continue;
    Value v = cloneRegion(b, d.getBody(), false, read)[0];
    memref::StoreOp::create(
        b, loc, v, slots, ValueRange{index(b, slotOf.lookup(d.getSymName()))});
  }
  if (noise) {
    SmallVector<Value> amplitudes =
        cloneRegion(b, noise.getBody(), false, read);
    for (size_t s = 0; s < states.size(); ++s)
      memref::StoreOp::create(b, loc,
                              amplitudes[amplitudes.size() == 1 ? 0 : s], slots,
                              ValueRange{index(b, noiseSlot + s)});
  }
  func::ReturnOp::create(b, loc);
}

void KernelBuilder::buildNodeSetup(OpBuilder &module) {
  auto memF64 = MemRefType::get({ShapedType::kDynamic}, module.getF64Type());
  func::FuncOp func = makeFunc(module, symbol::kNodeSetup, {memF64, memF64});
  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  Value slots = func.getArgument(0), nodeSlots = func.getArgument(1);
  auto load = [&](Value mem, unsigned slot) -> Value {
    return memref::LoadOp::create(b, loc, mem, ValueRange{index(b, slot)});
  };
  // A regional name reads the node's value, anything else the set's.
  Reads read{[&](StringRef name) {
               auto it = nodeSlotOf.find(name);
               return it != nodeSlotOf.end() ? load(nodeSlots, it->second)
                                             : load(slots, slotOf.lookup(name));
             },
             [&](unsigned slot) { return load(slots, slot); }};
  for (DerivedParamOp d : regionalDerived)
    memref::StoreOp::create(
        b, loc, cloneRegion(b, d.getBody(), false, read)[0], nodeSlots,
        ValueRange{index(b, nodeSlotOf.lookup(d.getSymName()))});
  func::ReturnOp::create(b, loc);
}

Type KernelBuilder::argumentType(OpBuilder &b, abi::ArgKind kind) {
  auto array = [](Type t) {
    return MemRefType::get({ShapedType::kDynamic}, t);
  };
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
  FunctionScope scope(*this, index(b, lanes), index(b, 0));
  buildStepBody(b, entry.getArguments(), entry.getArgument(abi::kStepStep));
  func::ReturnOp::create(b, loc);
}

void KernelBuilder::buildExposures(OpBuilder &module) {
  func::FuncOp func = makeFunc(module, symbol::kExposures + suffix,
                               exposuresArgumentTypes(module));
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  FunctionScope scope(*this, index(b, lanes), index(b, 0));
  buildExposuresBody(b, entry.getArguments());
  func::ReturnOp::create(b, loc);
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
  args.resize(abi::kNumThreadExposuresArgs, argumentType(b, abi::ArgKind::I64));
  return args;
}

void KernelBuilder::buildThreadSteps(OpBuilder &b, ValueRange args) {
  Type i64 = b.getI64Type();
  SmallVector<Value> stepArgs;
  for (unsigned a = 0; a < abi::kNumStepArgs; ++a)
    stepArgs.push_back(args[abi::threadStepArg(abi::StepArg(a))]);
  Value begin = stepArgs[abi::kStepStep];
  Value end = arith::AddIOp::create(b, loc, begin, args[abi::kThreadStepCount]);
  auto steps = scf::ForOp::create(b, loc, begin, end,
                                  arith::ConstantIntOp::create(b, loc, i64, 1));
  OpBuilder sb = OpBuilder::atBlockBegin(steps.getBody());
  buildStepBody(sb, stepArgs, steps.getInductionVar(),
                args[abi::kThreadStepSums]);
}

void KernelBuilder::buildThreadFunctions(OpBuilder &b) {
  // A host function whose lane context comes from its numSets and tid
  // arguments.
  auto makeThreadFunction =
      [&](StringRef name, TypeRange args, unsigned numSetsArg, unsigned tidArg,
          function_ref<void(OpBuilder &, ValueRange)> body) {
        func::FuncOp func = makeFunc(b, name, args);
        Block &entry = func.getBody().front();
        OpBuilder fb = OpBuilder::atBlockBegin(&entry);
        Type indexType = fb.getIndexType();
        Value laneStride = arith::IndexCastOp::create(
            fb, loc, indexType, entry.getArgument(numSetsArg));
        Value laneId = arith::IndexCastOp::create(fb, loc, indexType,
                                                  entry.getArgument(tidArg));
        FunctionScope scope(*this, laneStride, laneId);
        body(fb, entry.getArguments());
        func::ReturnOp::create(fb, loc);
      };
  makeThreadFunction(
      symbol::kThreadStep, threadStepArgumentTypes(b), abi::kThreadStepNumSets,
      abi::kThreadStepTid,
      [&](OpBuilder &fb, ValueRange args) { buildThreadSteps(fb, args); });
  makeThreadFunction(
      symbol::kThreadExposures, threadExposuresArgumentTypes(b),
      abi::kThreadExposuresNumSets, abi::kThreadExposuresTid,
      [&](OpBuilder &fb, ValueRange args) { buildExposuresBody(fb, args); });
}

void KernelBuilder::buildGpuKernels(OpBuilder &b, ModuleOp module) {
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(ctx));
  auto gpuModule = gpu::GPUModuleOp::create(b, loc, symbol::kGpuModule);
  OpBuilder gb = OpBuilder::atBlockBegin(gpuModule.getBody());
  Type indexType = gb.getIndexType();

  // One thread per parameter set: the set count and this thread's set.
  auto kernelLanes = [&](Value numSets, OpBuilder &kb) -> FunctionContext {
    Value block = gpu::BlockIdOp::create(kb, loc, gpu::Dimension::x);
    Value blockSize = gpu::BlockDimOp::create(kb, loc, gpu::Dimension::x);
    Value thread = gpu::ThreadIdOp::create(kb, loc, gpu::Dimension::x);
    Value tid = arith::AddIOp::create(
        kb, loc, arith::MulIOp::create(kb, loc, block, blockSize), thread);
    return {arith::IndexCastOp::create(kb, loc, indexType, numSets), tid};
  };
  // Threads past the last set do nothing.
  auto inRange = [&](const FunctionContext &lanes, OpBuilder &kb) -> Value {
    return arith::CmpIOp::create(kb, loc, arith::CmpIPredicate::ult,
                                 lanes.laneId, lanes.laneStride);
  };
  auto makeKernel = [&](StringRef name, SmallVector<Type> args) {
    auto kernel =
        gpu::GPUFuncOp::create(gb, loc, name, FunctionType::get(ctx, args, {}));
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                    UnitAttr::get(ctx));
    return kernel;
  };

  // A kernel taking a host version's arguments but tid (the grid gives it),
  // whose threads within the set count emit `body`.
  auto makeGuardedKernel =
      [&](StringRef name, SmallVector<Type> args, unsigned tidArg,
          unsigned numSetsArg,
          function_ref<void(OpBuilder &, ValueRange)> body) {
        args.erase(args.begin() + tidArg);
        gpu::GPUFuncOp kernel = makeKernel(name, args);
        Block &entry = kernel.getBody().front();
        OpBuilder kb = OpBuilder::atBlockBegin(&entry);
        FunctionContext lanes = kernelLanes(entry.getArgument(numSetsArg), kb);
        FunctionScope scope(*this, lanes.laneStride, lanes.laneId);
        auto guard =
            scf::IfOp::create(kb, loc, inRange(lanes, kb), /*withElse=*/false);
        OpBuilder tb = guard.getThenBodyBuilder();
        body(tb, entry.getArguments());
        gpu::ReturnOp::create(kb, loc);
      };
  // A chunk of steps without leaving the kernel, and the exposures.
  makeGuardedKernel(
      symbol::kStep, threadStepArgumentTypes(gb), abi::kThreadStepTid,
      abi::kThreadStepNumSets,
      [&](OpBuilder &tb, ValueRange args) { buildThreadSteps(tb, args); });
  makeGuardedKernel(
      symbol::kExposures, threadExposuresArgumentTypes(gb),
      abi::kThreadExposuresTid, abi::kThreadExposuresNumSets,
      [&](OpBuilder &tb, ValueRange args) { buildExposuresBody(tb, args); });
}
