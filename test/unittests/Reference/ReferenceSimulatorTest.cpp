//===- ReferenceSimulatorTest.cpp - The float64 oracle --------------------===//
//
// The reference is checked against closed forms on networks small enough to
// work out by hand (delays, Heun, clipping, noise keys), and used to check
// that the model pipeline preserves every shipped model's trajectories.
//
//===----------------------------------------------------------------------===//

#include "rateml/Reference/ReferenceSimulator.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include "rateml/runtime/Philox.h"
#include "gtest/gtest.h"
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::reference;
using ::rateml::runtime::Connectome;

namespace {

class ReferenceTest : public ::testing::Test {
protected:
  /// Imports `xml` and runs `pipeline` ("none", "speed" or "full").
  ModelOp import(StringRef xml, StringRef pipeline = "speed") {
    modules.push_back(lems::importLEMS(xml, "test.xml", &context));
    EXPECT_TRUE(modules.back()) << "import failed";
    PassManager pm(&context);
    if (pipeline == "speed")
      pm.nest<ModelOp>().addPass(createRateMLConductionSpeedPass());
    else if (pipeline == "full")
      buildModelOptimizationPipeline(pm);
    EXPECT_TRUE(succeeded(pm.run(*modules.back())));
    return *modules.back()->getOps<ModelOp>().begin();
  }

  ReferenceSimulator simulator(ModelOp model) {
    FailureOr<ReferenceSimulator> sim = ReferenceSimulator::create(model);
    EXPECT_TRUE(succeeded(sim));
    return std::move(*sim);
  }

  static Connectome network(size_t n, std::vector<double> weights,
                            std::vector<double> lengths) {
    Connectome c;
    c.numNodes = n;
    c.weights = std::move(weights);
    c.lengths = std::move(lengths);
    return c;
  }

  /// The trace of a simulation that must succeed.
  static Trace simulateOk(const ReferenceSimulator &sim,
                          ArrayRef<double> params, const Connectome &c,
                          const SimulationConfig &config, uint32_t set) {
    llvm::Expected<Trace> trace = sim.simulate(params, c, config, set);
    if (!trace) {
      ADD_FAILURE() << llvm::toString(trace.takeError());
      return Trace();
    }
    return std::move(*trace);
  }

  MLIRContext context;
  std::vector<OwningOpRef<ModuleOp>> modules;
};

// Node 0 integrates node 1's ramp y, read 3 steps late through a weight of 2;
// the history before t = 0 is the initial state.
constexpr const char *kDelayedRamp = R"(<Lems>
  <ComponentType name="derivatives">
    <Parameter name="speed" dimension="1, 1"/>
    <DerivedParameter name="rec_speed_dt" value="1.0 / speed / dt"/>
    <Dynamics>
      <StateVariable name="x" dimension="0, 0"/>
      <StateVariable name="y" dimension="1, 1"/>
      <TimeDerivative variable="dx" value="c"/>
      <TimeDerivative variable="dy" value="1"/>
    </Dynamics>
  </ComponentType>
  <ComponentType name="coupling">
    <Parameter name="y_j" dimension="1"/>
    <DerivedParameter name="c" value="1"/>
    <Dynamics><DerivedVariable name="pre" value="y_j"/></Dynamics>
  </ComponentType>
</Lems>)";

TEST_F(ReferenceTest, DelayedCouplingReadsTheRightStep) {
  ReferenceSimulator sim = simulator(import(kDelayedRamp));
  // w[0][1] = 2 (from node 1 to node 0); length 1.5 mm at 1 mm/ms, dt 0.5:
  // a delay of 3 steps.
  Connectome c = network(2, {0, 2, 0, 0}, {0, 1.5, 1.5, 0});
  SimulationConfig config;
  config.dt = 0.5;
  config.steps = 10;
  config.integrator = Integrator::Euler;
  config.recordStates = true;
  Trace t = simulateOk(sim, {1.0}, c, config, 0);
  ASSERT_EQ(t.numSamples, 11u);
  auto y1 = [&](int64_t m) { return 1.0 + (m > 0 ? m : 0) * config.dt; };
  double x0 = 0.0;
  for (size_t n = 0; n < 10; ++n) {
    EXPECT_EQ(t.at(n, 0, 0), x0) << "step " << n;
    EXPECT_EQ(t.at(n, 1, 1), y1(int64_t(n))) << "step " << n;
    EXPECT_EQ(t.at(n, 0, 1), 0.0); // no input to node 1
    x0 += config.dt * (2.0 * y1(int64_t(n) - 3));
  }
}

