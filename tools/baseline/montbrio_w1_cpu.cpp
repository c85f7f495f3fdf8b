//===- montbrio_w1_cpu.cpp - Hand-written CPU kernel for workload W1 ------===//
//
// The loop a user would write by hand instead of using rateml, for
// tools/benchmark-cpu.py to run side by side with sweep.bin: Montbrio-Pazo-
// Roxin coupled through r (W1 of ../shared/docs/performance.md), Heun, no
// noise, 16 parameter sets per tile in plain loops that the compiler
// vectorises (-O3 -march=native, 512-bit vectors), a [H][N][16] float32
// history ring and one delay per edge. With --block B (2, 4, 8 or 16, at
// most the shortest delay) it sums the coupling of B steps per pass over
// the edges, as sweep.bin's blocked kernels do: every row those steps read
// is older than the block, so the B sums come first, then B steps of the
// integrator. Connectome, delays and initial states come from the rateml
// runtime so the numbers can be compared with sweep.bin's (the benchmark
// does). One thread; sets are global_coupling = 0 .. hi.
//
// usage: rateml-baseline-cpu --connectivity PATH|builtin:N [--sets 256]
//          [--steps 4000] [--dt 0.1] [--speed 3] [--coupling-hi 0.5] [--seed 0]
//          [--block 1]
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Connectome.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Philox.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace rateml::runtime;

namespace {

constexpr size_t W = 16;
// models/montbrio.xml's constants.
constexpr float kTau = 1.0f, kDelta = 1.0f, kJ = 15.0f, kEta = -5.0f, kI = 0.0f,
                kCr = 1.0f;
constexpr float kPi = 3.14159265358979f;

struct Options {
  std::string connectivity = "builtin:68";
  size_t sets = 256;
  uint64_t steps = 4000, seed = 0;
  double dt = 0.1, speed = 3.0, couplingHi = 0.5;
  unsigned block = 1;
};

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc)
      throw Error("missing value after " + arg);
    const char *v = argv[++i];
    if (arg == "--connectivity")
      o.connectivity = v;
    else if (arg == "--sets")
      o.sets = std::strtoull(v, nullptr, 10);
    else if (arg == "--steps")
      o.steps = std::strtoull(v, nullptr, 10);
    else if (arg == "--seed")
      o.seed = std::strtoull(v, nullptr, 10);
    else if (arg == "--dt")
      o.dt = std::atof(v);
    else if (arg == "--speed")
      o.speed = std::atof(v);
    else if (arg == "--coupling-hi")
      o.couplingHi = std::atof(v);
    else if (arg == "--block")
      o.block = unsigned(std::strtoul(v, nullptr, 10));
    else
      throw Error("unknown option " + arg);
  }
  if (o.sets == 0 || o.sets % W != 0)
    throw Error("--sets must be a positive multiple of 16");
  if (o.block != 1 && o.block != 2 && o.block != 4 && o.block != 8 &&
      o.block != 16)
    throw Error("--block must be 1, 2, 4, 8 or 16");
  return o;
}

inline void derivatives(const float *r, const float *V, const float *c,
                        float *dr, float *dV) {
#pragma GCC ivdep
  for (size_t l = 0; l < W; ++l) {
    dr[l] = (kDelta / (kPi * kTau) + 2.0f * V[l] * r[l]) / kTau;
    dV[l] = (V[l] * V[l] - kPi * kPi * kTau * kTau * r[l] * r[l] + kEta +
             kJ * kTau * r[l] + kI + kCr * c[l]) /
            kTau;
  }
}

