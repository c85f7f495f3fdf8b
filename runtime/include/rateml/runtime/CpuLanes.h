//===- CpuLanes.h - Which of the CPU kernels a sweep runs ------*- C++ -*-===//
//
// rateml-compile builds the CPU kernels for two lane counts; the sweep runs
// the narrower ones when only their tiles' history fits the L2 cache.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_CPULANES_H
#define RATEML_RUNTIME_CPULANES_H

#include "rateml/runtime/ModelInfo.h"
#include <cstddef>

namespace rateml::runtime {

/// The lanes per CPU tile: `requested` when it is one of the kernels' lane
/// counts (Error otherwise); for 0, the model's narrow kernels when the
/// history of a tile of their lanes (`historyBytesPerSet` per set) fits the
/// L2 cache (`l2Bytes`, 0 = unknown) and that of the wide ones exceeds it
/// by more than half, else the wide ones. A history in the L2 is read
/// several times faster than one in the L3, which also suffers from
/// whatever else the machine runs.
unsigned chooseCpuLanes(const ModelInfo &info, unsigned requested,
                        size_t historyBytesPerSet, size_t l2Bytes);

/// The L2 cache of one core in bytes (0 when the system does not say).
size_t l2CacheBytes();

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_CPULANES_H
