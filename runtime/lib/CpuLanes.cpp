//===- CpuLanes.cpp - Which of the CPU kernels a sweep runs ---*- C++ -*-===//
//
// The choice between the kernels' two lane counts, from the history a tile
// holds and the size of the L2 cache.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CpuLanes.h"
#include "rateml/runtime/Error.h"
#include <fstream>
#include <string>
#include <unistd.h>

using namespace rateml::runtime;

unsigned rateml::runtime::chooseCpuLanes(const ModelInfo &info,
                                         unsigned requested,
                                         size_t historyBytesPerSet,
                                         size_t l2Bytes) {
  if (requested != 0) {
    if (requested != info.lanes && requested != info.narrowLanes)
      throw Error("--lanes " + std::to_string(requested) +
                  ": the kernels were compiled for " +
                  std::to_string(info.lanes) +
                  (info.narrowLanes ? " or " + std::to_string(info.narrowLanes)
                                    : std::string()) +
                  " lanes");
    return requested;
  }
  // Measured with W1 on a 2 MB L2 (docs/performance.md): 1.9 MB of history
  // ran from the L2 at either width; with 2.5 MB, 16 lanes were still
  // faster than 8; with 3.7 MB, 8 lanes (1.9 MB) were faster.
  const size_t wide = historyBytesPerSet * info.lanes,
               narrow = historyBytesPerSet * info.narrowLanes;
  if (info.narrowLanes == 0 || l2Bytes == 0 || 2 * wide <= 3 * l2Bytes ||
      narrow > l2Bytes)
    return info.lanes;
  return info.narrowLanes;
}

size_t rateml::runtime::l2CacheBytes() {
  long bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (bytes > 0)
    return size_t(bytes);
  // Linux without the glibc query (e.g. on some ARM systems).
  std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index2/size");
  size_t size = 0;
  char unit = 0;
  if (!(in >> size))
    return 0;
  in >> unit;
  return unit == 'K' ? size << 10 : unit == 'M' ? size << 20 : size;
}
