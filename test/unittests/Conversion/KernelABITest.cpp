//===- KernelABITest.cpp - Generated kernels against KernelABI.h ----------===//
//
// Lowers a small model with convert-rateml-to-kernel, for the CPU (wide and
// narrow kernels, host thread versions) and the GPU, and checks every
// generated signature against the C function types the runtime calls them
// through (KernelABI.h): the same number of arguments, a memref wherever
// the C type has a descriptor (with the element type the argument's kind
// names), and integers of the C type's width elsewhere. A kernel argument
// added, removed or moved on one side only fails here.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/KernelABI.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "rateml/Conversion/Passes.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include "rateml/InitAll.h"
#include "gtest/gtest.h"
#include <string>
#include <type_traits>
#include <vector>

using namespace mlir;
namespace contract = ::rateml::runtime; // ::abi is cxxabi.h's

namespace {

// Delays, two states, noise and a coupling: every argument is in use.
constexpr const char *kModel = R"xml(<Lems>
  <ComponentType name="derivatives">
    <Parameter name="global_speed" dimension="1, 10"/>
    <Parameter name="global_coupling" dimension="0, 1"/>
    <DerivedParameter name="rec_speed_dt" value="1.0 / global_speed / dt"/>
    <DerivedParameter name="nsig" value="sqrt(2e-4 * dt)"/>
    <Exposure name="x" dimension="x"/>
    <Dynamics>
      <StateVariable name="x" dimension="0, 1"/>
      <StateVariable name="y" dimension="0, 1"/>
      <TimeDerivative variable="dx" value="y + c_0"/>
      <TimeDerivative variable="dy" value="-x"/>
    </Dynamics>
  </ComponentType>
  <ComponentType name="coupling_linear">
    <Parameter name="x_j" dimension="0"/>
    <DerivedParameter name="c_0" value="global_coupling"/>
    <Dynamics><DerivedVariable name="pre" value="x_j"/></Dynamics>
  </ComponentType>
  <ComponentType name="noise"/>
</Lems>)xml";

/// What the C type of a parameter requires of the generated one.
struct CParam {
  bool memref;
  unsigned bits;
};
template <typename T> CParam cParam() {
  if constexpr (std::is_same_v<T, contract::MemRef1D *>)
    return {true, 0};
  else
    return {false, unsigned(sizeof(T) * 8)};
}
template <typename... P> std::vector<CParam> cParams(void (*)(P...)) {
  return {cParam<P>()...};
}
template <typename F> std::vector<CParam> cParamsOf() {
  return cParams(static_cast<F *>(nullptr));
}

/// The element type an array argument of `kind` has in kernels of `real`.
Type elementType(contract::ArgKind kind, Type real) {
  MLIRContext *ctx = real.getContext();
  switch (kind) {
  case contract::ArgKind::RealArray:
    return real;
  case contract::ArgKind::I32Array:
    return IntegerType::get(ctx, 32);
  case contract::ArgKind::F64Array:
    return Float64Type::get(ctx);
  default:
    return {};
  }
}

/// The kinds of the thread step's arguments, from the step kernel's.
std::vector<contract::ArgKind> threadStepKinds() {
  std::vector<contract::ArgKind> kinds(contract::kNumThreadStepArgs,
                                       contract::ArgKind::I64);
  for (unsigned a = 0; a < contract::kNumStepArgs; ++a)
    kinds[contract::threadStepArg(contract::StepArg(a))] =
        contract::kStepArgKinds[a];
  kinds[contract::kThreadStepSums] = contract::ArgKind::F64Array;
  return kinds;
}
std::vector<contract::ArgKind> threadExposuresKinds() {
  std::vector<contract::ArgKind> kinds(std::begin(contract::kExposuresArgKinds),
                                       std::end(contract::kExposuresArgKinds));
  kinds.resize(contract::kNumThreadExposuresArgs, contract::ArgKind::I64);
  return kinds;
}

/// Checks `types` against the C parameters and the argument kinds.
void expectSignature(std::string name, TypeRange types,
                     const std::vector<CParam> &c,
                     const std::vector<contract::ArgKind> &kinds, Type real) {
  SCOPED_TRACE(name);
  ASSERT_EQ(types.size(), c.size());
  ASSERT_EQ(kinds.size(), c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    SCOPED_TRACE("argument " + std::to_string(i));
    Type t = types[i];
    if (c[i].memref) {
      auto memref = dyn_cast<MemRefType>(t);
      ASSERT_TRUE(memref && memref.getRank() == 1 && memref.isDynamicDim(0));
      EXPECT_EQ(memref.getElementType(), elementType(kinds[i], real));
    } else {
      ASSERT_TRUE(t.isInteger(c[i].bits));
      bool wide = kinds[i] == contract::ArgKind::I64 ||
                  kinds[i] == contract::ArgKind::U64;
      EXPECT_EQ(c[i].bits, wide ? 64u : 32u);
    }
  }
}

