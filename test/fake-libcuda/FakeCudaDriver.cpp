//===- FakeCudaDriver.cpp - libcuda.so.1 for tests without a GPU ----------===//
//
// The CUDA driver entry points that sweep.bin's GPU backend
// (runtime/lib/CudaBackend.cpp) resolves, implemented on the host, so that
// the backend's driver plumbing (loading, memory plan, parameter packing,
// streams, events, pinned copies, error reporting) runs in CI, which has no
// GPU. Device memory is host memory; launching rateml_step or
// rateml_exposures runs the kernels' host versions
// (_mlir_ciface_rateml_thread_*, which sweep.bin exports) for every thread
// of the grid that has a set, as the GPU kernels' prologue does.
//
// It is stricter than a real driver where a real one would misbehave
// silently, and answers with an error code plus a "fake libcuda:" line:
// kernel parameters must match the PTX's `.param` list, memrefs must lie in
// allocations, the grid must cover every set, asynchronous copies to the
// host must target pinned memory, and memory must not be freed or
// overwritten while queued work uses it. It is also lazy: queued work runs
// only when a synchronisation needs it, and fresh memory is filled with
// 0xff bytes (NaN), so a missing dependency yields NaN or stale samples
// instead of passing by luck.
//
// Environment:
//   RATEML_FAKE_CUDA_DEVICES  number of devices (default 1)
//   RATEML_FAKE_CUDA_MEMORY   device memory in bytes (default 1 GiB); both
//                             what cuMemGetInfo reports free and a hard cap
//   RATEML_FAKE_CUDA_CC       compute capability major (default 7, so the
//                             PTX is JIT-"compiled"; 8 or 9 load a cubin)
//   RATEML_FAKE_CUDA_FAIL     NAME[:K] makes the K-th call (default 1st) of
//                             entry point NAME fail
//   RATEML_FAKE_CUDA_LOG      file to which a summary of each session is
//                             appended (module kind, launches, copies,
//                             allocations still live at context release)
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/KernelABI.h"
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

using rateml::runtime::MemRef1D;
namespace abi = rateml::runtime;

namespace {
using CUresult = int;
enum : CUresult {
  kSuccess = 0,
  kInvalidValue = 1,
  kOutOfMemory = 2,
  kNotInitialized = 3,
  kInvalidDevice = 101,
  kInvalidImage = 200,
  kInvalidHandle = 400,
  kIllegalState = 401,
  kNotFound = 500,
  kLaunchFailed = 719,
  kUnknown = 999,
};

const char *errorName(CUresult r) {
  switch (r) {
  case kSuccess:
    return "CUDA_SUCCESS";
  case kInvalidValue:
    return "CUDA_ERROR_INVALID_VALUE";
  case kOutOfMemory:
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case kNotInitialized:
    return "CUDA_ERROR_NOT_INITIALIZED";
  case kInvalidDevice:
    return "CUDA_ERROR_INVALID_DEVICE";
  case kInvalidImage:
    return "CUDA_ERROR_INVALID_IMAGE";
  case kInvalidHandle:
    return "CUDA_ERROR_INVALID_HANDLE";
  case kIllegalState:
    return "CUDA_ERROR_ILLEGAL_STATE";
  case kNotFound:
    return "CUDA_ERROR_NOT_FOUND";
  case kLaunchFailed:
    return "CUDA_ERROR_LAUNCH_FAILED";
  case kUnknown:
    return "CUDA_ERROR_UNKNOWN";
  default:
    return nullptr;
  }
}

/// Reports a misuse the real driver might not catch and returns `code`.
CUresult misuse(CUresult code, const char *format, ...) {
  std::fprintf(stderr, "fake libcuda: ");
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fprintf(stderr, "\n");
  return code;
}

size_t envSize(const char *name, size_t fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 0) : fallback;
}

/// RATEML_FAKE_CUDA_FAIL: true when this call of `entry` is to fail.
bool injectFailure(const char *entry) {
  static std::map<std::string, unsigned> calls;
  const char *spec = std::getenv("RATEML_FAKE_CUDA_FAIL");
  if (!spec)
    return false;
  std::string name = spec;
  unsigned which = 1;
  if (size_t colon = name.find(':'); colon != std::string::npos) {
    which = unsigned(std::strtoul(name.c_str() + colon + 1, nullptr, 10));
    name.resize(colon);
  }
  return name == entry && ++calls[name] == which;
}

