//===- NormalTransformTest.cpp - The noise's uniform-to-normal transform --===//
//
// NormalTransform.h in float64 and float32 against Box-Muller with
// std::log, std::cos and std::sqrt in long double, over 2^20 Philox outputs
// and the words where the reductions change branch: the error bounds
// docs/simulation.md states. Then the moments of the draws.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/NormalTransform.h"
#include "rateml/runtime/Philox.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace rateml::runtime;

namespace {

constexpr long double kPi = 3.141592653589793238462643383279502884L;

/// |x - exact| in units of the last place of `exact` in precision T.
template <typename T> double ulpError(T x, long double exact) {
  int digits = std::numeric_limits<T>::digits;
  return double(std::fabs((x - exact) /
                          std::ldexp(1.0L, std::ilogb(exact) - digits + 1)));
}

long double exactLog(uint32_t w) {
  return std::log((w + 0.5L) / 4294967296.0L);
}

/// cos and sin of 2 pi (w + 1/2) / 2^32 with the quarter turns taken off
/// exactly, so the reference keeps its relative accuracy near the zeros.
std::array<long double, 2> exactCosSin(uint32_t w) {
  int64_t twice = 2 * int64_t(w) + 1; // 2^33 u
  int64_t quarter = (twice + (int64_t(1) << 30)) >> 31;
  long double x = (kPi / 2) * (twice - (quarter << 31)) / 2147483648.0L;
  long double c = std::cos(x), s = std::sin(x);
  switch (quarter & 3) {
  case 0:
    return {c, s};
  case 1:
    return {-s, c};
  case 2:
    return {-c, -s};
  default:
    return {s, -c};
  }
}

/// Philox outputs, and the words next to where u reaches sqrt(1/2), 1/2 and
/// 1 (the logarithm's reduction) and the eighth turns (the cosine's).
std::vector<uint32_t> testWords() {
  std::vector<uint32_t> words;
  for (uint32_t k = 0; k < (1u << 19); ++k) {
    PhiloxCounter r = philox4x32_10({k, 0, 0, 0}, {2024, 12});
    words.insert(words.end(), {r[0], r[1]});
  }
  for (uint32_t edge : {0u, 0x80000000u, 3037000500u}) {
    for (uint32_t d = 0; d < 256; ++d)
      words.insert(words.end(), {edge + d, edge - 1 - d});
  }
  for (uint32_t eighth = 0; eighth < 8; ++eighth) {
    for (uint32_t d = 0; d < 256; ++d) {
      uint32_t edge = eighth << 29;
      words.insert(words.end(), {edge + d, edge - 1 - d});
    }
  }
  return words;
}

struct MaxErrors {
  double log = 0, cos = 0, sin = 0, normal = 0;
};

template <typename T> MaxErrors measure() {
  ScalarOps<T> ops;
  std::vector<uint32_t> words = testWords();
  MaxErrors e;
  for (size_t i = 0; i < words.size(); ++i) {
    uint32_t w1 = words[i], w2 = words[(i + 1) % words.size()];
    e.log = std::max(e.log, ulpError(logOfUniform<T>(ops, w1), exactLog(w1)));
    auto [c, s] = cosSinOfUniform<T>(ops, w1);
    auto [exactC, exactS] = exactCosSin(w1);
    e.cos = std::max(e.cos, ulpError(c, exactC));
    e.sin = std::max(e.sin, ulpError(s, exactS));
    long double radius = std::sqrt(-2 * exactLog(w1));
    auto [z1, z2] = standardNormalPair<T>(ops, w1, w2);
    auto [c2, s2] = exactCosSin(w2);
    e.normal = std::max(
        {e.normal, ulpError(z1, radius * c2), ulpError(z2, radius * s2)});
  }
  return e;
}

} // namespace

TEST(NormalTransform, Float64WithinDocumentedUlps) {
  MaxErrors e = measure<double>();
  EXPECT_LE(e.log, 1.0);
  EXPECT_LE(e.cos, 2.0);
  EXPECT_LE(e.sin, 2.0);
  EXPECT_LE(e.normal, 4.0);
}

