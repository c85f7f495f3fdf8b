//===- Limits.h - Bounds on sizes derived from input ------------*- C++ -*-===//
//
// Every size sweep.bin derives from its input (options, .npy headers, CSV
// tables, connectome files) is computed with the overflow checks here and
// compared with these limits before anything is allocated or simulated, so
// that absurd input is refused with a one-line Error naming the option or
// file and the limit, instead of wrapping around, crashing or exhausting
// memory hours into a run.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_LIMITS_H
#define RATEML_RUNTIME_LIMITS_H

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

namespace rateml::runtime {

/// Steps of one run: the kernels' noise counter holds the step in 32 bits
/// (docs/simulation.md), so a longer run would repeat its noise; and the
/// kernels record a step index in 32 bits with all ones meaning "none"
/// (KernelABI.h's `diverged`), so the last index is never used.
constexpr uint64_t kMaxSteps = (uint64_t(1) << 32) - 1;
/// Parameter sets of one sweep: the set index is a 32-bit word of the noise
/// and initial-state counters.
constexpr uint64_t kMaxSets = uint64_t(1) << 32;
/// Worker threads (--threads): more than any machine's cores; each thread
/// costs a stack.
constexpr uint64_t kMaxThreads = 1024;
/// Points of one swept parameter (--sweep NAME=LO:HI:COUNT, -sN COUNT).
constexpr uint64_t kMaxAxisPoints = 100000000;

/// The product of `factors`, or nothing when it exceeds `limit` (or 2^64).
std::optional<uint64_t> boundedProduct(std::initializer_list<uint64_t> factors,
                                       uint64_t limit = UINT64_MAX);

/// The whole number of steps of `unit` closest to `length` (both positive
/// and finite, e.g. ms and dt), or nothing when it exceeds `limit`: the
/// check comes before the rounding, whose result is undefined past 2^63.
std::optional<uint64_t> wholeSteps(double length, double unit,
                                   uint64_t limit = kMaxSteps);

/// The index of the first non-finite value of values[0, n), if any.
std::optional<size_t> firstNonFinite(const double *values, size_t n);

/// Bytes of memory the system can still give this process.
uint64_t availableMemory();
/// Bytes free to an unprivileged writer on the file system that holds
/// `path` (a file that need not exist yet); nothing when unknown.
std::optional<uint64_t> freeDiskBytes(const std::string &path);

/// `bytes` for messages: "512 B", "3.2 MiB", "1.5 TiB".
std::string formatBytes(uint64_t bytes);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_LIMITS_H
