//===- HugePages.h - Large arrays on transparent huge pages -----*- C++ -*-===//
//
// An allocator for the CPU tiles' history: arrays of 2 MiB and more are
// aligned to 2 MiB and marked for transparent huge pages (madvise), so the
// kernels' scattered reads of a history of megabytes miss the TLB far less
// and allocating it faults in a few pages instead of thousands
// (docs/performance.md, "Per-set delays"). Linux only; elsewhere, and where
// THP is off, it is a plain aligned allocation.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_HUGEPAGES_H
#define RATEML_RUNTIME_HUGEPAGES_H

#include <cstddef>
#include <cstdlib>
#include <new>
#include <sys/mman.h>
#include <vector>

namespace rateml::runtime {

template <typename T> struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHugePageBytes = size_t(2) << 20;

  HugePageAllocator() = default;
  template <typename U> HugePageAllocator(const HugePageAllocator<U> &) {}

  T *allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes)
      return std::allocator<T>().allocate(n);
    const size_t rounded =
        (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    void *p = std::aligned_alloc(kHugePageBytes, rounded);
    if (!p)
      throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    // Advice only: without THP the pages stay small.
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return static_cast<T *>(p);
  }
  void deallocate(T *p, size_t n) {
    if (n * sizeof(T) < kHugePageBytes)
      std::allocator<T>().deallocate(p, n);
    else
      std::free(p);
  }
  template <typename U> bool operator==(const HugePageAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const HugePageAllocator<U> &) const {
    return false;
  }
};

/// A CPU tile's history (LaneArrays::history).
template <typename T> using HistoryArray = std::vector<T, HugePageAllocator<T>>;

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_HUGEPAGES_H
