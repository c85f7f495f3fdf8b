//===- CudaBackend.cpp - Running batches on an NVIDIA GPU -----------------===//
//
// Every driver call is checked and reported with its name. The driver's
// C API is stable, so the few entry points used are declared here and
// resolved with dlsym instead of linking libcuda.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CudaBackend.h"
#include "rateml/runtime/CudaBuffers.h"
#include "rateml/runtime/DelayGroups.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/KernelABI.h"
#include "rateml/runtime/LaneArrays.h"
#include "rateml/runtime/Monitors.h"
#include "rateml/runtime/Stimulus.h"
#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <dlfcn.h>
#include <functional>

using namespace rateml::runtime;

namespace {
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
constexpr int kThreadsPerBlock = 128;
} // namespace

/// The driver entry points sweep.bin uses.
struct CudaBackend::Driver {
  void *library = nullptr;
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(void **, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxSetCurrent)(void *);
  CUresult (*cuModuleLoadData)(void **, const void *);
  CUresult (*cuModuleUnload)(void *);
  CUresult (*cuModuleGetFunction)(void **, void *, const char *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, void *);
  CUresult (*cuMemGetInfo)(size_t *, size_t *);
  CUresult (*cuLaunchKernel)(void *, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, void *, void **,
                             void **);
  CUresult (*cuMemcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, void *);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, void *);
  CUresult (*cuMemAllocHost)(void **, size_t);
  CUresult (*cuMemFreeHost)(void *);
  CUresult (*cuStreamCreate)(void **, unsigned);
  CUresult (*cuStreamDestroy)(void *);
  CUresult (*cuStreamSynchronize)(void *);
  CUresult (*cuStreamWaitEvent)(void *, void *, unsigned);
  CUresult (*cuEventCreate)(void **, unsigned);
  CUresult (*cuEventDestroy)(void *);
  CUresult (*cuEventRecord)(void *, void *);
  CUresult (*cuEventSynchronize)(void *);
  CUresult (*cuGetErrorName)(CUresult, const char **);

  ~Driver() {
    if (library)
      dlclose(library);
  }

  /// Throws Error naming the failed call.
  void check(CUresult result, const std::string &call) {
    if (result == 0)
      return;
    const char *name = nullptr;
    if (cuGetErrorName)
      cuGetErrorName(result, &name);
    throw Error(std::string("CUDA: ") + call +
                " failed: " + (name ? name : std::to_string(result)));
  }
};

#define CUDA_CHECK(call) driver->check(driver->call, #call)

