//===- CudaBackend.h - Running batches on an NVIDIA GPU ---------*- C++ -*-===//
//
// The CUDA driver API loaded with dlopen at run time (sweep.bin has no
// link-time CUDA dependency and runs where no driver exists), the PTX the
// compiler embedded, and batches of parameter sets run one set per thread,
// as many per batch as their buffers (CudaBuffers.h) fit in device memory.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_CUDABACKEND_H
#define RATEML_RUNTIME_CUDABACKEND_H

#include "rateml/runtime/Backend.h"
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace rateml::runtime {

class CudaBackend : public Backend {
public:
  /// Loads libcuda, picks device 0 and loads the embedded kernels; returns
  /// null and sets `why` when no GPU can run this sweep.bin, and
  /// `failedOnDevice` when there is a GPU but a driver call on it failed
  /// (e.g. a driver too old for the PTX).
  static std::unique_ptr<CudaBackend>
  open(const SweepInputs &inputs, std::string &why, bool &failedOnDevice);
  /// The GPU kernels this sweep.bin carries, for --help.
  static std::string embeddedKernels();
  ~CudaBackend() override;

  std::string name() const override { return "gpu: " + deviceName; }
  /// Without --batch, also no more sets than fit in 80% of the device
  /// memory free now.
  size_t batchSets(const BatchPlan &plan, size_t numSets) override;
  void runBatch(const std::vector<size_t> &sets,
                const std::vector<std::vector<double>> &slots, BatchOutput &out,
                SweepControl &control) override;
  /// The seconds spent in the batches' time loops.
  void recordStatistics(SweepResult &result) const override;

  struct Driver;

private:
  explicit CudaBackend(const SweepInputs &inputs);
  /// Takes the primary context of this rank's GPU (its local rank modulo
  /// the devices) and loads the kernels; throws Error.
  void load();
  /// Runs the batch's sets `order` (indices into `slots`, of one subject)
  /// in that order, one per thread.
  template <typename T>
  void run(const std::vector<size_t> &sets,
           const std::vector<std::vector<double>> &slots,
           const std::vector<size_t> &order, BatchOutput &out,
           SweepControl &control);

  const SweepInputs &inputs;
  std::unique_ptr<Driver> driver;
  int device = 0;
  void *context = nullptr, *module = nullptr, *stepKernel = nullptr,
       *exposuresKernel = nullptr;
  std::string deviceName;
  double loopTime = 0;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_CUDABACKEND_H
