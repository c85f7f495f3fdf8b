//===- CpuBackend.h - Running batches on the CPU cores ----------*- C++ -*-===//
//
// A batch's sets are packed up to `lanes` at a time into tiles; worker
// threads take tiles from a shared counter and run each tile's whole
// simulation with the linked step kernel (which also draws the noise,
// docs/simulation.md).
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_CPUBACKEND_H
#define RATEML_RUNTIME_CPUBACKEND_H

#include "rateml/runtime/Backend.h"
#include "rateml/runtime/KernelABI.h"

namespace rateml::runtime {

/// The step and exposure kernels a CPU tile runs, over `lanes` sets.
struct CpuKernels {
  unsigned lanes;
  StepKernel *step;
  ExposuresKernel *exposures;
};

class CpuBackend : public Backend {
public:
  /// Chooses the tiles' lanes (--lanes, or the wide or narrow kernels,
  /// chooseCpuLanes); throws Error for lanes no kernel was compiled for.
  CpuBackend(const SweepInputs &inputs, unsigned threads);

  std::string name() const override;
  size_t batchSets(const BatchPlan &plan, size_t numSets) override;
  void runBatch(const std::vector<size_t> &sets,
                const std::vector<std::vector<double>> &slots, BatchOutput &out,
                SweepControl &control) override;
  void recordStatistics(SweepResult &result) const override;

private:
  const SweepInputs &inputs;
  unsigned threads;
  CpuKernels kernels;
  /// Tiles run, how many of them summed the coupling in blocks of steps, and
  /// how many of those in the longer lane blocks (SweepResult).
  size_t tiles = 0, blockedTiles = 0, longBlockTiles = 0;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_CPUBACKEND_H