struct Allocation {
  size_t bytes;
  bool pinned;
};

/// A queued operation: work to run, the allocations it touches, or a wait
/// for operation `waitIndex` of another stream.
struct Stream;
struct Operation {
  std::function<void()> run;
  std::vector<uintptr_t> touches;
  Stream *waitStream = nullptr;
  size_t waitIndex = 0;
};
struct Stream {
  std::vector<Operation> ops;
  size_t done = 0;
};
struct Event {
  Stream *stream = nullptr;
  size_t index = 0;
};

enum class KernelKind { Step, Exposures };
/// A GPU kernel's parameters, read off the C type of its host version
/// (KernelABI.h): memrefs first, then scalars, the host version's last
/// parameter (tid) being what the grid gives the GPU kernel.
struct KernelSignature {
  size_t memrefs = 0;
  /// Sizes of the GPU kernel's scalars (without tid).
  std::vector<size_t> scalarBytes;
  /// The argument that holds the number of sets.
  unsigned numSetsArg = 0;

  void add(bool memref, size_t bytes) {
    if (memref && !scalarBytes.empty())
      std::abort(); // KernelABI.h puts every memref before the scalars.
    if (memref)
      ++memrefs;
    else
      scalarBytes.push_back(bytes);
  }
  std::vector<size_t> paramBytes() const {
    std::vector<size_t> bytes(memrefs * 5, 8);
    bytes.insert(bytes.end(), scalarBytes.begin(), scalarBytes.end());
    return bytes;
  }
};
template <typename... P>
KernelSignature signatureOf(void (*)(P...), unsigned numSetsArg) {
  KernelSignature s;
  (s.add(std::is_same_v<P, MemRef1D *>, sizeof(P)), ...);
  s.scalarBytes.pop_back(); // tid
  s.numSetsArg = numSetsArg;
  return s;
}
const KernelSignature kStepSignature = signatureOf(
    static_cast<abi::ThreadStepKernel *>(nullptr), abi::kThreadStepNumSets);
const KernelSignature kExposuresSignature =
    signatureOf(static_cast<abi::ThreadExposuresKernel *>(nullptr),
                abi::kThreadExposuresNumSets);

/// Calls host version `f` for thread `tid` with a launch's memrefs and
/// scalars (each in the low bytes of a uint64).
template <typename P>
P argument(size_t i, MemRef1D *memrefs, size_t numMemrefs,
           const uint64_t *scalars) {
  if constexpr (std::is_same_v<P, MemRef1D *>) {
    return &memrefs[i];
  } else {
    P value;
    std::memcpy(&value, &scalars[i - numMemrefs], sizeof(P));
    return value;
  }
}
template <typename... P, size_t... I>
void callThread(void (*f)(P...), std::index_sequence<I...>, MemRef1D *memrefs,
                size_t numMemrefs, std::vector<uint64_t> scalars, int64_t tid) {
  scalars.push_back(uint64_t(tid));
  f(argument<P>(I, memrefs, numMemrefs, scalars.data())...);
}
template <typename... P>
void callThread(void (*f)(P...), MemRef1D *memrefs, size_t numMemrefs,
                const std::vector<uint64_t> &scalars, int64_t tid) {
  callThread(f, std::index_sequence_for<P...>(), memrefs, numMemrefs, scalars,
             tid);
}

struct Function {
  KernelKind kind;
  void *host;
};
struct Module {
  bool cubin = false;
  std::string target;
  /// The loaded object (sweep.bin, or a model's library in Python) whose
  /// data holds the image: its host versions of the kernels are the ones
  /// to run, even when several models are loaded.
  void *origin = RTLD_DEFAULT;
  /// Entry name -> parameter sizes (from the PTX; the expected ones for a
  /// cubin, whose parameter table is not read).
  std::map<std::string, std::vector<size_t>> entries;
  std::map<std::string, Function> functions;
};