TEST(NormalTransform, Float32WithinDocumentedUlps) {
  MaxErrors e = measure<float>();
  EXPECT_LE(e.log, 3.0);
  EXPECT_LE(e.cos, 3.0);
  EXPECT_LE(e.sin, 3.0);
  EXPECT_LE(e.normal, 5.0);
}

TEST(NormalTransform, ExtremeWords) {
  ScalarOps<double> d;
  ScalarOps<float> f;
  // u1 = 2^-33 gives the largest radius, sqrt(66 ln 2); u2 = 2^-33, cos ~ 1.
  long double largest = std::sqrt(66 * std::log(2.0L));
  EXPECT_LE(ulpError(standardNormalPair<double>(d, 0, 0)[0], largest), 4.0);
  EXPECT_LE(ulpError(standardNormalPair<float>(f, 0, 0)[0], largest), 5.0);
  // u1 = 1 - 2^-33, the smallest radius: float32 rounds u1 to 1 but keeps
  // 1 - u1 (from the complement word), so it is accurate in both.
  long double smallest = std::sqrt(-2 * std::log1p(-0x1p-33L));
  EXPECT_LE(
      ulpError(standardNormalPair<double>(d, 0xffffffffu, 0)[0], smallest),
      4.0);
  EXPECT_LE(ulpError(standardNormalPair<float>(f, 0xffffffffu, 0)[0], smallest),
            5.0);
}

TEST(NormalTransform, NoiseDrawIsTheFloat64Transform) {
  // States 2 and 3 of nodes 4 and 5 share the Philox call of state pair 1
  // and node pair 2: node 4 draws from words 0 and 1, node 5 from words 2
  // and 3; cosine, then sine.
  PhiloxCounter r = philox4x32_10({7, 2, 1, 1}, {42, 0});
  ScalarOps<double> ops;
  auto even = standardNormalPair<double>(ops, r[0], r[1]);
  auto odd = standardNormalPair<double>(ops, r[2], r[3]);
  EXPECT_EQ(noiseDraw(42, 1, 4, 2, 7), even[0]);
  EXPECT_EQ(noiseDraw(42, 1, 4, 3, 7), even[1]);
  EXPECT_EQ(noiseDraw(42, 1, 5, 2, 7), odd[0]);
  EXPECT_EQ(noiseDraw(42, 1, 5, 3, 7), odd[1]);
  EXPECT_NE(noiseDraw(42, 1, 4, 4, 7), even[0]);
  EXPECT_NE(noiseDraw(42, 1, 6, 2, 7), even[0]);
}

template <typename T> void expectStandardNormal() {
  // 10^6 pairs: for each of the two draws, mean and variance within 5
  // standard errors of 0 and 1 and the share beyond 3 within 5 standard
  // errors of 0.0027; the two uncorrelated (within 5 standard errors).
  constexpr uint32_t n = 1000000;
  ScalarOps<T> ops;
  double sum[2] = {0, 0}, sumSq[2] = {0, 0}, product = 0;
  int beyond3[2] = {0, 0};
  for (uint32_t k = 0; k < n; ++k) {
    PhiloxCounter r = philox4x32_10({k, 7, 0, 1}, {99, 0});
    auto pair = standardNormalPair<T>(ops, r[0], r[1]);
    for (int c = 0; c < 2; ++c) {
      double z = pair[c];
      sum[c] += z;
      sumSq[c] += z * z;
      beyond3[c] += std::fabs(z) > 3.0;
    }
    product += double(pair[0]) * double(pair[1]);
  }
  for (int c = 0; c < 2; ++c) {
    double mean = sum[c] / n, var = sumSq[c] / n - mean * mean;
    EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));
    EXPECT_NEAR(var, 1.0, 5.0 * std::sqrt(2.0 / n));
    EXPECT_NEAR(beyond3[c] / double(n), 0.0027, 5.0 * std::sqrt(0.0027 / n));
  }
  EXPECT_NEAR(product / n, 0.0, 5.0 / std::sqrt(n));
}

TEST(NormalTransform, Float64DrawsAreStandardNormal) {
  expectStandardNormal<double>();
}

TEST(NormalTransform, Float32DrawsAreStandardNormal) {
  expectStandardNormal<float>();
}