class KernelABITest : public ::testing::TestWithParam<const char *> {
protected:
  KernelABITest() {
    DialectRegistry registry;
    mlir::rateml::registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// The module convert-rateml-to-kernel makes of kModel.
  OwningOpRef<ModuleOp> lower(StringRef target, StringRef precision) {
    OwningOpRef<ModuleOp> module =
        mlir::rateml::lems::importLEMS(kModel, "abi.xml", &context);
    EXPECT_TRUE(module);
    PassManager pm(&context);
    mlir::rateml::buildModelOptimizationPipeline(pm);
    mlir::rateml::ConvertRateMLToKernelPassOptions options;
    options.target = target == "gpu" ? mlir::rateml::KernelTarget::GPU
                                     : mlir::rateml::KernelTarget::CPU;
    options.precision = precision == "f64" ? mlir::rateml::KernelPrecision::F64
                                           : mlir::rateml::KernelPrecision::F32;
    if (target == "cpu")
      options.narrowLanes = 4;
    pm.addPass(mlir::rateml::createConvertRateMLToKernelPass(options));
    EXPECT_TRUE(succeeded(pm.run(*module)));
    return module;
  }

  MLIRContext context;
};

TEST_P(KernelABITest, CpuKernelsMatchTheHeader) {
  OwningOpRef<ModuleOp> module = lower("cpu", GetParam());
  Type real = StringRef(GetParam()) == "f64" ? Type(Float64Type::get(&context))
                                             : Type(Float32Type::get(&context));
  std::string narrow = contract::symbol::kNarrowSuffix;
  auto func = [&](std::string name) {
    auto f = module->lookupSymbol<func::FuncOp>(name);
    EXPECT_TRUE(f) << name;
    return f;
  };
  std::vector<contract::ArgKind> stepKinds(std::begin(contract::kStepArgKinds),
                                           std::end(contract::kStepArgKinds));
  std::vector<contract::ArgKind> exposuresKinds(
      std::begin(contract::kExposuresArgKinds),
      std::end(contract::kExposuresArgKinds));
  for (std::string suffix : {std::string(), narrow}) {
    func::FuncOp step = func(contract::symbol::kStep + suffix);
    func::FuncOp exposures = func(contract::symbol::kExposures + suffix);
    ASSERT_TRUE(step && exposures);
    expectSignature(step.getName().str(), step.getArgumentTypes(),
                    cParamsOf<contract::StepKernel>(), stepKinds, real);
    expectSignature(exposures.getName().str(), exposures.getArgumentTypes(),
                    cParamsOf<contract::ExposuresKernel>(), exposuresKinds,
                    real);
    EXPECT_TRUE(step->hasAttr("llvm.emit_c_interface"));
  }
  func::FuncOp threadStep = func(contract::symbol::kThreadStep);
  func::FuncOp threadExposures = func(contract::symbol::kThreadExposures);
  func::FuncOp setup = func(contract::symbol::kSetup);
  func::FuncOp nodeSetup = func(contract::symbol::kNodeSetup);
  ASSERT_TRUE(threadStep && threadExposures && setup && nodeSetup);
  expectSignature(threadStep.getName().str(), threadStep.getArgumentTypes(),
                  cParamsOf<contract::ThreadStepKernel>(), threadStepKinds(),
                  real);
  expectSignature(threadExposures.getName().str(),
                  threadExposures.getArgumentTypes(),
                  cParamsOf<contract::ThreadExposuresKernel>(),
                  threadExposuresKinds(), real);
  expectSignature(setup.getName().str(), setup.getArgumentTypes(),
                  cParamsOf<contract::SetupFunction>(),
                  {contract::ArgKind::F64Array}, real);
  expectSignature(nodeSetup.getName().str(), nodeSetup.getArgumentTypes(),
                  cParamsOf<contract::NodeSetupFunction>(),
                  {contract::ArgKind::F64Array, contract::ArgKind::F64Array},
                  real);
  for (std::string json : {std::string(contract::symbol::kModelJson),
                           contract::symbol::kModelJson + narrow})
    EXPECT_TRUE(module->lookupSymbol(json)) << json;
}

TEST_P(KernelABITest, GpuKernelsMatchTheHeaderWithoutTid) {
  OwningOpRef<ModuleOp> module = lower("gpu", GetParam());
  Type real = StringRef(GetParam()) == "f64" ? Type(Float64Type::get(&context))
                                             : Type(Float32Type::get(&context));
  auto gpuModule =
      module->lookupSymbol<gpu::GPUModuleOp>(contract::symbol::kGpuModule);
  ASSERT_TRUE(gpuModule);
  auto step = gpuModule.lookupSymbol<gpu::GPUFuncOp>(contract::symbol::kStep);
  auto exposures =
      gpuModule.lookupSymbol<gpu::GPUFuncOp>(contract::symbol::kExposures);
  ASSERT_TRUE(step && exposures);
  EXPECT_TRUE(step.isKernel() && exposures.isKernel());
  // The grid gives the thread's set: the host version's tid is the last
  // argument and the GPU kernel's only missing one.
  std::vector<CParam> stepC = cParamsOf<contract::ThreadStepKernel>();
  std::vector<contract::ArgKind> stepKinds = threadStepKinds();
  ASSERT_EQ(unsigned(contract::kThreadStepTid), stepC.size() - 1);
  stepC.pop_back();
  stepKinds.pop_back();
  expectSignature("gpu step", step.getArgumentTypes(), stepC, stepKinds, real);
  std::vector<CParam> exposuresC = cParamsOf<contract::ThreadExposuresKernel>();
  std::vector<contract::ArgKind> exposuresKinds = threadExposuresKinds();
  ASSERT_EQ(unsigned(contract::kThreadExposuresTid), exposuresC.size() - 1);
  exposuresC.pop_back();
  exposuresKinds.pop_back();
  expectSignature("gpu exposures", exposures.getArgumentTypes(), exposuresC,
                  exposuresKinds, real);
}

INSTANTIATE_TEST_SUITE_P(Precisions, KernelABITest,
                         ::testing::Values("f32", "f64"));

} // namespace