TEST_F(ReferenceTest, InputProblemsAreReturnedAsErrors) {
  ReferenceSimulator sim = simulator(import(kDelayedRamp));
  Connectome c = network(2, {0, 2, 0, 0}, {0, 1.5, 1.5, 0});
  SimulationConfig config;
  config.dt = 0.5;
  config.steps = 10;
  llvm::Expected<Trace> stopped = sim.simulate({0.0}, c, config, 0);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(llvm::toString(stopped.takeError()),
            "conduction speed must be positive (mm/ms), got 0");
  // Two rows of history, but a delay of 3 steps needs 4.
  config.initial = {0, 0, 0, 0, 0, 0, 0, 0};
  config.initialRows = 2;
  llvm::Expected<Trace> short_ = sim.simulate({1.0}, c, config, 0);
  ASSERT_FALSE(short_);
  EXPECT_EQ(llvm::toString(short_.takeError()),
            "--initial: the history has 2 steps but the delays need 4");
}

TEST_F(ReferenceTest, ZeroDelayIsSynchronous) {
  ReferenceSimulator sim = simulator(import(kDelayedRamp));
  Connectome c = network(2, {0, 2, 0, 0}, {0, 0, 0, 0});
  SimulationConfig config;
  config.dt = 0.5;
  config.steps = 4;
  config.integrator = Integrator::Euler;
  config.recordStates = true;
  Trace t = simulateOk(sim, {1.0}, c, config, 0);
  // x0(n + 1) = x0(n) + dt * 2 * y1(n): y1 of the same step.
  EXPECT_EQ(t.at(1, 0, 0), 0.5 * 2.0 * 1.0);
  EXPECT_EQ(t.at(2, 0, 0), 1.0 + 0.5 * 2.0 * 1.5);
}

constexpr const char *kDecay = R"(<Lems>
  <ComponentType name="derivatives">
    <Constant name="k" value="1.0"/>
    <Dynamics>
      <StateVariable name="y" dimension="1, 1" exposure="0.5, None"/>
      <TimeDerivative variable="dy" value="-k * y"/>
    </Dynamics>
  </ComponentType>
  <ComponentType name="noise"/>
</Lems>)";

TEST_F(ReferenceTest, HeunAndEulerMultipliers) {
  ReferenceSimulator sim = simulator(import(kDecay));
  Connectome c = network(1, {0}, {0});
  SimulationConfig config;
  config.dt = 0.1;
  config.steps = 5;
  config.noise = false;
  config.recordStates = true;
  config.constants["k"] = 0.1; // slow enough to stay above the bound
  Trace heun = simulateOk(sim, {}, c, config, 0);
  double g = 1.0 - 0.01 + 0.5 * 0.01 * 0.01; // Heun: 1 - k dt + (k dt)^2 / 2
  for (size_t n = 0; n <= 5; ++n)
    EXPECT_NEAR(heun.at(n, 0, 0), std::pow(g, n), 1e-15);
  config.integrator = Integrator::Euler;
  Trace euler = simulateOk(sim, {}, c, config, 0);
  for (size_t n = 0; n <= 5; ++n)
    EXPECT_NEAR(euler.at(n, 0, 0), std::pow(0.99, n), 1e-15);
}

TEST_F(ReferenceTest, WindowAveragesCoverTheStepsAfterTheirStart) {
  ReferenceSimulator sim = simulator(import(kDecay));
  Connectome c = network(1, {0}, {0});
  SimulationConfig config;
  config.dt = 0.1;
  config.steps = 10;
  config.noise = false;
  config.recordStates = true;
  config.integrator = Integrator::Euler;
  config.constants["k"] = 0.1;
  config.every = 5;
  config.averaged = true;
  Trace t = simulateOk(sim, {}, c, config, 0);
  ASSERT_EQ(t.numSamples, 2u);
  // y(n) = 0.99^n; window k averages steps 5k+1 .. 5k+5.
  for (size_t k = 0; k < 2; ++k) {
    double sum = 0;
    for (int n = 5 * k + 1; n <= int(5 * k + 5); ++n)
      sum += std::pow(0.99, n);
    EXPECT_NEAR(t.at(k, 0, 0), sum / 5, 1e-15);
  }
}