struct State {
  bool initialised = false;
  std::map<uintptr_t, Allocation> allocations;
  size_t deviceBytes = 0;
  std::set<Stream *> streams;
  unsigned long launches = 0, copiesToHost = 0;
  std::string moduleKind;
};
State &state() {
  static State s;
  return s;
}

/// The allocation holding [p, p + bytes), or null.
const Allocation *findAllocation(uintptr_t p, size_t bytes,
                                 uintptr_t *base = nullptr) {
  auto &allocations = state().allocations;
  auto it = allocations.upper_bound(p);
  if (it == allocations.begin())
    return nullptr;
  --it;
  if (p + bytes > it->first + it->second.bytes)
    return nullptr;
  if (base)
    *base = it->first;
  return &it->second;
}

/// True when work still queued on some stream touches allocation `base`.
bool queuedWorkTouches(uintptr_t base) {
  for (Stream *s : state().streams)
    for (size_t i = s->done; i < s->ops.size(); ++i)
      for (uintptr_t t : s->ops[i].touches)
        if (t == base)
          return true;
  return false;
}

/// Runs the stream's operations up to and including `index`, and first what
/// they wait for.
void runThrough(Stream *s, size_t index) {
  while (s->done <= index && s->done < s->ops.size()) {
    Operation &op = s->ops[s->done];
    if (op.waitStream)
      runThrough(op.waitStream, op.waitIndex);
    if (op.run)
      op.run();
    ++s->done;
  }
}

/// Queues `op` on stream `s`. Work on the legacy default stream (null) is
/// refused: it is not ordered with the non-blocking streams sweep.bin uses.
CUresult enqueue(Stream *s, Operation op) {
  if (!s || !state().streams.count(s))
    return misuse(kInvalidHandle, "work queued outside sweep.bin's streams");
  s->ops.push_back(std::move(op));
  return kSuccess;
}

void log(const char *format, ...) {
  const char *path = std::getenv("RATEML_FAKE_CUDA_LOG");
  if (!path)
    return;
  FILE *f = std::fopen(path, "a");
  if (!f)
    return;
  va_list args;
  va_start(args, format);
  std::vfprintf(f, format, args);
  va_end(args);
  std::fputc('\n', f);
  std::fclose(f);
}

/// Bytes of a PTX scalar type such as u64 or b32.
size_t ptxTypeBytes(const std::string &type) {
  return type.size() < 2 ? 0 : std::strtoul(type.c_str() + 1, nullptr, 10) / 8;
}

/// Entries and `.param` sizes of a PTX module.
Module parsePtx(const char *ptx) {
  Module m;
  std::string text = ptx;
  if (size_t t = text.find(".target "); t != std::string::npos)
    m.target = text.substr(t + 8, text.find_first_of("\n,", t) - t - 8);
  for (size_t at = text.find(".entry "); at != std::string::npos;
       at = text.find(".entry ", at + 1)) {
    size_t open = text.find('(', at), close = text.find(')', at);
    if (open == std::string::npos || close == std::string::npos)
      break;
    std::string name = text.substr(at + 7, open - at - 7);
    std::vector<size_t> &params = m.entries[name];
    for (size_t p = text.find(".param .", open); p < close;
         p = text.find(".param .", p + 1))
      params.push_back(
          ptxTypeBytes(text.substr(p + 8, text.find(' ', p + 8) - p - 8)));
  }
  return m;
}

/// A cubin's extent from its ELF header, or 0 when it is not a CUDA ELF.
size_t cubinBytes(const unsigned char *image) {
  constexpr uint16_t kMachineCuda = 190;
  uint16_t machine, shentsize, shnum;
  uint64_t shoff;
  if (std::memcmp(image,
                  "\x7f"
                  "ELF\x02",
                  5) != 0)
    return 0;
  std::memcpy(&machine, image + 18, 2);
  std::memcpy(&shoff, image + 40, 8);
  std::memcpy(&shentsize, image + 58, 2);
  std::memcpy(&shnum, image + 60, 2);
  return machine == kMachineCuda ? shoff + size_t(shentsize) * shnum : 0;
}
} // namespace

