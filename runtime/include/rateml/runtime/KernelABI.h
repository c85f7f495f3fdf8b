//===- KernelABI.h - The kernels' contract with the runtime --*- C++ -*-===//
//
// The one definition of what an object produced by convert-rateml-to-kernel
// exports and how sweep.bin calls it (docs/kernel-abi.md): symbol names, the
// order and kind of every kernel argument, the flag bits, the fixed
// parameter slots, the keys of the metadata JSON, the CPU features recorded
// for the run-time check, and the version. The compiler (the kernel builder,
// the CPU object writer, rateml-compile), the runtime, the reference and the
// stand-in CUDA driver all include this header, so a change is made here
// once; it depends on nothing but <cstdint> for that reason.
//
// Functions use MLIR's C interface for 1-D memrefs. Descriptors have the
// same layout for every element type, so the runtime passes untyped ones.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_KERNELABI_H
#define RATEML_RUNTIME_KERNELABI_H

#include <cstdint>

namespace rateml::runtime {

/// Bumped on every change to this contract; the runtime refuses kernels of
/// another version.
constexpr int kKernelABIVersion = 9;

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

//===----------------------------------------------------------------------===//
// Symbols
//===----------------------------------------------------------------------===//

namespace symbol {
/// Prefix MLIR's C interface adds to a function's name.
constexpr const char *kCInterfacePrefix = "_mlir_ciface_";
constexpr const char *kSetup = "rateml_setup";
/// The node-level values of one (set, node) (models with regional values).
constexpr const char *kNodeSetup = "rateml_node_setup";
constexpr const char *kStep = "rateml_step";
constexpr const char *kExposures = "rateml_exposures";
/// The GPU kernels' bodies for the host, called once per thread.
constexpr const char *kThreadStep = "rateml_thread_step";
constexpr const char *kThreadExposures = "rateml_thread_exposures";
/// Appended to kStep, kExposures and kModelJson for the narrow CPU kernels.
constexpr const char *kNarrowSuffix = "_narrow";
constexpr const char *kModelJson = "rateml_model_json";
constexpr const char *kTargetFeatures = "rateml_target_features";
/// The gpu.module holding the GPU kernels, and the images rateml-compile
/// makes of it.
constexpr const char *kGpuModule = "rateml_gpu";
constexpr const char *kGpuPtx = "rateml_gpu_ptx";
constexpr const char *kGpuCubinSm80 = "rateml_gpu_cubin_sm80";
constexpr const char *kGpuCubinSm90 = "rateml_gpu_cubin_sm90";
/// Appended to a byte array's name for the uint64 global holding its size.
constexpr const char *kSizeSuffix = "_size";
} // namespace symbol

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

/// What an argument is: an array of the kernels' precision, of int32 or of
/// float64, or a scalar.
enum class ArgKind : uint8_t { RealArray, I32Array, F64Array, I64, I32, U64 };

/// The step kernel's arguments, in order.
enum StepArg : unsigned {
  kStepParams,   ///< [slots][W] parameter-level values
  kStepState,    ///< [S][N][W]
  kStepHistory,  ///< [C][N][R][W], or [C][N][W][R] with kFlagLaneSeries
  kStepDelays,   ///< [K][W] int32, or [K] with kFlagSharedDelays
  kStepRowStart, ///< [N + 1] int32: first incoming edge of each node
  kStepSources,  ///< [K] int32: source node of each edge
  kStepWeights,  ///< [K]
  kStepCoupling, ///< [B][couplings][N][W] scratch; slot 0 holds c(n) after
  /// [W] int32: the global index of each lane's set, the noise counters'
  /// set word (a tile's lanes need not be consecutive sets).
  kStepSets,
  /// [W] int32: -1 until a state of the lane's set first becomes
  /// non-finite, then the index n of that step (kept from then on).
  kStepDiverged,
  /// [node_slots][N][W]: the node-level values (regional parameters and
  /// constants, then regional derived parameters) of every node; empty for
  /// a model without regional values.
  kStepNodeParams,
  /// With kFlagStimulus (--stimulus, docs/simulation.md): a window of rows
  /// of the stimulus, [rows][S][N] (0 for the states not stimulated), whose
  /// first row is that of step kStepStep (the launch's first step on the
  /// GPU, the step itself on the CPU); shared by every set, never copied
  /// per set. At least one element without the flag.
  kStepStimulus,
  /// [W]: each lane's stimulus.scale, the factor of the stimulus.
  kStepStimulusScale,
  kStepStep, ///< the step n being taken
  kStepNumNodes,
  kStepHorizon, ///< H: history rows per channel and node in the ring
  kStepFlags,   ///< KernelFlags
  kStepSeed,
  kNumStepArgs
};
constexpr ArgKind kStepArgKinds[kNumStepArgs] = {
    ArgKind::RealArray, ArgKind::RealArray, ArgKind::RealArray,
    ArgKind::I32Array,  ArgKind::I32Array,  ArgKind::I32Array,
    ArgKind::RealArray, ArgKind::RealArray, ArgKind::I32Array,
    ArgKind::I32Array,  ArgKind::RealArray, ArgKind::RealArray,
    ArgKind::RealArray, ArgKind::I64,       ArgKind::I64,
    ArgKind::I64,       ArgKind::I32,       ArgKind::U64};

/// The thread step (the GPU kernel and its host version): the step kernel's
/// thirteen arrays, then `sums`, then the step kernel's scalars (with `step` as
/// the first step of the launch), then these.
enum ThreadStepArg : unsigned {
  kThreadStepSums = kStepStep, ///< [vars][N][sets] float64 (flags 16/32)
  kThreadStepCount = kNumStepArgs + 1, ///< steps taken in one launch
  kThreadStepNumSets,                  ///< sets of the launch: lane stride
  kThreadStepTid,                      ///< host version only: the thread's set
  kNumThreadStepArgs ///< the GPU kernel has one fewer (no tid)
};
/// Where a step-kernel argument sits in the thread step's list.
constexpr unsigned threadStepArg(StepArg arg) {
  return arg < kStepStep ? unsigned(arg) : unsigned(arg) + 1;
}

/// The exposure kernel's arguments; the thread version (and the GPU kernel,
/// without tid) appends the set count and the thread's set.
enum ExposuresArg : unsigned {
  kExposuresParams,
  kExposuresState,
  kExposuresCoupling,
  kExposuresOut,        ///< [E][N][W]
  kExposuresNodeParams, ///< [node_slots][N][W], as kStepNodeParams
  kExposuresNumNodes,
  kNumExposuresArgs,
  kThreadExposuresNumSets = kNumExposuresArgs,
  kThreadExposuresTid,
  kNumThreadExposuresArgs
};
constexpr ArgKind kExposuresArgKinds[kNumExposuresArgs] = {
    ArgKind::RealArray, ArgKind::RealArray, ArgKind::RealArray,
    ArgKind::RealArray, ArgKind::RealArray, ArgKind::I64};

/// The C function types of the kernels; their parameters follow the enums
/// above (test/unittests/Conversion checks that the generated signatures do).
using StepKernel = void(MemRef1D *params, MemRef1D *state, MemRef1D *history,
                        MemRef1D *delays, MemRef1D *rowStart, MemRef1D *sources,
                        MemRef1D *weights, MemRef1D *coupling, MemRef1D *sets,
                        MemRef1D *diverged, MemRef1D *nodeParams,
                        MemRef1D *stimulus, MemRef1D *stimulusScale,
                        int64_t step, int64_t numNodes, int64_t horizon,
                        int32_t flags, uint64_t seed);
using ExposuresKernel = void(MemRef1D *params, MemRef1D *state,
                             MemRef1D *coupling, MemRef1D *out,
                             MemRef1D *nodeParams, int64_t numNodes);
using ThreadStepKernel = void(MemRef1D *params, MemRef1D *state,
                              MemRef1D *history, MemRef1D *delays,
                              MemRef1D *rowStart, MemRef1D *sources,
                              MemRef1D *weights, MemRef1D *coupling,
                              MemRef1D *sets, MemRef1D *diverged,
                              MemRef1D *nodeParams, MemRef1D *stimulus,
                              MemRef1D *stimulusScale, MemRef1D *sums,
                              int64_t stepBegin, int64_t numNodes,
                              int64_t horizon, int32_t flags, uint64_t seed,
                              int64_t stepCount, int64_t numSets, int64_t tid);
using ThreadExposuresKernel = void(MemRef1D *params, MemRef1D *state,
                                   MemRef1D *coupling, MemRef1D *out,
                                   MemRef1D *nodeParams, int64_t numNodes,
                                   int64_t numSets, int64_t tid);
/// slots: [num_slots] float64 parameter-level values of one set.
using SetupFunction = void(MemRef1D *slots);
/// slots as after SetupFunction; nodeSlots: [num_node_slots] float64, the
/// regional bases (`regional` in the metadata) of one node written by the
/// caller, then the regional derived parameters, which it computes.
using NodeSetupFunction = void(MemRef1D *slots, MemRef1D *nodeSlots);

//===----------------------------------------------------------------------===//
// Flags and slots
//===----------------------------------------------------------------------===//

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
  kFlagSumExposures = 32,
  /// CPU kernels with ModelInfo::block > 1, only together with kFlagBlocked
  /// and without kFlagSharedDelays (every lane's delays at least `block - 1`
  /// steps): the history is [C][N][W][R], each lane's series contiguous in
  /// time, and the blocked coupling loads `block` consecutive values of each
  /// lane's own delayed row instead of gathering.
  kFlagLaneSeries = 64,

