//===- Backend.cpp - The host side of a batch plan ------------------------===//
//
// Shared by every backend: the output of a batch must fit in host memory
// whatever runs it.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Backend.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include <algorithm>

using namespace rateml::runtime;

size_t rateml::runtime::hostBatchSets(const BatchPlan &plan, size_t numSets,
                                      size_t granule) {
  // A quarter of the available memory goes to a batch's output unless
  // --batch says otherwise, and never more than all of it (one set's fits:
  // prepareSweep checked).
  const size_t perSet = plan.outputBytesPerSet, memory = plan.memory;
  size_t batch =
      plan.requested
          ? *plan.requested
          : std::max<size_t>(granule * plan.threads,
                             memory / 4 / perSet / granule * granule);
  if (batch == 0)
    throw Error("--batch must be at least 1");
  if (plan.requested &&
      !boundedProduct({std::min(batch, numSets), perSet}, memory))
    throw Error("--batch " + std::to_string(batch) + ": the output of a " +
                "batch exceeds the " + formatBytes(memory) +
                " of memory available");
  return std::min(batch, std::max<size_t>(1, memory / perSet));
}
