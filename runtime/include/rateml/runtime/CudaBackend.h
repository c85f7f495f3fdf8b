//===- CudaBackend.h - Running sweeps on an NVIDIA GPU ----------*- C++ -*-===//
//
// The CUDA driver API loaded with dlopen at run time (sweep.bin has no
// link-time CUDA dependency and runs where no driver exists), the PTX the
// compiler embedded, and batches of parameter sets run one set per thread.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_CUDABACKEND_H
#define RATEML_RUNTIME_CUDABACKEND_H

#include "rateml/runtime/Sweep.h"
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace rateml::runtime {

class CudaDevice {
public:
  /// Loads libcuda, picks device 0 and loads the embedded kernels; returns
  /// null and sets `why` when no GPU can run this sweep.bin, and
  /// `failedOnDevice` when there is a GPU but a driver call on it failed
  /// (e.g. a driver too old for the PTX).
  static std::unique_ptr<CudaDevice> open(std::string &why,
                                          bool &failedOnDevice);
  /// The GPU kernels this sweep.bin carries, for --help.
  static std::string embeddedKernels();
  ~CudaDevice();

  /// Device memory free now, in bytes.
  size_t freeMemory();
  std::string name() const { return deviceName; }
  /// Seconds spent in the batches' time loops so far.
  double loopSeconds() const { return loopTime; }

  /// Runs sets [first, first + count) of a batch, writing their samples and
  /// BOLD into `out` (sets relative to `first`).
  void runBatch(const ModelInfo &info, const EdgeList &edges,
                const SweepOptions &options, const SweepResult &shape,
                size_t first, const std::vector<std::vector<double>> &slots,
                BatchOutput &out,
                std::atomic<uint64_t> &progress);

  struct Driver;

private:
  CudaDevice() = default;
  /// Takes device 0's primary context and loads the kernels; throws Error.
  void load();
  template <typename T>
  void run(const ModelInfo &info, const EdgeList &edges,
           const SweepOptions &options, const SweepResult &shape,
           size_t first, const std::vector<std::vector<double>> &slots,
           BatchOutput &out, std::atomic<uint64_t> &progress);

  std::unique_ptr<Driver> driver;
  int device = 0;
  void *context = nullptr, *module = nullptr, *stepKernel = nullptr,
       *exposuresKernel = nullptr;
  std::string deviceName;
  double loopTime = 0;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_CUDABACKEND_H