std::unique_ptr<CudaBackend> CudaBackend::open(const SweepInputs &inputs,
                                               std::string &why,
                                               bool &failedOnDevice) {
  failedOnDevice = false;
  if (rateml_gpu_ptx[0] == '\0') {
    why = "this sweep.bin has no GPU kernels (rateml-compile found no CUDA "
          "toolkit)";
    return nullptr;
  }
  auto driver = std::make_unique<Driver>();
  driver->library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver->library) {
    why = "no CUDA driver (libcuda.so.1 cannot be loaded)";
    return nullptr;
  }
  bool complete = true;
  auto resolve = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(driver->library, name));
    complete &= fn != nullptr;
  };
  resolve(driver->cuInit, "cuInit");
  resolve(driver->cuDeviceGetCount, "cuDeviceGetCount");
  resolve(driver->cuDeviceGet, "cuDeviceGet");
  resolve(driver->cuDeviceGetName, "cuDeviceGetName");
  resolve(driver->cuDeviceGetAttribute, "cuDeviceGetAttribute");
  resolve(driver->cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(driver->cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  resolve(driver->cuCtxSetCurrent, "cuCtxSetCurrent");
  resolve(driver->cuModuleLoadData, "cuModuleLoadData");
  resolve(driver->cuModuleUnload, "cuModuleUnload");
  resolve(driver->cuModuleGetFunction, "cuModuleGetFunction");
  resolve(driver->cuMemAlloc, "cuMemAlloc_v2");
  resolve(driver->cuMemFree, "cuMemFree_v2");
  resolve(driver->cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  resolve(driver->cuMemGetInfo, "cuMemGetInfo_v2");
  resolve(driver->cuLaunchKernel, "cuLaunchKernel");
  resolve(driver->cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
  resolve(driver->cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  resolve(driver->cuMemAllocHost, "cuMemAllocHost_v2");
  resolve(driver->cuMemFreeHost, "cuMemFreeHost");
  resolve(driver->cuStreamCreate, "cuStreamCreate");
  resolve(driver->cuStreamDestroy, "cuStreamDestroy_v2");
  resolve(driver->cuStreamSynchronize, "cuStreamSynchronize");
  resolve(driver->cuStreamWaitEvent, "cuStreamWaitEvent");
  resolve(driver->cuEventCreate, "cuEventCreate");
  resolve(driver->cuEventDestroy, "cuEventDestroy_v2");
  resolve(driver->cuEventRecord, "cuEventRecord");
  resolve(driver->cuEventSynchronize, "cuEventSynchronize");
  resolve(driver->cuGetErrorName, "cuGetErrorName");
  if (!complete) {
    why = "the CUDA driver lacks an entry point sweep.bin needs";
    return nullptr;
  }
  int count = 0;
  if (driver->cuInit(0) != 0 || driver->cuDeviceGetCount(&count) != 0 ||
      count == 0) {
    why = "the CUDA driver reports no usable GPU";
    return nullptr;
  }
  std::unique_ptr<CudaBackend> gpu(new CudaBackend(inputs));
  gpu->driver = std::move(driver);
  try {
    gpu->load();
  } catch (const Error &e) {
    why = e.what();
    failedOnDevice = true;
    return nullptr;
  }
  return gpu;
}

CudaBackend::CudaBackend(const SweepInputs &inputs) : inputs(inputs) {}

void CudaBackend::load() {
  Driver *d = driver.get();
  // open() made sure there is at least one.
  int devices = 1;
  d->check(d->cuDeviceGetCount(&devices), "cuDeviceGetCount");
  d->check(d->cuDeviceGet(&device, int(inputs.localRank % unsigned(devices))),
           "cuDeviceGet");
  char name[256] = {0};
  d->check(d->cuDeviceGetName(name, sizeof name - 1, device),
           "cuDeviceGetName");
  deviceName = name;
  d->check(d->cuDevicePrimaryCtxRetain(&context, device),
           "cuDevicePrimaryCtxRetain");
  d->check(d->cuCtxSetCurrent(context), "cuCtxSetCurrent");
  // A ready cubin for this architecture when there is one (8.x GPUs run the
  // sm_80 cubin, 9.x the sm_90 one), else the driver JIT-compiles the PTX.
  constexpr int kComputeCapabilityMajor = 75;
  int major = 0;
  d->check(d->cuDeviceGetAttribute(&major, kComputeCapabilityMajor, device),
           "cuDeviceGetAttribute");
  const void *image = rateml_gpu_ptx;
  if (major == 8 && rateml_gpu_cubin_sm80_size)
    image = rateml_gpu_cubin_sm80;
  else if (major == 9 && rateml_gpu_cubin_sm90_size)
    image = rateml_gpu_cubin_sm90;
  d->check(d->cuModuleLoadData(&module, image), "cuModuleLoadData");
  d->check(d->cuModuleGetFunction(&stepKernel, module, symbol::kStep),
           std::string("cuModuleGetFunction(") + symbol::kStep + ")");
  d->check(d->cuModuleGetFunction(&exposuresKernel, module, symbol::kExposures),
           std::string("cuModuleGetFunction(") + symbol::kExposures + ")");
}

std::string CudaBackend::embeddedKernels() {
  if (rateml_gpu_ptx[0] == '\0')
    return "none (rateml-compile found no CUDA toolkit)";
  std::string cubins;
  if (rateml_gpu_cubin_sm80_size)
    cubins = "sm_80";
  if (rateml_gpu_cubin_sm90_size)
    cubins += cubins.empty() ? "sm_90" : " and sm_90";
  return cubins.empty() ? "PTX" : "PTX, cubins for " + cubins;
}

CudaBackend::~CudaBackend() {
  if (module)
    driver->cuModuleUnload(module);
  if (context)
    driver->cuDevicePrimaryCtxRelease(device);
}

/// Steps per launch of the step kernel: from one sample to the next, or,
/// when the kernel sums the recorded variables, the windows' common divisor.
static uint64_t stepsPerLaunch(const SweepResult &shape) {
  return shape.monitorsSum() ? Monitors<float>::summedStride(shape)
                             : shape.every;
}

/// Rows of the stimulus window a launch reads (0 without --stimulus).
static size_t stimulusRows(const SweepResult &shape) {
  return shape.stimulus
             ? size_t(std::min<uint64_t>(stepsPerLaunch(shape), shape.steps))
             : 0;
}

/// The device buffers of a batch of the sweep's sets, planned before their
/// arrays are built: the longest history and the most edges of any set,
/// and a delay table per set unless all share one.
static CudaBatchShape plannedShape(const SweepInputs &in) {
  return {in.info,
          in.shape.numNodes,
          in.maxEdges,
          in.shape.varNames.size(),
          in.maxHorizon,
          /*sharedDelays=*/!in.delaysVary,
          in.shape.monitorsSum(),
          stimulusRows(in.shape)};
}

size_t CudaBackend::batchSets(const BatchPlan &plan, size_t numSets) {
  const size_t sets = hostBatchSets(plan, numSets, inputs.info.lanes);
  if (plan.requested)
    return sets;
  size_t free = 0, total = 0;
  CUDA_CHECK(cuMemGetInfo(&free, &total));
  const size_t fits = plannedShape(inputs).setsThatFit(free / 10 * 8);
  if (fits == 0)
    throw Error("one parameter set does not fit in the GPU's free memory");
  return std::min(sets, fits);
}

void CudaBackend::recordStatistics(SweepResult &result) const {
  result.gpuLoopSeconds = loopTime;
}

namespace {
/// A device array of `count` elements of `bytes` each, freed with the
/// scope.
struct DeviceArray {
  CudaBackend::Driver *driver;
  CUdeviceptr ptr = 0;
  size_t count = 0;
  DeviceArray(CudaBackend::Driver *driver, size_t count, size_t bytes)
      : driver(driver), count(count) {
    driver->check(driver->cuMemAlloc(&ptr, count * bytes), "cuMemAlloc");
  }
  ~DeviceArray() {
    if (ptr)
      driver->cuMemFree(ptr);
  }
};

/// The parameters of one launch, each set at its position in the kernel's
/// argument list (KernelABI.h); memrefs expand to (allocated, aligned,
/// offset, size, stride) as convert-gpu-to-nvvm lays them out.
class KernelArgs {
public:
  explicit KernelArgs(unsigned count) : args(count) {}
  void memref(unsigned position, const DeviceArray &a) {
    Arg &arg = at(position);
    arg.isMemref = true;
    arg.pointer = reinterpret_cast<void *>(a.ptr);
    arg.size = int64_t(a.count);
  }
  template <typename T> void scalar(unsigned position, T value) {
    static_assert(sizeof(T) <= sizeof(uint64_t));
    std::memcpy(&at(position).scalar, &value, sizeof(T));
  }
  /// The driver's parameter pointers; every position must have been set.
  void **data() {
    pointers.clear();
    for (Arg &a : args) {
      if (!a.set)
        throw Error("internal error: a kernel argument was not set");
      if (a.isMemref)
        pointers.insert(pointers.end(), {&a.pointer, &a.pointer, &a.offset,
                                         &a.size, &a.stride});
      else
        pointers.push_back(&a.scalar);
    }
    return pointers.data();
  }

private:
  struct Arg {
    bool set = false, isMemref = false;
    void *pointer = nullptr;
    int64_t offset = 0, size = 0, stride = 1;
    uint64_t scalar = 0;
  };
  Arg &at(unsigned position) {
    Arg &arg = args.at(position);
    arg.set = true;
    return arg;
  }
  std::vector<Arg> args;
  std::vector<void *> pointers;
};
} // namespace

void CudaBackend::runBatch(const std::vector<size_t> &sets,
                           const std::vector<std::vector<double>> &slots,
                           BatchOutput &out, SweepControl &control) {
  // Threads in the order of their delay groups, so that a warp's threads
  // mostly read the same history rows; one launch sequence per subject,
  // whose sets share the edges.
  const DelayGroups groups =
      groupByDelays(inputs.info, inputs.subjects, inputs.subjectIndex,
                    inputs.options.dt, slots);
  for (size_t g = 0; g < groups.numGroups();) {
    const size_t begin = groups.starts[g], subject = groups.subjects[g];
    while (g < groups.numGroups() && groups.subjects[g] == subject)
      ++g;
    const std::vector<size_t> order(groups.order.begin() + begin,
                                    groups.order.begin() + groups.starts[g]);
    if (inputs.info.precision == "f64")
      run<double>(sets, slots, order, out, control);
    else
      run<float>(sets, slots, order, out, control);
  }
}

namespace {

/// The CUDA launcher: device copies of the arrays, kernels on a compute
/// stream, and sample copies into pinned host buffers on a second stream.
template <typename T> class CudaLauncher {
public:
  CudaLauncher(CudaBackend::Driver *driver, void *stepKernel,
               void *exposuresKernel, const SweepOptions &options,
               size_t numNodes)
      : d(driver), stepKernel(stepKernel), exposuresKernel(exposuresKernel),
        options(options), numNodes(numNodes) {
    constexpr unsigned kStreamNonBlocking = 1, kEventDisableTiming = 2;
    try {
      d->check(d->cuStreamCreate(&compute, kStreamNonBlocking),
               "cuStreamCreate");
      d->check(d->cuStreamCreate(&copy, kStreamNonBlocking), "cuStreamCreate");
      for (Slot &s : samples) {
        d->check(d->cuEventCreate(&s.taken, kEventDisableTiming),
                 "cuEventCreate");
        d->check(d->cuEventCreate(&s.copied, kEventDisableTiming),
                 "cuEventCreate");
      }
    } catch (...) {
      release(); // no destructor runs after a throwing constructor
      throw;
    }
  }
  ~CudaLauncher() { release(); }

  /// Allocates `buffers` (CudaBuffers.h: the sizes the batch plan counted)
  /// and queues the copies of the arrays of `a`, which must have those sizes,
  /// to the device, in order with the kernels. Its history is empty (a
  /// batch's may not fit in host memory): each series of channel c (state
  /// historyStates[c]) and node i is written by `fillSeries(c, i, T *series)`
  /// and copied when given (an initial history), else filled on the device
  /// with the series' current state, as buildLaneArrays would. With
  /// buffers.sampleSum, each sample slot also gets a float64 buffer that the
  /// step kernel sums the recorded variables into.
  void upload(LaneArrays<T> &a, const CudaBuffers &buffers,
              const std::vector<unsigned> &historyStates,
              const std::function<void(size_t, size_t, T *)> &fillSeries) {
    arrays = &a;
    auto make = [&](const auto &host, size_t planned) {
      using E = typename std::decay_t<decltype(host)>::value_type;
      checkPlanned(host.size(), planned);
      auto array = std::make_unique<DeviceArray>(d, planned, sizeof(E));
      put(array->ptr, host.data(), planned * sizeof(E));
      return array;
    };
    params = make(a.params, buffers.params);
    nodeParams = make(a.nodeParams, buffers.nodeParams);
    state = make(a.state, buffers.state);
    const size_t L = a.lanes, rows = size_t(a.historyRows);
    const size_t seriesBytes = rows * L * sizeof(T);
    checkPlanned(
        std::max<size_t>(historyStates.size() * numNodes * rows * L, 1),
        buffers.history);
    history = std::make_unique<DeviceArray>(d, buffers.history, sizeof(T));
    std::vector<T> series(fillSeries ? rows * L : 0);
    for (size_t c = 0; c < historyStates.size(); ++c)
      for (size_t i = 0; i < numNodes; ++i) {
        CUdeviceptr at = history->ptr + (c * numNodes + i) * seriesBytes;
        if (fillSeries) {
          fillSeries(c, i, series.data());
          put(at, series.data(), seriesBytes);
          continue;
        }
        // Row 0 from the state, then doubling copies of the rows so far.
        CUdeviceptr now =
            state->ptr + (historyStates[c] * numNodes + i) * L * sizeof(T);
        copyOnDevice(at, now, L * sizeof(T));
        for (size_t done = 1; done < rows; done *= 2)
          copyOnDevice(at + done * L * sizeof(T), at,
                       std::min(done, rows - done) * L * sizeof(T));
      }
    delays = make(a.delays, buffers.delays);
    rowStart = make(a.rowStart, buffers.rowStart);
    sources = make(a.sources, buffers.sources);
    weights = make(a.weights, buffers.weights);
    coupling = make(a.coupling, buffers.coupling);
    sets = make(a.sets, buffers.sets);
    diverged = make(a.diverged, buffers.diverged);
    stimulusScale = make(a.stimulusScale, buffers.stimulusScale);
    // Rewritten before each launch that reads it (putStimulus).
    stimulusWindow =
        std::make_unique<DeviceArray>(d, buffers.stimulus, sizeof(T));
    checkPlanned(a.out.size(), buffers.sample);
    count = buffers.sample;
    for (Slot &s : samples) {
      s.device = std::make_unique<DeviceArray>(d, count, sizeof(T));
      d->check(d->cuMemAllocHost(reinterpret_cast<void **>(&s.host),
                                 count * sizeof(T)),
               "cuMemAllocHost");
      if (!buffers.sampleSum)
        continue;
      s.sumDevice =
          std::make_unique<DeviceArray>(d, buffers.sampleSum, sizeof(double));
      d->check(d->cuMemAllocHost(reinterpret_cast<void **>(&s.sumHost),
                                 buffers.sampleSum * sizeof(double)),
               "cuMemAllocHost");
    }
  }
  /// Queues the copy of `window`, the stimulus rows of the next launch
  /// ([rows][S][N]), to the device, after the launches queued before it,
  /// which read the previous window.
  void putStimulus(const std::vector<T> &window) {
    checkPlanned(window.size(), stimulusWindow->count, /*atMost=*/true);
    put(stimulusWindow->ptr, window.data(), window.size() * sizeof(T));
  }
  /// Queues `steps` steps; with `sumSlot` >= 0 they also sum the recorded
  /// variables into that slot's sum buffer (from zero).
  void step(uint64_t begin, uint64_t steps, int sumSlot) {
    // The GPU kernel takes the thread step's arguments but tid.
    KernelArgs args(kThreadStepTid);
    auto arg = [](StepArg a) { return threadStepArg(a); };
    args.memref(arg(kStepParams), *params);
    args.memref(arg(kStepState), *state);
    args.memref(arg(kStepHistory), *history);
    args.memref(arg(kStepDelays), *delays);
    args.memref(arg(kStepRowStart), *rowStart);
    args.memref(arg(kStepSources), *sources);
    args.memref(arg(kStepWeights), *weights);
    args.memref(arg(kStepCoupling), *coupling);
    args.memref(arg(kStepSets), *sets);
    args.memref(arg(kStepDiverged), *diverged);
    args.memref(arg(kStepNodeParams), *nodeParams);
    args.memref(arg(kStepStimulus), *stimulusWindow);
    args.memref(arg(kStepStimulusScale), *stimulusScale);
    // The kernel touches `sums` only with flag 16 or 32.
    args.memref(kThreadStepSums,
                sumSlot >= 0 ? *samples[sumSlot].sumDevice : *params);
    int32_t flags = arrays->flags;
    if (sumSlot >= 0)
      flags |= options.recordStates ? kFlagSumStates : kFlagSumExposures;
    args.scalar<int64_t>(arg(kStepStep), int64_t(begin));
    args.scalar<int64_t>(arg(kStepNumNodes), int64_t(numNodes));
    args.scalar<int64_t>(arg(kStepHorizon), arrays->horizon);
    args.scalar<int32_t>(arg(kStepFlags), flags);
    args.scalar<uint64_t>(arg(kStepSeed), options.seed);
    args.scalar<int64_t>(kThreadStepCount, int64_t(steps));
    args.scalar<int64_t>(kThreadStepNumSets, int64_t(arrays->lanes));
    d->check(d->cuLaunchKernel(stepKernel, blocks(), 1, 1, kThreadsPerBlock, 1,
                               1, 0, compute, args.data(), nullptr),
             "cuLaunchKernel(rateml_step)");
  }
  /// Queues, after the steps launched so far, the copies of the slot's
  /// buffers to their pinned host buffers: the recorded variables (taken
  /// into the slot's device buffer first) when `value`, the sums when `sum`.
  void snapshot(int slot, bool value, bool sum) {
    Slot &s = samples[slot];
    if (value && options.recordStates) {
      d->check(d->cuMemcpyDtoDAsync(s.device->ptr, state->ptr,
                                    count * sizeof(T), compute),
               "cuMemcpyDtoDAsync");
    } else if (value) {
      KernelArgs args(kThreadExposuresTid);
      args.memref(kExposuresParams, *params);
      args.memref(kExposuresState, *state);
      args.memref(kExposuresCoupling, *coupling);
      args.memref(kExposuresOut, *s.device);
      args.memref(kExposuresNodeParams, *nodeParams);
      args.scalar<int64_t>(kExposuresNumNodes, int64_t(numNodes));
      args.scalar<int64_t>(kThreadExposuresNumSets, int64_t(arrays->lanes));
      d->check(d->cuLaunchKernel(exposuresKernel, blocks(), 1, 1,
                                 kThreadsPerBlock, 1, 1, 0, compute,
                                 args.data(), nullptr),
               "cuLaunchKernel(rateml_exposures)");
    }
    d->check(d->cuEventRecord(s.taken, compute), "cuEventRecord");
    d->check(d->cuStreamWaitEvent(copy, s.taken, 0), "cuStreamWaitEvent");
    if (value)
      d->check(
          d->cuMemcpyDtoHAsync(s.host, s.device->ptr, count * sizeof(T), copy),
          "cuMemcpyDtoHAsync");
    if (sum)
      d->check(d->cuMemcpyDtoHAsync(s.sumHost, s.sumDevice->ptr,
                                    count * sizeof(double), copy),
               "cuMemcpyDtoHAsync");
    d->check(d->cuEventRecord(s.copied, copy), "cuEventRecord");
  }
  /// The `diverged` entry of every set, once everything queued has run.
  std::vector<int32_t> divergedEntries() {
    const size_t bytes = arrays->lanes * sizeof(int32_t);
    if (!divergedHost)
      d->check(
          d->cuMemAllocHost(reinterpret_cast<void **>(&divergedHost), bytes),
          "cuMemAllocHost");
    d->check(d->cuMemcpyDtoHAsync(divergedHost, diverged->ptr, bytes, compute),
             "cuMemcpyDtoHAsync");
    d->check(d->cuStreamSynchronize(compute), "cuStreamSynchronize");
    return std::vector<int32_t>(divergedHost, divergedHost + arrays->lanes);
  }
  /// Waits for the slot's copies; returns its values and sums.
  std::pair<const T *, const double *> collect(int slot) {
    d->check(d->cuEventSynchronize(samples[slot].copied), "cuEventSynchronize");
    return {samples[slot].host, samples[slot].sumHost};
  }

private:
  /// A host array whose size differs from the planned buffer's means that
  /// CudaBuffers and buildLaneArrays disagree: the batch plan is wrong.
  static void checkPlanned(size_t hostElements, size_t plannedElements,
                           bool atMost = false) {
    if (atMost ? hostElements > plannedElements
               : hostElements != plannedElements)
      throw Error("internal error: a GPU buffer differs from its size in "
                  "the batch plan (CudaBuffers)");
  }
  /// Queues a copy from (pageable) host memory on the compute stream: the
  /// driver stages `host` before returning, so it may change afterwards,
  /// and the kernels queued later see the data.
  void put(CUdeviceptr to, const void *host, size_t bytes) {
    d->check(d->cuMemcpyHtoDAsync(to, host, bytes, compute),
             "cuMemcpyHtoDAsync");
  }
  void copyOnDevice(CUdeviceptr to, CUdeviceptr from, size_t bytes) {
    d->check(d->cuMemcpyDtoDAsync(to, from, bytes, compute),
             "cuMemcpyDtoDAsync");
  }
  /// Frees what the constructor and upload() made; nothing may still write
  /// into the buffers freed here.
  void release() {
    if (compute)
      d->cuStreamSynchronize(compute);
    if (copy)
      d->cuStreamSynchronize(copy);
    if (divergedHost)
      d->cuMemFreeHost(divergedHost);
    for (Slot &s : samples) {
      if (s.host)
        d->cuMemFreeHost(s.host);
      if (s.sumHost)
        d->cuMemFreeHost(s.sumHost);
      if (s.taken)
        d->cuEventDestroy(s.taken);
      if (s.copied)
        d->cuEventDestroy(s.copied);
    }
    if (compute)
      d->cuStreamDestroy(compute);
    if (copy)
      d->cuStreamDestroy(copy);
  }
  unsigned blocks() const {
    return unsigned((arrays->lanes + kThreadsPerBlock - 1) / kThreadsPerBlock);
  }
  struct Slot {
    std::unique_ptr<DeviceArray> device, sumDevice;
    T *host = nullptr;
    double *sumHost = nullptr;
    void *taken = nullptr, *copied = nullptr;
  };
  CudaBackend::Driver *d;
  void *stepKernel, *exposuresKernel;
  const SweepOptions &options;
  /// `count`: elements of one sample, the recorded variables of every
  /// node and set (the size of LaneArrays::out).
  size_t numNodes, count = 0;
  void *compute = nullptr, *copy = nullptr;
  LaneArrays<T> *arrays = nullptr;
  int32_t *divergedHost = nullptr;
  std::unique_ptr<DeviceArray> params, state, history, delays, rowStart,
      sources, weights, coupling, sets, diverged, nodeParams, stimulusScale,
      stimulusWindow;
  Slot samples[2];
};

} // namespace

template <typename T>
void CudaBackend::run(const std::vector<size_t> &sets,
                      const std::vector<std::vector<double>> &slots,
                      const std::vector<size_t> &order, BatchOutput &out,
                      SweepControl &control) {
  const ModelInfo &info = inputs.info;
  const EdgeList &edges = inputs.edgesOf(slots[order.front()]);
  const SweepOptions &options = inputs.options;
  const SweepResult &shape = inputs.shape;
  // Builds the arrays, then advances a chunk of steps per launch and feeds
  // the monitors: `every` steps for raw samples; with window means or BOLD,
  // the windows' common divisor, the kernel summing the recorded variables
  // over the chunk. Samples are double-buffered: sample k is taken into
  // slot k % 2 and collected only after the next chunk and its snapshot have
  // been queued, so its copy to the host and the host's work on it overlap
  // that chunk's compute.
  CudaLauncher<T> launcher(driver.get(), stepKernel, exposuresKernel, options,
                           edges.numNodes);
  const size_t L = order.size(), N = edges.numNodes;
  std::vector<const std::vector<double> *> laneSlots;
  std::vector<size_t> laneSets;
  for (size_t set : order) {
    laneSlots.push_back(&slots[set]);
    laneSets.push_back(sets[set]);
  }
  const InitialHistory *initial = shape.initial ? &*shape.initial : nullptr;
  const Stimulus *stimulus = shape.stimulus ? &*shape.stimulus : nullptr;
  LaneArrays<T> a =
      buildLaneArrays<T>(info, edges, options, initial, stimulus, laneSlots,
                         laneSets, /*copiedRows=*/0, /*withHistory=*/false);
  Monitors<T> monitors(shape, N, L, order, out);
  const bool sums = shape.monitorsSum();
  std::function<void(size_t, size_t, T *)> fillSeries;
  if (initial)
    fillSeries = [&](size_t c, size_t i, T *series) {
      fillHistorySeries(info, options, initial, laneSets, a, N, c, i, series);
    };
  const CudaBatchShape buffers{info,
                               N,
                               edges.numEdges(),
                               shape.varNames.size(),
                               a.historyRows,
                               a.sharedDelays,
                               sums,
                               stimulusRows(shape)};
  launcher.upload(a, buffers.buffers(L), info.historyStates, fillSeries);
  // Snapshots in flight, oldest first: slot and steps done when taken.
  std::deque<std::pair<int, uint64_t>> pending;
  int nextSlot = 0;
  auto take = [&](uint64_t done) {
    if (!monitors.wants(done))
      return;
    launcher.snapshot(nextSlot, !sums || monitors.wantsValue(done),
                      sums && done > 0);
    pending.emplace_back(nextSlot, done);
    nextSlot ^= 1;
  };
  auto processOldest = [&]() {
    auto [slot, done] = pending.front();
    pending.pop_front();
    auto [values, summed] = launcher.collect(slot);
    monitors.add(values, done, sums ? summed : nullptr);
  };
  const auto loopStart = std::chrono::steady_clock::now();
  take(0);
  const uint64_t chunk = stepsPerLaunch(shape);
  std::vector<T> window;
  for (uint64_t n = 0; n < shape.steps; n += chunk) {
    uint64_t count = std::min<uint64_t>(chunk, shape.steps - n);
    if (stimulus) {
      window.resize(size_t(count) * info.states.size() * N);
      stimulus->fillWindow(n, size_t(count), window.data());
      launcher.putStimulus(window);
    }
    // The slot the next take() uses: its previous sample was collected.
    launcher.step(n, count, sums ? nextSlot : -1);
    take(n + count);
    // Both slots are in use: the older one is collected while the GPU
    // works on what was just queued, and is then free for the next take.
    while (pending.size() > 1)
      processOldest();
    control.done.fetch_add(L * count, std::memory_order_relaxed);
    if (control.stop.load(std::memory_order_relaxed))
      throw Interrupted();
  }
  while (!pending.empty())
    processOldest();
  const std::vector<int32_t> diverged = launcher.divergedEntries();
  for (size_t l = 0; l < L; ++l)
    out.diverged[order[l]] = divergedStep(diverged[l]);
  loopTime += std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                            loopStart)
                  .count();
}