TEST_F(ReferenceTest, ClippingAtTheLowerBound) {
  ReferenceSimulator sim = simulator(import(kDecay));
  Connectome c = network(1, {0}, {0});
  SimulationConfig config;
  config.dt = 0.1;
  config.steps = 200;
  config.noise = false;
  config.recordStates = true;
  config.constants["k"] = 10.0;
  Trace t = simulateOk(sim, {}, c, config, 0);
  EXPECT_EQ(t.at(200, 0, 0), 0.5);
  for (size_t n = 0; n <= 200; ++n)
    EXPECT_GE(t.at(n, 0, 0), 0.5);
}

TEST_F(ReferenceTest, NoiseFollowsThePhiloxKeys) {
  ReferenceSimulator sim = simulator(import(kDecay));
  Connectome c = network(1, {0}, {0});
  SimulationConfig config;
  config.dt = 0.1;
  config.steps = 20;
  config.seed = 1234;
  config.recordStates = true;
  config.constants["k"] = 0.0;
  for (Integrator integrator : {Integrator::Euler, Integrator::Heun}) {
    config.integrator = integrator;
    // nsig is absent: amplitude 1; dy = 0, so y is a random walk and Heun
    // adds the same draw as Euler.
    Trace t = simulateOk(sim, {}, c, config, 7);
    double y = 1.0;
    for (uint32_t n = 0; n < 20; ++n) {
      y = std::max(0.5, y + ::rateml::runtime::noiseDraw(1234, 7, 0, 0, n));
      EXPECT_EQ(t.at(n + 1, 0, 0), y) << "step " << n;
    }
  }
  config.seed = 1235;
  Trace other = simulateOk(sim, {}, c, config, 7);
  config.seed = 1234;
  EXPECT_NE(other.at(5, 0, 0), simulateOk(sim, {}, c, config, 7).at(5, 0, 0));
}

std::string readModel(const std::string &name) {
  std::ifstream in(std::string(RATEML_MODELS_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The model pipeline must not change what a model computes (beyond
/// rounding: integer powers become products).
TEST_F(ReferenceTest, ModelPipelinePreservesTrajectories) {
  std::string shared =
      std::string(RATEML_SHARED_DIR) + "/data/connectivity_68.zip";
  Connectome c = std::filesystem::exists(shared)
                     ? ::rateml::runtime::loadConnectome(shared)
                     : ::rateml::runtime::makeBuiltinConnectome(68);
  for (const char *name : {"kuramoto.xml", "montbrio.xml", "epileptor.xml",
                           "rwongwang.xml", "oscillator.xml"}) {
    std::string xml = readModel(name);
    ReferenceSimulator plain = simulator(import(xml, "speed"));
    ReferenceSimulator optimized = simulator(import(xml, "full"));
    SimulationConfig config;
    config.dt = 0.1;
    config.steps = 300;
    config.every = 30;
    config.seed = 5;
    config.recordStates = true;
    std::vector<double> params = {3.0, 0.05};
    Trace a = simulateOk(plain, params, c, config, 3);
    Trace b = simulateOk(optimized, params, c, config, 3);
    ASSERT_EQ(a.values.size(), b.values.size()) << name;
    double worst = 0;
    for (size_t k = 0; k < a.values.size(); ++k) {
      ASSERT_TRUE(std::isfinite(a.values[k])) << name;
      double scale = std::max(1.0, std::fabs(a.values[k]));
      worst = std::max(worst, std::fabs(a.values[k] - b.values[k]) / scale);
    }
    double spread = 0;
    for (size_t k = 0; k < a.values.size(); ++k)
      spread =
          std::max(spread, std::fabs(a.values[k] -
                                     a.values[k % (a.numVars * a.numNodes)]));
    EXPECT_GT(spread, 1e-3) << name << ": the trajectory must move";
    EXPECT_LT(worst, 1e-9) << name;
  }
}

} // namespace
