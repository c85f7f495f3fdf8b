//===- Philox.h - Counter-based Gaussian noise ------------------*- C++ -*-===//
//
// Philox4x32-10 (Salmon et al., SC'11) and the noise draw every backend
// uses: one standard normal per (seed, parameter set, node, state, step),
// so results do not depend on threads, tiles or the device.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_PHILOX_H
#define RATEML_RUNTIME_PHILOX_H

#include "rateml/runtime/NormalTransform.h"
#include <array>
#include <cstdint>

namespace rateml::runtime {

using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;

/// Ten Philox rounds of `counter` under `key`.
inline PhiloxCounter philox4x32_10(PhiloxCounter x, PhiloxKey k) {
  constexpr uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += 0x9E3779B9u;
      k[1] += 0xBB67AE85u;
    }
    uint64_t p0 = m0 * x[0], p1 = m1 * x[2];
    x = {static_cast<uint32_t>(p1 >> 32) ^ x[1] ^ k[0],
         static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ x[3] ^ k[1],
         static_cast<uint32_t>(p0)};
  }
  return x;
}

/// A uniform double in (0, 1) from 32 random bits.
inline double uniformOpen(uint32_t bits) {
  return (static_cast<double>(bits) + 0.5) * (1.0 / 4294967296.0);
}

/// The standard normal draw for one state variable of one node of one
/// parameter set at one step. States 2p and 2p + 1 of nodes 2m and 2m + 1
/// share a Philox call: key = seed, counter = (step, m, set, p); Box-Muller
/// (NormalTransform.h, in float64 as the float64 kernels) on words 0 and 1
/// for the even node, on words 2 and 3 for the odd one, gives r cos for
/// the even state and r sin for the odd one.
inline double noiseDraw(uint64_t seed, uint32_t set, uint32_t node,
                        uint32_t state, uint32_t step) {
  PhiloxCounter r = philox4x32_10(
      {step, node / 2, set, state / 2},
      {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  const unsigned first = 2 * (node % 2);
  ScalarOps<double> ops;
  return standardNormalPair<double>(ops, r[first], r[first + 1])[state % 2];
}

/// The uniform draw in (0, 1) that places the initial value of one state
/// variable of one node of one parameter set in its initial range. The key
/// differs from the noise key so the two streams never coincide.
inline double initialDraw(uint64_t seed, uint32_t set, uint32_t node,
                          uint32_t state) {
  PhiloxCounter r = philox4x32_10(
      {node, set, state, 0}, {static_cast<uint32_t>(seed) ^ 0x52415445u,
                              static_cast<uint32_t>(seed >> 32) ^ 0x4d4c4930u});
  return uniformOpen(r[0]);
}

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_PHILOX_H