  /// --stimulus: add stimulus.scale x the stimulus row of the step to the
  /// time derivatives (docs/simulation.md: both Heun stages, and dt x it
  /// once more outside Heun's average). Off, the kernels do exactly what
  /// they do without a stimulus.
  kFlagStimulus = 128,
  /// With kFlagLaneSeries, in a tile whose every delay is at least
  /// `lane_block - 1` steps (metadata; lane_block > block): the coupling of
  /// `lane_block` steps is summed per pass over the edges, into
  /// `lane_block` coupling slots, so each lane's load is a whole cache line.
  kFlagLongBlock = 256
};

/// Fixed slots of the parameter-level values; the model's own follow
/// (their slots are in the metadata).
enum ParamSlot : unsigned { kSlotDt = 0, kSlotNumNodes = 1, kNumFixedSlots };

//===----------------------------------------------------------------------===//
// Metadata (symbol::kModelJson)
//===----------------------------------------------------------------------===//

namespace json_key {
constexpr const char *kAbi = "abi";
constexpr const char *kVersion = "version";
constexpr const char *kModel = "model";
constexpr const char *kDescription = "description";
constexpr const char *kLanes = "lanes";
constexpr const char *kBlock = "block";
constexpr const char *kLaneBlock = "lane_block";
constexpr const char *kTarget = "target";
constexpr const char *kPrecision = "precision";
constexpr const char *kNumSlots = "num_slots";
constexpr const char *kParams = "params";
constexpr const char *kConstants = "constants";
constexpr const char *kStates = "states";
constexpr const char *kExposures = "exposures";
constexpr const char *kNumCouplings = "num_couplings";
constexpr const char *kHistoryStates = "history_states";
constexpr const char *kNoiseSlot = "noise_slot";
constexpr const char *kSpeedSlot = "speed_slot";
constexpr const char *kNumNodeSlots = "num_node_slots";
/// The regional parameters and constants: name, slot (the set's value) and
/// node_slot (where the runtime writes the node's value).
constexpr const char *kRegional = "regional";
// Members of the entries of kParams, kConstants and kStates.
constexpr const char *kName = "name";
constexpr const char *kLo = "lo";
constexpr const char *kHi = "hi";
constexpr const char *kSlot = "slot";
constexpr const char *kNodeSlot = "node_slot";
constexpr const char *kValue = "value";
constexpr const char *kInitLo = "init_lo";
constexpr const char *kInitHi = "init_hi";
constexpr const char *kLower = "lower";
constexpr const char *kUpper = "upper";
} // namespace json_key