/// One tile of W sets: `steps` Heun steps, the coupling summed B steps per
/// pass over the edges (B <= the shortest delay); returns the seconds of
/// the time loop and leaves the final r in `r`.
template <size_t B>
double runTile(const EdgeList &edges, const std::vector<int32_t> &delays,
               int32_t H, const std::vector<float> &weight, const float *G,
               float dt, uint64_t steps, std::vector<float> &r,
               std::vector<float> &V) {
  const size_t N = edges.numNodes;
  std::vector<float> c(B * N * W), history(size_t(H) * N * W);
  for (int32_t row = 0; row < H; ++row)
    std::memcpy(&history[size_t(row) * N * W], r.data(), N * W * 4);
  auto start = std::chrono::steady_clock::now();
  for (uint64_t n0 = 0; n0 < steps; n0 += B) {
    const size_t nb = size_t(std::min<uint64_t>(B, steps - n0));
    const int32_t now = int32_t(n0 % uint64_t(H));
    for (size_t i = 0; i < N; ++i) {
      alignas(64) float acc[B][W] = {};
      for (uint32_t e = edges.rowStart[i]; e < edges.rowStart[i + 1]; ++e) {
        int32_t row = now - delays[e];
        row += row < 0 ? H : 0;
        const float w = weight[e];
        for (size_t b = 0; b < B; ++b) {
          // Step n0 + b reads row n0 + b - delay, older than the block.
          int32_t rb = row + int32_t(b);
          rb -= rb >= H ? H : 0;
          const float *x = &history[(size_t(rb) * N + edges.source[e]) * W];
#pragma GCC ivdep
          for (size_t l = 0; l < W; ++l)
            acc[b][l] += w * x[l];
        }
      }
      for (size_t b = 0; b < B; ++b)
        for (size_t l = 0; l < W; ++l)
          c[(b * N + i) * W + l] = G[l] * acc[b][l];
    }
    for (size_t b = 0; b < nb; ++b) {
      float *next = &history[size_t((n0 + b + 1) % uint64_t(H)) * N * W];
      for (size_t i = 0; i < N; ++i) {
        float *ri = &r[i * W], *Vi = &V[i * W];
        const float *ci = &c[(b * N + i) * W];
        alignas(64) float dr1[W], dV1[W], rp[W], Vp[W], dr2[W], dV2[W];
        derivatives(ri, Vi, ci, dr1, dV1);
        for (size_t l = 0; l < W; ++l) {
          rp[l] = std::max(ri[l] + dt * dr1[l], 0.0f);
          Vp[l] = Vi[l] + dt * dV1[l];
        }
        derivatives(rp, Vp, ci, dr2, dV2);
        for (size_t l = 0; l < W; ++l) {
          ri[l] = std::max(ri[l] + 0.5f * dt * (dr1[l] + dr2[l]), 0.0f);
          Vi[l] = Vi[l] + 0.5f * dt * (dV1[l] + dV2[l]);
          next[i * W + l] = ri[l];
        }
      }
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

int main(int argc, char **argv) try {
  const Options o = parse(argc, argv);
  const Connectome connectome = loadConnectome(o.connectivity);
  const EdgeList edges = makeEdgeList(connectome);
  const size_t N = edges.numNodes, K = edges.numEdges();
  const std::vector<int32_t> delays = computeDelays(edges, o.speed, o.dt);
  const int32_t H = *std::max_element(delays.begin(), delays.end()) + 1;
  const int32_t shortest = *std::min_element(delays.begin(), delays.end());
  if (int32_t(o.block) > std::max(shortest, 1))
    throw Error("--block " + std::to_string(o.block) +
                " exceeds the shortest delay, " + std::to_string(shortest) +
                " steps");
  std::vector<float> weight(edges.weight.begin(), edges.weight.end());
  const float dt = float(o.dt);
  auto run = o.block == 16  ? runTile<16>
             : o.block == 8 ? runTile<8>
             : o.block == 4 ? runTile<4>
             : o.block == 2 ? runTile<2>
                            : runTile<1>;

  std::vector<double> meanR(o.sets);
  double seconds = 0;
  for (size_t tile = 0; tile < o.sets / W; ++tile) {
    alignas(64) float G[W];
    for (size_t l = 0; l < W; ++l)
      G[l] = float(o.couplingHi * double(tile * W + l) / double(o.sets - 1));
    std::vector<float> r(N * W), V(N * W);
    for (size_t i = 0; i < N; ++i)
      for (size_t l = 0; l < W; ++l) {
        uint32_t set = uint32_t(tile * W + l);
        r[i * W + l] = float(2.0 * initialDraw(o.seed, set, uint32_t(i), 0));
        V[i * W + l] =
            float(-2.0 + 3.5 * initialDraw(o.seed, set, uint32_t(i), 1));
      }
    seconds += run(edges, delays, H, weight, G, dt, o.steps, r, V);
    for (size_t l = 0; l < W; ++l) {
      double sum = 0;
      for (size_t i = 0; i < N; ++i)
        sum += r[i * W + l];
      meanR[tile * W + l] = sum / double(N);
    }
  }
  std::printf("hand-written W1: %zu sets x %llu steps, %zu nodes, %zu edges, "
              "H = %d, block %u\n",
              o.sets, (unsigned long long)o.steps, N, K, H, o.block);
  std::printf("%.3f s, %.3g parameter-set steps/s\n", seconds,
              double(o.sets) * double(o.steps) / seconds);
  std::printf("mean r per set:");
  for (double m : meanR)
    std::printf(" %.9g", m);
  std::printf("\n");
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "rateml-baseline-cpu: error: %s\n", e.what());
  return 2;
}