#define FAKE_ENTRY(name)                                                       \
  if (injectFailure(name))                                                     \
    return std::strncmp(name, "cuMemAlloc", 10) == 0  ? kOutOfMemory           \
           : std::strcmp(name, "cuLaunchKernel") == 0 ? kLaunchFailed          \
                                                      : kUnknown;

extern "C" {

CUresult cuGetErrorName(CUresult error, const char **name) {
  *name = errorName(error);
  return *name ? kSuccess : kInvalidValue;
}

CUresult cuInit(unsigned flags) {
  FAKE_ENTRY("cuInit");
  if (flags != 0)
    return kInvalidValue;
  state().initialised = true;
  return kSuccess;
}

CUresult cuDeviceGetCount(int *count) {
  FAKE_ENTRY("cuDeviceGetCount");
  if (!state().initialised)
    return kNotInitialized;
  *count = int(envSize("RATEML_FAKE_CUDA_DEVICES", 1));
  return kSuccess;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  FAKE_ENTRY("cuDeviceGet");
  if (ordinal < 0 || size_t(ordinal) >= envSize("RATEML_FAKE_CUDA_DEVICES", 1))
    return kInvalidDevice;
  *device = ordinal;
  return kSuccess;
}

CUresult cuDeviceGetName(char *name, int length, int) {
  FAKE_ENTRY("cuDeviceGetName");
  std::snprintf(name, size_t(length), "fake CUDA device (test/fake-libcuda)");
  return kSuccess;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, int) {
  FAKE_ENTRY("cuDeviceGetAttribute");
  constexpr int kComputeCapabilityMajor = 75, kComputeCapabilityMinor = 76;
  if (attribute == kComputeCapabilityMajor)
    *value = int(envSize("RATEML_FAKE_CUDA_CC", 7));
  else if (attribute == kComputeCapabilityMinor)
    *value = 0;
  else
    return misuse(kInvalidValue, "attribute %d is not faked", attribute);
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRetain(void **context, int) {
  FAKE_ENTRY("cuDevicePrimaryCtxRetain");
  static int primaryContext;
  *context = &primaryContext;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRelease_v2(int) {
  FAKE_ENTRY("cuDevicePrimaryCtxRelease");
  State &s = state();
  size_t device = 0, pinned = 0;
  for (auto &[base, a] : s.allocations)
    (a.pinned ? pinned : device)++;
  log("release: %s module, %lu launches, %lu copies to the host, %zu device "
      "allocations and %zu pinned buffers live, %zu streams",
      s.moduleKind.empty() ? "no" : s.moduleKind.c_str(), s.launches,
      s.copiesToHost, device, pinned, s.streams.size());
  return kSuccess;
}

CUresult cuCtxSetCurrent(void *context) {
  FAKE_ENTRY("cuCtxSetCurrent");
  return context ? kSuccess : kInvalidValue;
}

CUresult cuModuleLoadData(void **module, const void *image) {
  FAKE_ENTRY("cuModuleLoadData");
  auto m = std::make_unique<Module>();
  const auto *bytes = static_cast<const unsigned char *>(image);
  if (std::memcmp(bytes,
                  "\x7f"
                  "ELF",
                  4) == 0) {
    size_t size = cubinBytes(bytes);
    if (size == 0)
      return misuse(kInvalidImage, "an ELF image that is not a CUDA cubin");
    std::string elf(reinterpret_cast<const char *>(bytes), size);
    m->cubin = true;
    for (auto [name, signature] :
         {std::pair{abi::symbol::kStep, &kStepSignature},
          std::pair{abi::symbol::kExposures, &kExposuresSignature}})
      if (elf.find(std::string(".text.") + name + '\0') != std::string::npos)
        m->entries[name] = signature->paramBytes();
  } else {
    *m = parsePtx(static_cast<const char *>(image));
    if (m->entries.empty())
      return misuse(kInvalidImage, "PTX without a .entry");
  }
  Dl_info info;
  if (dladdr(image, &info) && info.dli_fname)
    if (void *handle = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD))
      m->origin = handle;
  state().moduleKind = m->cubin ? "cubin" : "PTX (" + m->target + ")";
  *module = m.release();
  return kSuccess;
}

CUresult cuModuleUnload(void *module) {
  FAKE_ENTRY("cuModuleUnload");
  auto *m = static_cast<Module *>(module);
  if (m->origin != RTLD_DEFAULT)
    dlclose(m->origin);
  delete m;
  return kSuccess;
}

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  FAKE_ENTRY("cuModuleGetFunction");
  auto *m = static_cast<Module *>(module);
  auto entry = m->entries.find(name);
  if (entry == m->entries.end())
    return kNotFound;
  std::string kernel = name;
  const KernelSignature *signature =
      kernel == abi::symbol::kStep        ? &kStepSignature
      : kernel == abi::symbol::kExposures ? &kExposuresSignature
                                          : nullptr;
  if (!signature)
    return misuse(kNotFound, "no host version of kernel %s", name);
  if (entry->second != signature->paramBytes())
    return misuse(kInvalidImage,
                  "%s's .param list (%zu parameters) is not the thread "
                  "kernel's (%zu memrefs, then the scalars)",
                  name, entry->second.size(), signature->memrefs);
  std::string hostName =
      std::string(abi::symbol::kCInterfacePrefix) +
      (signature == &kStepSignature ? abi::symbol::kThreadStep
                                    : abi::symbol::kThreadExposures);
  void *host = dlsym(m->origin, hostName.c_str());
  if (!host)
    return misuse(kNotFound, "the executable does not export %s",
                  hostName.c_str());
  *function = &(m->functions[kernel] = {signature == &kStepSignature
                                            ? KernelKind::Step
                                            : KernelKind::Exposures,
                                        host});
  return kSuccess;
}

CUresult cuMemGetInfo_v2(size_t *free, size_t *total) {
  FAKE_ENTRY("cuMemGetInfo");
  *total = envSize("RATEML_FAKE_CUDA_MEMORY", size_t(1) << 30);
  *free = *total - state().deviceBytes;
  return kSuccess;
}

static CUresult allocate(void **p, size_t bytes, bool pinned) {
  if (bytes == 0) // as documented for cuMemAlloc and cuMemAllocHost
    return kInvalidValue;
  State &s = state();
  if (!pinned && s.deviceBytes + bytes >
                     envSize("RATEML_FAKE_CUDA_MEMORY", size_t(1) << 30))
    return kOutOfMemory;
  *p = std::malloc(bytes);
  if (!*p)
    return kOutOfMemory;
  std::memset(*p, 0xff, bytes);
  s.allocations[reinterpret_cast<uintptr_t>(*p)] = {bytes, pinned};
  if (!pinned)
    s.deviceBytes += bytes;
  return kSuccess;
}

static CUresult release(uintptr_t p, bool pinned, const char *entry) {
  State &s = state();
  auto it = s.allocations.find(p);
  if (it == s.allocations.end() || it->second.pinned != pinned)
    return misuse(kInvalidValue, "%s of a pointer it did not allocate", entry);
  if (queuedWorkTouches(p))
    return misuse(kIllegalState, "%s while queued work still uses the memory",
                  entry);
  if (!pinned)
    s.deviceBytes -= it->second.bytes;
  s.allocations.erase(it);
  std::free(reinterpret_cast<void *>(p));
  return kSuccess;
}

CUresult cuMemAlloc_v2(unsigned long long *ptr, size_t bytes) {
  FAKE_ENTRY("cuMemAlloc");
  void *p = nullptr;
  CUresult r = allocate(&p, bytes, false);
  *ptr = reinterpret_cast<uintptr_t>(p);
  return r;
}

CUresult cuMemFree_v2(unsigned long long ptr) {
  FAKE_ENTRY("cuMemFree");
  return release(ptr, false, "cuMemFree");
}

CUresult cuMemAllocHost_v2(void **p, size_t bytes) {
  FAKE_ENTRY("cuMemAllocHost");
  return allocate(p, bytes, true);
}

CUresult cuMemFreeHost(void *p) {
  FAKE_ENTRY("cuMemFreeHost");
  return release(reinterpret_cast<uintptr_t>(p), true, "cuMemFreeHost");
}

CUresult cuMemcpyHtoDAsync_v2(unsigned long long dst, const void *src,
                              size_t bytes, void *stream) {
  FAKE_ENTRY("cuMemcpyHtoDAsync");
  uintptr_t base;
  const Allocation *a = findAllocation(dst, bytes, &base);
  if (!a || a->pinned)
    return misuse(kInvalidValue, "cuMemcpyHtoDAsync outside device memory");
  Operation op{nullptr, {base}};
  uintptr_t pinnedBase;
  if (const Allocation *p =
          findAllocation(reinterpret_cast<uintptr_t>(src), bytes, &pinnedBase);
      p && p->pinned) {
    // Pinned memory is read when the copy runs.
    op.touches.push_back(pinnedBase);
    op.run = [=] { std::memcpy(reinterpret_cast<void *>(dst), src, bytes); };
  } else {
    // Pageable memory is staged before the call returns.
    auto staged = std::make_shared<std::vector<char>>(
        static_cast<const char *>(src), static_cast<const char *>(src) + bytes);
    op.run = [=] {
      std::memcpy(reinterpret_cast<void *>(dst), staged->data(), bytes);
    };
  }
  return enqueue(static_cast<Stream *>(stream), std::move(op));
}

CUresult cuMemcpyDtoDAsync_v2(unsigned long long dst, unsigned long long src,
                              size_t bytes, void *stream) {
  FAKE_ENTRY("cuMemcpyDtoDAsync");
  uintptr_t dstBase, srcBase;
  const Allocation *d = findAllocation(dst, bytes, &dstBase);
  const Allocation *s = findAllocation(src, bytes, &srcBase);
  if (!d || !s || d->pinned || s->pinned)
    return misuse(kInvalidValue, "cuMemcpyDtoDAsync outside device memory");
  return enqueue(static_cast<Stream *>(stream),
                 {[=] {
                    std::memcpy(reinterpret_cast<void *>(dst),
                                reinterpret_cast<const void *>(src), bytes);
                  },
                  {dstBase, srcBase}});
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, unsigned long long src, size_t bytes,
                              void *stream) {
  FAKE_ENTRY("cuMemcpyDtoHAsync");
  uintptr_t dstBase, srcBase;
  const Allocation *d =
      findAllocation(reinterpret_cast<uintptr_t>(dst), bytes, &dstBase);
  const Allocation *s = findAllocation(src, bytes, &srcBase);
  if (!s || s->pinned)
    return misuse(kInvalidValue,
                  "cuMemcpyDtoHAsync from outside device memory");
  if (!d || !d->pinned)
    return misuse(kInvalidValue,
                  "cuMemcpyDtoHAsync into pageable memory (it would not "
                  "overlap with compute)");
  ++state().copiesToHost;
  return enqueue(
      static_cast<Stream *>(stream),
      {[=] { std::memcpy(dst, reinterpret_cast<const void *>(src), bytes); },
       {dstBase, srcBase}});
}

CUresult cuStreamCreate(void **stream, unsigned) {
  FAKE_ENTRY("cuStreamCreate");
  auto *s = new Stream();
  state().streams.insert(s);
  *stream = s;
  return kSuccess;
}

CUresult cuStreamDestroy_v2(void *stream) {
  FAKE_ENTRY("cuStreamDestroy");
  auto *s = static_cast<Stream *>(stream);
  if (!state().streams.erase(s))
    return kInvalidHandle;
  runThrough(s, s->ops.size()); // queued work still completes
  delete s;
  return kSuccess;
}

CUresult cuStreamSynchronize(void *stream) {
  FAKE_ENTRY("cuStreamSynchronize");
  auto *s = static_cast<Stream *>(stream);
  if (!state().streams.count(s))
    return kInvalidHandle;
  runThrough(s, s->ops.size());
  return kSuccess;
}

CUresult cuEventCreate(void **event, unsigned) {
  FAKE_ENTRY("cuEventCreate");
  *event = new Event();
  return kSuccess;
}

CUresult cuEventDestroy_v2(void *event) {
  FAKE_ENTRY("cuEventDestroy");
  delete static_cast<Event *>(event);
  return kSuccess;
}

CUresult cuEventRecord(void *event, void *stream) {
  FAKE_ENTRY("cuEventRecord");
  auto *e = static_cast<Event *>(event);
  auto *s = static_cast<Stream *>(stream);
  if (!s)
    return misuse(kInvalidHandle, "events on the legacy stream are not faked");
  s->ops.emplace_back();
  *e = {s, s->ops.size() - 1};
  return kSuccess;
}

CUresult cuStreamWaitEvent(void *stream, void *event, unsigned) {
  FAKE_ENTRY("cuStreamWaitEvent");
  auto *e = static_cast<Event *>(event);
  auto *s = static_cast<Stream *>(stream);
  if (!s)
    return misuse(kInvalidHandle, "waits on the legacy stream are not faked");
  if (e->stream) // an event never recorded is complete
    s->ops.push_back({nullptr, {}, e->stream, e->index});
  return kSuccess;
}

CUresult cuEventSynchronize(void *event) {
  FAKE_ENTRY("cuEventSynchronize");
  auto *e = static_cast<Event *>(event);
  if (e->stream)
    runThrough(e->stream, e->index);
  return kSuccess;
}

CUresult cuLaunchKernel(void *function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, void *stream,
                        void **params, void **extra) {
  FAKE_ENTRY("cuLaunchKernel");
  auto *f = static_cast<Function *>(function);
  if (!f || !params || extra || gridX == 0 || blockX == 0 || blockX > 1024)
    return kInvalidValue;
  if (gridY != 1 || gridZ != 1 || blockY != 1 || blockZ != 1 || sharedBytes)
    return misuse(kInvalidValue, "only 1-D grids without shared memory");
  const KernelSignature &signature =
      f->kind == KernelKind::Step ? kStepSignature : kExposuresSignature;
  // The driver copies the parameters at launch, as done here.
  std::vector<size_t> bytes = signature.paramBytes();
  std::vector<uint64_t> values(bytes.size(), 0);
  for (size_t i = 0; i < bytes.size(); ++i)
    std::memcpy(&values[i], params[i], bytes[i]);
  std::vector<MemRef1D> memrefs(signature.memrefs);
  std::vector<uintptr_t> touches;
  for (size_t m = 0; m < signature.memrefs; ++m) {
    std::memcpy(&memrefs[m], &values[5 * m], sizeof(MemRef1D));
    const MemRef1D &d = memrefs[m];
    uintptr_t base;
    if (d.allocated != d.aligned || d.offset != 0 || d.stride != 1 ||
        d.size < 1 ||
        !findAllocation(reinterpret_cast<uintptr_t>(d.aligned),
                        size_t(d.size) * sizeof(float), &base))
      return misuse(kInvalidValue,
                    "memref argument %zu is not a 1-D array in device memory",
                    m);
    touches.push_back(base);
  }
  const std::vector<uint64_t> scalars(values.begin() + 5 * signature.memrefs,
                                      values.end());
  const int64_t numSets =
      int64_t(scalars[signature.numSetsArg - signature.memrefs]);
  const int64_t threads = int64_t(gridX) * blockX;
  if (threads < numSets || threads - numSets >= int64_t(blockX))
    return misuse(kInvalidValue, "a grid of %lld threads for %lld sets",
                  (long long)threads, (long long)numSets);
  ++state().launches;
  Operation op;
  op.touches = std::move(touches);
  const size_t numMemrefs = signature.memrefs;
  if (f->kind == KernelKind::Step) {
    auto *host = reinterpret_cast<abi::ThreadStepKernel *>(f->host);
    op.run = [=]() mutable {
      for (int64_t tid = 0; tid < numSets; ++tid)
        callThread(host, memrefs.data(), numMemrefs, scalars, tid);
    };
  } else {
    auto *host = reinterpret_cast<abi::ThreadExposuresKernel *>(f->host);
    op.run = [=]() mutable {
      for (int64_t tid = 0; tid < numSets; ++tid)
        callThread(host, memrefs.data(), numMemrefs, scalars, tid);
    };
  }
  return enqueue(static_cast<Stream *>(stream), std::move(op));
}

} // extern "C"
