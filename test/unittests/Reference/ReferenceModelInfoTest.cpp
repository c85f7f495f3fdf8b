//===- ReferenceModelInfoTest.cpp - The oracle's model description --------===//
//
// The reference describes a model to the runtime from the rateml.model op
// (buildModelInfo), the compiled kernels from the metadata the kernel
// builder writes. For every shipped model (and RateML's own, when
// ../shared is there) the two must agree on everything the runtime reads:
// after the model pipeline, field by field including the slots; on the
// model as written, on all that the pipeline does not change.
//
//===----------------------------------------------------------------------===//

#include "rateml/Reference/ReferenceModelInfo.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "rateml/Conversion/Passes.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include "rateml/InitAll.h"
#include "rateml/runtime/KernelABI.h"
#include "gtest/gtest.h"
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace mlir;
namespace rt = ::rateml::runtime;

namespace {

std::vector<std::string> modelFiles() {
  std::vector<std::string> files;
  std::vector<std::string> dirs = {
      RATEML_MODELS_DIR, std::string(RATEML_SHARED_DIR) + "/rateml-xml"};
  for (const std::string &dir : dirs) {
    if (!std::filesystem::is_directory(dir))
      continue;
    for (const auto &entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".xml" &&
          entry.path().filename() != "model_template.xml")
        files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ReferenceModelInfoTest : public ::testing::Test {
protected:
  ReferenceModelInfoTest() {
    DialectRegistry registry;
    mlir::rateml::registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// `path` imported, then through the model pipeline when `optimize`, or
  /// only rateml-conduction-speed.
  OwningOpRef<ModuleOp> import(const std::string &path, bool optimize,
                               std::vector<std::string> regional = {}) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    OwningOpRef<ModuleOp> module =
        mlir::rateml::lems::importLEMS(text.str(), path, &context);
    EXPECT_TRUE(module) << path;
    if (!module)
      return module;
    PassManager pm(&context);
    if (optimize)
      mlir::rateml::buildModelOptimizationPipeline(pm, regional);
    else
      pm.nest<mlir::rateml::ModelOp>().addPass(
          mlir::rateml::createRateMLConductionSpeedPass());
    EXPECT_TRUE(succeeded(pm.run(*module))) << path;
    return module;
  }

  static mlir::rateml::ModelOp modelOf(ModuleOp module) {
    return *module.getOps<mlir::rateml::ModelOp>().begin();
  }

  /// What the kernel builder writes for the (optimized) `module`.
  rt::ModelInfo kernelInfo(ModuleOp module) {
    OwningOpRef<ModuleOp> kernels = module.clone();
    PassManager pm(&context);
    mlir::rateml::ConvertRateMLToKernelPassOptions options;
    options.lanes = 1;
    options.precision = mlir::rateml::KernelPrecision::F64;
    pm.addPass(mlir::rateml::createConvertRateMLToKernelPass(options));
    EXPECT_TRUE(succeeded(pm.run(*kernels)));
    auto json = kernels->lookupSymbol<LLVM::GlobalOp>(rt::symbol::kModelJson);
    EXPECT_TRUE(json);
    std::string text = cast<StringAttr>(*json.getValue()).getValue().str();
    return rt::parseModelInfo(text.c_str());
  }

  MLIRContext context;
};

/// Everything the model pipeline leaves alone.
void expectSameModel(const rt::ModelInfo &a, const rt::ModelInfo &b) {
  EXPECT_EQ(a.abi, b.abi);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.precision, b.precision);
  ASSERT_EQ(a.params.size(), b.params.size());
  for (size_t k = 0; k < a.params.size(); ++k) {
    EXPECT_EQ(a.params[k].name, b.params[k].name);
    EXPECT_EQ(a.params[k].lo, b.params[k].lo);
    EXPECT_EQ(a.params[k].hi, b.params[k].hi);
    EXPECT_EQ(a.params[k].slot, b.params[k].slot);
  }
  ASSERT_EQ(a.constants.size(), b.constants.size());
  for (size_t k = 0; k < a.constants.size(); ++k) {
    EXPECT_EQ(a.constants[k].name, b.constants[k].name);
    EXPECT_EQ(a.constants[k].value, b.constants[k].value);
    EXPECT_EQ(a.constants[k].slot, b.constants[k].slot);
  }
  ASSERT_EQ(a.states.size(), b.states.size());
  for (size_t k = 0; k < a.states.size(); ++k) {
    EXPECT_EQ(a.states[k].name, b.states[k].name);
    EXPECT_EQ(a.states[k].initLo, b.states[k].initLo);
    EXPECT_EQ(a.states[k].initHi, b.states[k].initHi);
    EXPECT_EQ(a.states[k].lower, b.states[k].lower);
    EXPECT_EQ(a.states[k].upper, b.states[k].upper);
  }
  EXPECT_EQ(a.exposures, b.exposures);
  EXPECT_EQ(a.numCouplings, b.numCouplings);
  EXPECT_EQ(a.historyStates, b.historyStates);
  EXPECT_EQ(a.noiseSlot.has_value(), b.noiseSlot.has_value());
  EXPECT_EQ(a.speedSlot.has_value(), b.speedSlot.has_value());
}

TEST_F(ReferenceModelInfoTest, AgreesWithTheKernelMetadata) {
  std::vector<std::string> files = modelFiles();
  ASSERT_GE(files.size(), 5u);
  for (const std::string &path : files) {
    SCOPED_TRACE(path);
    OwningOpRef<ModuleOp> optimized = import(path, true);
    OwningOpRef<ModuleOp> plain = import(path, false);
    ASSERT_TRUE(optimized && plain);
    rt::ModelInfo kernel = kernelInfo(*optimized);
    rt::ModelInfo reference =
        mlir::rateml::reference::buildModelInfo(modelOf(*optimized));
    expectSameModel(reference, kernel);
    EXPECT_EQ(reference.version, kernel.version);
    EXPECT_EQ(reference.lanes, kernel.lanes);
    EXPECT_EQ(reference.numSlots, kernel.numSlots);
    EXPECT_EQ(reference.noiseSlot, kernel.noiseSlot);
    EXPECT_EQ(reference.speedSlot, kernel.speedSlot);
    // The model as written: the pipeline adds hoisted derived parameters,
    // so only the derived slots may differ.
    expectSameModel(mlir::rateml::reference::buildModelInfo(modelOf(*plain)),
                    kernel);
  }
}

/// The regional values of a build (rateml-compile --regional) and the
/// slots they leave to the set: the same in both descriptions.
TEST_F(ReferenceModelInfoTest, AgreesOnRegionalValues) {
  std::string path;
  for (const std::string &file : modelFiles())
    if (file.size() >= 12 && file.substr(file.size() - 12) == "montbrio.xml")
      path = file;
  ASSERT_FALSE(path.empty());
  OwningOpRef<ModuleOp> optimized = import(path, true, {"eta", "tau"});
  ASSERT_TRUE(optimized);
  rt::ModelInfo kernel = kernelInfo(*optimized);
  rt::ModelInfo reference =
      mlir::rateml::reference::buildModelInfo(modelOf(*optimized));
  expectSameModel(reference, kernel);
  EXPECT_EQ(reference.numSlots, kernel.numSlots);
  EXPECT_EQ(reference.noiseSlot, kernel.noiseSlot);
  EXPECT_EQ(reference.speedSlot, kernel.speedSlot);
  // tau's reciprocal and the products with it are per node.
  EXPECT_GT(kernel.numNodeSlots, 2u);
  EXPECT_EQ(reference.numNodeSlots, kernel.numNodeSlots);
  ASSERT_EQ(kernel.regional.size(), 2u);
  ASSERT_EQ(reference.regional.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(reference.regional[k].name, kernel.regional[k].name);
    EXPECT_EQ(reference.regional[k].slot, kernel.regional[k].slot);
    EXPECT_EQ(reference.regional[k].nodeSlot, kernel.regional[k].nodeSlot);
  }
}

} // namespace
