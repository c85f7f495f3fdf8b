// rateml_design.cu - A baseline that re-creates RateML's generated CUDA design
// (van der Vlag et al. 2022, as the paper describes it), written from that
// description for side-by-side measurements in tools/gpu-check.sh:
//
//  - one thread per parameter set (the thread index includes blockIdx: the
//    defect of RateML's template that repeats sets is fixed);
//  - every state variable kept in a power-of-two history (nh >= max delay + 1);
//  - per edge and per step, the delay computed from the tract length and the
//    history index taken modulo nh; all N x N pairs visited, zero weights
//    skipped;
//  - one kernel launch per simulated millisecond, writing that millisecond's
//    average of the first exposure.
//
// usage: rateml_design W1|W2|W3 SETS STEPS [weights.txt tract_lengths.txt]
// Prints one line: model, sets, steps, seconds (of the time loops), PSS/s,
// bytes of history per set, the largest number of sets whose history fits
// in 90 % of the free memory, and the batches run (more than one when SETS
// is larger than that).
// Deterministic Euler, float32, dt = 0.1 ms, speed 3 mm/ms, as W1-W3.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#define CHECK(call)                                                            \
  do {                                                                         \
    cudaError_t err = (call);                                                  \
    if (err != cudaSuccess) {                                                  \
      std::fprintf(stderr, "%s failed: %s\n", #call, cudaGetErrorString(err)); \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

constexpr float kDt = 0.1f, kSpeed = 3.0f;

// Per-model state count, coupled state and derivatives (TVB's equations, as
// models/*.xml; coupling linear for W1, sin-difference for W2, difference for
// W3 on x1).
struct Montbrio { // W1: r coupled
  static constexpr int S = 2, coupled = 0;
  __device__ static float pre(float xj, float xi) { return xj; }
  __device__ static void dfun(const float *x, float c, float g, float *f) {
    const float tau = 1, I = 0, Delta = 1, J = 15, eta = -5, pi = 3.14159265f;
    float r = x[0], V = x[1];
    f[0] = (Delta / (pi * tau) + 2 * V * r) / tau;
    f[1] =
        (V * V - pi * pi * tau * tau * r * r + eta + J * tau * r + I + g * c) /
        tau;
  }
};
struct Kuramoto { // W2
  static constexpr int S = 1, coupled = 0;
  __device__ static float pre(float xj, float xi) { return sinf(xj - xi); }
  __device__ static void dfun(const float *x, float c, float g, float *f) {
    f[0] = 1.0f + g * c;
  }
};
struct Epileptor { // W3: difference coupling on x1
  static constexpr int S = 6, coupled = 0;
  __device__ static float pre(float xj, float xi) { return xj - xi; }
  __device__ static void dfun(const float *x, float c, float g, float *f) {
    const float a = 1, b = 3, cc = 1, d = 5, r = 0.00035f, x0 = -1.6f,
                Iext = 3.1f, slope = 0, Iext2 = 0.45f, tau = 10, aa = 6, bb = 2,
                Ks = 0; // models/epileptor.xml defaults
    float x1 = x[0], y1 = x[1], z = x[2], x2 = x[3], y2 = x[4], gg = x[5];
    float f1 =
        x1 < 0 ? -a * x1 * x1 + b * x1 : slope - x2 + 0.6f * (z - 4) * (z - 4);
    float f2 = z < 0 ? -0.1f * powf(z, 7) : 0;
    float h = 4 * (x1 - x0) + f2;
    float f4 = x2 < -0.25f ? 0 : aa * (x2 + 0.25f);
    f[0] = y1 - z + Iext + f1 * x1;
    f[1] = cc - d * x1 * x1 - y1;
    f[2] = r * (h - z + Ks * g * c);
    f[3] = -y2 + x2 - x2 * x2 * x2 + Iext2 + bb * gg - 0.3f * (z - 3.5f);
    f[4] = (-y2 + f4) / tau;
    f[5] = -0.01f * (gg - 0.1f * x1);
  }
};

// history[((t % nh) * S + s) * N + i) * sets + set]
template <typename M>
__global__ void step_ms(int t0, int steps, int N, int nh, int sets,
                        const float *weights, const float *lengths,
                        const float *coupling_g, float *history, float *tavg) {
  int set = blockIdx.x * blockDim.x + threadIdx.x;
  if (set >= sets)
    return;
  float g = coupling_g[set];
  float rec_speed_dt = 1.0f / kSpeed / kDt;
  auto H = [&](int t, int s, int i) -> float & {
    return history[((size_t((t % nh + nh) % nh) * M::S + s) * N + i) * sets +
                   set];
  };
  for (int i = 0; i < N; ++i)
    tavg[size_t(i) * sets + set] = 0;
  for (int t = t0; t < t0 + steps; ++t) {
    for (int i = 0; i < N; ++i) {
      float xi = H(t, M::coupled, i), c = 0;
      for (int j = 0; j < N; ++j) {
        float w = weights[i * N + j];
        if (w == 0.0f)
          continue;
        int dij = int(lengths[i * N + j] * rec_speed_dt);
        c += w * M::pre(H(t - dij, M::coupled, j), xi);
      }
      float x[M::S], f[M::S];
      for (int s = 0; s < M::S; ++s)
        x[s] = H(t, s, i);
      M::dfun(x, c, g, f);
      for (int s = 0; s < M::S; ++s)
        H(t + 1, s, i) = x[s] + kDt * f[s];
      tavg[size_t(i) * sets + set] += H(t + 1, 0, i) / steps;
    }
  }
}

static std::vector<float> readMatrix(const char *path, int &n) {
  std::ifstream in(path);
  std::vector<float> values;
  std::string line;
  n = 0;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    float v;
    int count = 0;
    while (row >> v) {
      values.push_back(v);
      ++count;
    }
    n += count > 0;
  }
  return values;
}

template <typename M>
int run(const char *name, int sets, int steps, int argc, char **argv) {
  int N = 68;
  std::vector<float> w, len;
  if (argc > 5) {
    w = readMatrix(argv[4], N);
    len = readMatrix(argv[5], N);
  } else { // a synthetic connectome: 27 % of pairs, lengths up to 250 mm
    w.assign(N * N, 0);
    len.assign(N * N, 0);
    srand(1);
    for (int k = 0; k < N * N; ++k)
      if (rand() % 100 < 27) {
        w[k] = 0.1f * rand() / RAND_MAX;
        len[k] = 250.0f * rand() / RAND_MAX;
      }
  }
  int maxDelay = 0;
  for (float l : len)
    maxDelay = std::max(maxDelay, int(l / kSpeed / kDt));
  int nh = 1;
  while (nh < maxDelay + 1)
    nh *= 2;
  size_t perSet = size_t(nh) * M::S * N * sizeof(float);
  size_t freeBytes = 0, total = 0;
  CHECK(cudaMemGetInfo(&freeBytes, &total));
  // RateML's design holds every set of a run in memory; a sweep larger than
  // that runs as consecutive runs (batches) of as many sets as fit.
  const size_t fits = freeBytes / 10 * 9 / perSet;
  if (fits == 0) {
    std::fprintf(stderr, "one set's history (%zu bytes) does not fit\n",
                 perSet);
    return 1;
  }
  const int batch = int(std::min<size_t>(sets, fits));

  float *dW, *dL, *dG, *dH, *dT;
  CHECK(cudaMalloc(&dW, w.size() * sizeof(float)));
  CHECK(cudaMalloc(&dL, len.size() * sizeof(float)));
  CHECK(cudaMalloc(&dG, batch * sizeof(float)));
  CHECK(cudaMalloc(&dH, perSet * batch));
  CHECK(cudaMalloc(&dT, size_t(N) * batch * sizeof(float)));
  CHECK(cudaMemcpy(dW, w.data(), w.size() * sizeof(float),
                   cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dL, len.data(), len.size() * sizeof(float),
                   cudaMemcpyHostToDevice));
  std::vector<float> host(size_t(N) * batch);

  int perLaunch = int(std::lround(1.0f / kDt)); // one launch per ms
  double seconds = 0;                           // in the time loops only
  for (int first = 0; first < sets; first += batch) {
    const int count = std::min(batch, sets - first);
    std::vector<float> g(count);
    for (int k = 0; k < count; ++k)
      g[k] = float(first + k) / sets;
    CHECK(cudaMemcpy(dG, g.data(), count * sizeof(float),
                     cudaMemcpyHostToDevice));
    CHECK(cudaMemset(dH, 0, perSet * count));
    dim3 block(128), grid((count + 127) / 128);
    CHECK(cudaDeviceSynchronize());
    auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < steps; t += perLaunch) {
      step_ms<M><<<grid, block>>>(t, std::min(perLaunch, steps - t), N, nh,
                                  count, dW, dL, dG, dH, dT);
      CHECK(cudaGetLastError());
      CHECK(cudaMemcpy(host.data(), dT, size_t(N) * count * sizeof(float),
                       cudaMemcpyDeviceToHost));
    }
    CHECK(cudaDeviceSynchronize());
    seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  }
  std::printf(
      "%s sets %d steps %d seconds %.3f PSS/s %.3g history_bytes_per_set "
      "%zu max_sets_in_memory %zu batches %d\n",
      name, sets, steps, seconds, double(sets) * steps / seconds, perSet, fits,
      (sets + batch - 1) / batch);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s W1|W2|W3 SETS STEPS [weights.txt "
                 "tract_lengths.txt]\n",
                 argv[0]);
    return 2;
  }
  std::string model = argv[1];
  int sets = std::atoi(argv[2]), steps = std::atoi(argv[3]);
  if (model == "W1")
    return run<Montbrio>("W1", sets, steps, argc, argv);
  if (model == "W2")
    return run<Kuramoto>("W2", sets, steps, argc, argv);
  if (model == "W3")
    return run<Epileptor>("W3", sets, steps, argc, argv);
  std::fprintf(stderr, "unknown workload %s\n", model.c_str());
  return 2;
}
