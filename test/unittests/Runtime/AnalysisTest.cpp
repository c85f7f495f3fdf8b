//===- AnalysisTest.cpp - FC, FCD and fit metrics on known answers --------===//
//
// Every expected value here is computed independently in the test (plain
// float64 formulas) or known in closed form.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Analysis.h"
#include "ErrorOf.h"
#include <cmath>
#include <fstream>
#include <gtest/gtest.h>

using namespace rateml::runtime;

namespace {

/// [sample][node] series of `nodes` nodes built by f(t, i).
template <typename F>
std::vector<double> series(size_t samples, size_t nodes, F f) {
  std::vector<double> s(samples * nodes);
  for (size_t t = 0; t < samples; ++t)
    for (size_t i = 0; i < nodes; ++i)
      s[t * nodes + i] = f(double(t), i);
  return s;
}

TEST(Analysis, IdenticalNodesHaveFcOne) {
  auto s = series(50, 2, [](double t, size_t) { return std::sin(0.3 * t); });
  std::vector<double> fc = functionalConnectivity(s.data(), 50, 2);
  for (double v : fc)
    EXPECT_NEAR(v, 1.0, 1e-14);
}

TEST(Analysis, AffineCopiesAndMirrorImages) {
  // Node 1 = 3 x node 0 + 2 (FC 1), node 2 = -node 0 (FC -1).
  auto s = series(40, 3, [](double t, size_t i) {
    double x = std::cos(0.2 * t) + 0.01 * t * t;
    return i == 0 ? x : i == 1 ? 3 * x + 2 : -x;
  });
  std::vector<double> fc = functionalConnectivity(s.data(), 40, 3);
  EXPECT_NEAR(fc[0 * 3 + 1], 1.0, 1e-14);
  EXPECT_NEAR(fc[0 * 3 + 2], -1.0, 1e-14);
  EXPECT_NEAR(fc[1 * 3 + 2], -1.0, 1e-14);
}

TEST(Analysis, FcMatchesTextbookPearson) {
  auto s = series(7, 2, [](double t, size_t i) {
    const double a[] = {1, 2, 4, 3, 5, 7, 6}, b[] = {2, 1, 3, 5, 4, 6, 9};
    return i == 0 ? a[size_t(t)] : b[size_t(t)];
  });
  // Means 4 and 30/7; the sums of products computed by hand.
  double ma = 4, mb = 30.0 / 7, sab = 0, saa = 0, sbb = 0;
  for (size_t t = 0; t < 7; ++t) {
    double da = s[t * 2] - ma, db = s[t * 2 + 1] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  std::vector<double> fc = functionalConnectivity(s.data(), 7, 2);
  EXPECT_NEAR(fc[1], sab / std::sqrt(saa * sbb), 1e-14);
  EXPECT_DOUBLE_EQ(fc[1], fc[2]);
}

TEST(Analysis, ConstantNodeGivesNaN) {
  auto s = series(10, 2, [](double t, size_t i) { return i ? 5.0 : t; });
  std::vector<double> fc = functionalConnectivity(s.data(), 10, 2);
  EXPECT_DOUBLE_EQ(fc[0], 1.0);
  EXPECT_TRUE(std::isnan(fc[1]));
  EXPECT_TRUE(std::isnan(fc[3]));
}

TEST(Analysis, UpperTriangleRowByRow) {
  std::vector<double> m = {0, 1, 2, 9, 0, 3, 9, 9, 0};
  EXPECT_EQ(upperTriangle(m, 3), (std::vector<double>{1, 2, 3}));
  EXPECT_TRUE(upperTriangle({7}, 1).empty());
}

TEST(Analysis, FcdOfKnownWindows) {
  // Three nodes; the first half correlates 0 with 1, the second 0 with 2.
  auto s = series(40, 3, [](double t, size_t i) {
    double x = std::sin(0.7 * t), y = std::cos(1.3 * t);
    bool first = t < 20;
    if (i == 0)
      return x;
    if (i == 1)
      return first ? x : y;
    return first ? y : x;
  });
  size_t windows = 0;
  std::vector<double> fcd = fcdMatrix(s.data(), 40, 3, 20, 20, windows);
  ASSERT_EQ(windows, 2u);
  // The FC vectors (fc01, fc02, fc12) are (1, r, r) and (r, 1, r) with
  // r = corr(x, y) over a window; their correlation follows by hand.
  std::vector<double> w0 =
      upperTriangle(functionalConnectivity(s.data(), 20, 3), 3);
  std::vector<double> w1 =
      upperTriangle(functionalConnectivity(s.data() + 60, 20, 3), 3);
  EXPECT_NEAR(w0[0], 1.0, 1e-14);
  EXPECT_NEAR(w1[1], 1.0, 1e-14);
  EXPECT_NEAR(fcd[1], pearson(w0.data(), w1.data(), 3), 1e-14);
  EXPECT_DOUBLE_EQ(fcd[0], 1.0);
  EXPECT_DOUBLE_EQ(fcd[3], 1.0);
  EXPECT_EQ(numFcdWindows(40, 20, 20), 2u);
  EXPECT_EQ(numFcdWindows(40, 10, 3), 11u);
  EXPECT_EQ(numFcdWindows(5, 10, 3), 0u);
}

TEST(Analysis, FcdVarianceOfASlowlyChangingNetwork) {
  // A drifting mixture makes every window's FC different; the result must
  // be the variance of the FCD entries above the diagonal.
  auto s = series(120, 4, [](double t, size_t i) {
    double w = t / 120.0;
    return std::sin(0.5 * t + double(i)) * (1 - w) +
           std::cos(0.9 * t * double(i + 1)) * w;
  });
  AnalysisConfig config;
  config.fcdWindow = 30;
  config.fcdStep = 10;
  SetAnalysis r = analyseSet(config, 0, s.data(), 120, 4);
  size_t windows = 0;
  std::vector<double> fcd = fcdMatrix(s.data(), 120, 4, 30, 10, windows);
  ASSERT_EQ(windows, 10u);
  double mean = 0, n = 0;
  for (size_t a = 0; a < windows; ++a)
    for (size_t b = a + 1; b < windows; ++b, ++n)
      mean += fcd[a * windows + b];
  mean /= n;
  double var = 0;
  for (size_t a = 0; a < windows; ++a)
    for (size_t b = a + 1; b < windows; ++b)
      var += (fcd[a * windows + b] - mean) * (fcd[a * windows + b] - mean);
  EXPECT_NEAR(r.fcdVar, var / n, 1e-14);
  EXPECT_GT(r.fcdVar, 1e-4);
  EXPECT_TRUE(std::isnan(r.fcCorr));
}

TEST(Analysis, TransientIsLeftOut) {
  // A spike in the first 5 samples would ruin FC = 1 if it were used.
  auto s = series(30, 2, [](double t, size_t i) {
    return t < 5 && i == 1 ? 100.0 * t : std::sin(t);
  });
  AnalysisConfig config;
  config.firstSample = 5;
  SetAnalysis r = analyseSet(config, 0, s.data(), 30, 2);
  EXPECT_NEAR(r.fc[1], 1.0, 1e-14);
  config.firstSample = 0;
  EXPECT_LT(analyseSet(config, 0, s.data(), 30, 2).fc[1], 0.9);
}

TEST(Analysis, FitToTargetFc) {
  auto s = series(60, 3, [](double t, size_t i) {
    return std::sin(0.4 * t) + 0.5 * double(i) * std::cos(0.9 * t);
  });
  AnalysisConfig config;
  SetAnalysis self = analyseSet(config, 0, s.data(), 60, 3);
  config.targetFcUpper = {upperTriangle(self.fc, 3)};
  EXPECT_NEAR(analyseSet(config, 0, s.data(), 60, 3).fcCorr, 1.0, 1e-14);
  // Reversing the target's order of pairs gives a known correlation.
  std::vector<double> u = config.targetFcUpper[0];
  config.targetFcUpper = {{u[2], u[1], u[0]}};
  EXPECT_NEAR(analyseSet(config, 0, s.data(), 60, 3).fcCorr,
              pearson(u.data(), config.targetFcUpper[0].data(), 3), 1e-14);
}

TEST(Analysis, KolmogorovSmirnovDistance) {
  EXPECT_DOUBLE_EQ(ksDistance({1, 2, 3}, {1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(ksDistance({1, 2, 3}, {4, 5}), 1.0);
  // a = {1, 2}, b = {1.5, 3, 4, 5}; the largest gap is 3/4 at x = 2:
  //   x:   1    1.5   2     3     4     5
  //   F_a: .5   .5    1     1     1     1
  //   F_b: 0    .25   .25   .5    .75   1
  EXPECT_DOUBLE_EQ(ksDistance({2, 1}, {5, 1.5, 4, 3}), 0.75);
  // Ties across the samples step both functions together.
  EXPECT_DOUBLE_EQ(ksDistance({1, 1, 2}, {1, 2, 2}), 1.0 / 3.0);
  EXPECT_TRUE(std::isnan(ksDistance({}, {1})));
}

TEST(Analysis, VarianceIsPopulationVariance) {
  EXPECT_DOUBLE_EQ(variance({1, 2, 3, 4}), 1.25);
  EXPECT_TRUE(std::isnan(variance({})));
  EXPECT_TRUE(std::isnan(variance({1, NAN})));
}

TEST(Analysis, TargetFiles) {
  std::string dir = ::testing::TempDir();
  std::string fcText = dir + "/fc.txt", bad = dir + "/bad.txt";
  std::ofstream(fcText) << "1 0.5 0.25\n0.5 1 0.125\n0.25 0.125 1\n";
  EXPECT_EQ(readTargetFc(fcText, 3), (std::vector<double>{0.5, 0.25, 0.125}));
  EXPECT_EQ(errorOf([&] { readTargetFc(fcText, 4); }),
            "--target-fc: '" + fcText +
                "' is 3 x 3 but the connectome has 4 nodes");
  std::ofstream(bad) << "1 2\n3\n";
  EXPECT_EQ(errorOf([&] { readTargetFc(bad, 2); }),
            "--target-fc '" + bad + "':2: 1 values, expected 2");
  EXPECT_EQ(errorOf([&] { readTargetFcd(dir + "/missing.txt"); }),
            "--target-fcd: cannot read '" + dir + "/missing.txt'");
  EXPECT_EQ(readTargetFcd(fcText), (std::vector<double>{0.5, 0.25, 0.125}));
}

} // namespace
