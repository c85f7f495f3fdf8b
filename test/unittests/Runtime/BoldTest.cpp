//===- BoldTest.cpp - Balloon-Windkessel against closed-form answers ------===//
//
// The steady state under a constant input solves the equations with all
// derivatives zero, which the test derives by hand:
//   s = 0,  f = 1 + tau_f x,  v = f^alpha,
//   q = v f (1 - (1 - E0)^(1/f)) / (E0 f) ... = v (1 - (1 - E0)^(1/f)) / E0.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Bold.h"
#include "ErrorOf.h"
#include <cmath>
#include <gtest/gtest.h>
#include <utility>

using namespace rateml::runtime;

namespace {

/// The BOLD equation written out with TVB's constants.
double bold(double q, double v) {
  double E0 = 0.4, TE = 0.04, k1 = 4.3 * 40.3 * E0 * TE,
         k2 = 0.5 * 25.0 * E0 * TE, k3 = 0.5;
  return 4.0 * (k1 * (1 - q) + k2 * (1 - q / v) + k3 * (1 - v));
}

TEST(Bold, RestIsAFixedPointWithZeroSignal) {
  BalloonWindkessel bw;
  BalloonWindkessel::State y;
  for (int k = 0; k < 1000; ++k)
    bw.step(y, 0.0, 1e-3);
  EXPECT_DOUBLE_EQ(y.s, 0.0);
  EXPECT_DOUBLE_EQ(y.f, 1.0);
  EXPECT_DOUBLE_EQ(y.v, 1.0);
  EXPECT_DOUBLE_EQ(y.q, 1.0);
  EXPECT_DOUBLE_EQ(bw.signal(y), 0.0);
}

TEST(Bold, ConstantInputReachesTheSteadyState) {
  BalloonWindkessel bw;
  const double x = 0.5;
  BalloonWindkessel::State y;
  // 120 s of 1 ms steps: the flow oscillation decays at 1 / (2 tau_s) =
  // 0.32 /s, so by e^-39.
  for (int k = 0; k < 120000; ++k)
    bw.step(y, x, 1e-3);
  double f = 1 + 1.44 * x, v = std::pow(f, 0.32),
         q = v * (1 - std::pow(1 - 0.4, 1 / f)) / 0.4;
  EXPECT_NEAR(y.s, 0.0, 1e-9);
  EXPECT_NEAR(y.f, f, 1e-9);
  EXPECT_NEAR(y.v, v, 1e-9);
  EXPECT_NEAR(y.q, q, 1e-9);
  EXPECT_NEAR(bw.signal(y), bold(q, v), 1e-9);
  // More activity means more flow and a positive BOLD response.
  EXPECT_GT(bw.signal(y), 0.0);
}

TEST(Bold, OneEulerStepByHand) {
  BalloonWindkessel bw;
  BalloonWindkessel::State y{0.1, 1.2, 1.05, 0.9};
  const double h = 0.01, x = 2.0;
  BalloonWindkessel::State expected;
  expected.s = 0.1 + h * (x - 0.1 / 1.54 - 0.2 / 1.44);
  expected.f = 1.2 + h * 0.1;
  double out = std::pow(1.05, 1 / 0.32);
  expected.v = 1.05 + h * (1.2 - out) / 0.98;
  expected.q =
      0.9 +
      h * (1.2 * (1 - std::pow(0.6, 1 / 1.2)) / 0.4 - out * 0.9 / 1.05) / 0.98;
  bw.step(y, x, h);
  EXPECT_NEAR(y.s, expected.s, 1e-15);
  EXPECT_NEAR(y.f, expected.f, 1e-15);
  EXPECT_NEAR(y.v, expected.v, 1e-15);
  EXPECT_NEAR(y.q, expected.q, 1e-15);
}

// TVB's BalloonModel defaults (tvb/analyzers/fmri_balloon.py), written here
// rather than read from the runtime.
TEST(Bold, DefaultsAreTvbBalloonModel) {
  BalloonWindkessel bw;
  const std::pair<const char *, double> tvb[] = {
      {"tau_s", 1.54}, {"tau_f", 1.44}, {"tau_o", 0.98}, {"alpha", 0.32},
      {"E0", 0.4},     {"V0", 4.0},     {"TE", 0.04},    {"epsilon", 0.5},
      {"nu_0", 40.3},  {"r_0", 25.0}};
  for (const auto &[name, value] : tvb)
    EXPECT_EQ(bw.get(name), value) << name;
}

TEST(Bold, ConstantsByName) {
  BalloonWindkessel bw;
  bw.set("tau_s", 0.8);
  EXPECT_DOUBLE_EQ(bw.get("tau_s"), 0.8);
  EXPECT_EQ(BalloonWindkessel::names().size(), 10u);
  EXPECT_EQ(errorOf([&] { bw.set("tau", 1); }),
            "--bold-set: unknown Balloon-Windkessel constant 'tau' (known: "
            "tau_s, tau_f, tau_o, alpha, E0, V0, TE, epsilon, nu_0, r_0)");
  bw.set("E0", 1.0);
  EXPECT_EQ(errorOf([&] { bw.check(); }),
            "--bold-set: E0 (oxygen extraction fraction) must be < 1");
  bw.set("E0", 0.4);
  bw.set("alpha", -1);
  EXPECT_EQ(errorOf([&] { bw.check(); }), "--bold-set: alpha must be positive");
}

} // namespace
