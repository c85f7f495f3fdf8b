//===- KernelABI.h - The C ABI between kernels and the runtime --*- C++ -*-===//
//
// What an object produced by convert-rateml-to-kernel exports (version 4,
// docs/kernel-abi.md): three functions with MLIR's C interface for 1-D
// memrefs and a JSON metadata string. Descriptors have the same layout for
// every element type, so the runtime passes untyped ones.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_KERNELABI_H
#define RATEML_RUNTIME_KERNELABI_H

#include <cstdint>

namespace rateml::runtime {

constexpr int kKernelABIVersion = 4;

/// MLIR's descriptor of a memref<?xT>.
struct MemRef1D {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
};

inline MemRef1D memref(void *data, int64_t size) {
  return {data, data, 0, size, 1};
}

/// Bits of the step kernel's `flags` argument.
enum KernelFlags : int32_t {
  kFlagHeun = 1,
  kFlagNoise = 2,
  /// Every lane of the tile has the same delays (the speed is not swept):
  /// `delays` is one table [K], and the kernel loads contiguous vectors
  /// instead of gathering.
  kFlagSharedDelays = 4,
  /// With shared delays of at least `block - 1` steps (ModelInfo::block >
  /// 1): the coupling of `block` steps is summed in one pass over the edges,
  /// at steps that are multiples of `block`, into `block` coupling slots.
  kFlagBlocked = 8,
  /// GPU kernels (and their host versions) only: after each step, add the
  /// new states (16) or their exposures (32) to `sums`, in float64, starting
  /// from zero at the launch's first step.
  kFlagSumStates = 16,
  kFlagSumExposures = 32
};

/// One step of `lanes` parameter sets; see docs/kernel-abi.md.
using StepKernel = void(MemRef1D *params, MemRef1D *state, MemRef1D *history,
                        MemRef1D *delays, MemRef1D *rowStart,
                        MemRef1D *sources, MemRef1D *weights,
                        MemRef1D *coupling, int64_t step, int64_t numNodes,
                        int64_t horizon, int32_t flags, uint64_t seed,
                        int64_t setBase);
/// The exposures of every node of `lanes` parameter sets.
using ExposuresKernel = void(MemRef1D *params, MemRef1D *state,
                             MemRef1D *coupling, MemRef1D *out,
                             int64_t numNodes);

} // namespace rateml::runtime

extern "C" {
/// slots: [num_slots] float64 parameter-level values of one set.
void _mlir_ciface_rateml_setup(rateml::runtime::MemRef1D *slots);
rateml::runtime::StepKernel _mlir_ciface_rateml_step;
rateml::runtime::ExposuresKernel _mlir_ciface_rateml_exposures;
/// The GPU kernels' bodies for the host, called once per set `tid`; the test
/// driver test/fake-libcuda runs launches of the GPU kernels with them.
void _mlir_ciface_rateml_thread_step(
    rateml::runtime::MemRef1D *params, rateml::runtime::MemRef1D *state,
    rateml::runtime::MemRef1D *history, rateml::runtime::MemRef1D *delays,
    rateml::runtime::MemRef1D *rowStart, rateml::runtime::MemRef1D *sources,
    rateml::runtime::MemRef1D *weights, rateml::runtime::MemRef1D *coupling,
    rateml::runtime::MemRef1D *sums, int64_t stepBegin, int64_t numNodes,
    int64_t horizon, int32_t flags,
    uint64_t seed, int64_t setBase, int64_t stepCount, int64_t numSets,
    int64_t tid);
void _mlir_ciface_rateml_thread_exposures(rateml::runtime::MemRef1D *params,
                                          rateml::runtime::MemRef1D *state,
                                          rateml::runtime::MemRef1D *coupling,
                                          rateml::runtime::MemRef1D *out,
                                          int64_t numNodes, int64_t numSets,
                                          int64_t tid);
/// The same kernels over fewer lanes (rateml-compile --narrow-lanes), when
/// present: null otherwise.
__attribute__((weak))
rateml::runtime::StepKernel _mlir_ciface_rateml_step_narrow;
__attribute__((weak))
rateml::runtime::ExposuresKernel _mlir_ciface_rateml_exposures_narrow;
/// NUL-terminated JSON describing the model (see ModelInfo), and that of the
/// narrow kernels (null without them).
extern const char rateml_model_json[];
__attribute__((weak)) extern const char rateml_model_json_narrow[];
/// Space-separated x86 extensions the kernels were compiled to use
/// (e.g. "avx512f avx2 fma avx"), written by rateml-compile.
extern const char rateml_target_features[];
}

#endif // RATEML_RUNTIME_KERNELABI_H