//===----------------------------------------------------------------------===//
// CPU features (symbol::kTargetFeatures)
//===----------------------------------------------------------------------===//

/// The x86 extensions rateml-compile records when the kernels may use them
/// (space-separated, in this order), and sweep.bin checks before running
/// them. sweep.bin refuses a name it cannot check.
constexpr const char *kCheckedCpuFeatures[] = {
    "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2",
    "fma",     "avx",      "sse4.2",   "sse4.1"};

} // namespace rateml::runtime

extern "C" {
rateml::runtime::SetupFunction _mlir_ciface_rateml_setup;
rateml::runtime::NodeSetupFunction _mlir_ciface_rateml_node_setup;
rateml::runtime::StepKernel _mlir_ciface_rateml_step;
rateml::runtime::ExposuresKernel _mlir_ciface_rateml_exposures;
/// The GPU kernels' bodies for the host, called once per set `tid`; the test
/// driver test/fake-libcuda runs launches of the GPU kernels with them.
rateml::runtime::ThreadStepKernel _mlir_ciface_rateml_thread_step;
rateml::runtime::ThreadExposuresKernel _mlir_ciface_rateml_thread_exposures;
/// The same kernels over fewer lanes (rateml-compile --narrow-lanes), when
/// present: null otherwise.
__attribute__((
    weak)) rateml::runtime::StepKernel _mlir_ciface_rateml_step_narrow;
__attribute__((weak)) rateml::runtime::ExposuresKernel
    _mlir_ciface_rateml_exposures_narrow;
/// NUL-terminated JSON describing the model (see ModelInfo), and that of the
/// narrow kernels (null without them).
extern const char rateml_model_json[];
__attribute__((weak)) extern const char rateml_model_json_narrow[];
/// Space-separated x86 extensions the kernels were compiled to use, from
/// kCheckedCpuFeatures (e.g. "avx512f avx2 fma avx").
extern const char rateml_target_features[];
/// The GPU kernels as PTX ("" when rateml-compile had no CUDA toolkit) and
/// as cubins for compute capability 8.x and 9.x, assembled when ptxas was
/// available (size 0 otherwise).
extern const char rateml_gpu_ptx[];
extern const unsigned char rateml_gpu_cubin_sm80[];
extern const uint64_t rateml_gpu_cubin_sm80_size;
extern const unsigned char rateml_gpu_cubin_sm90[];
extern const uint64_t rateml_gpu_cubin_sm90_size;
}

#endif // RATEML_RUNTIME_KERNELABI_H
