//===- Monitors.cpp - Samples, window means and BOLD of a batch ----------===//
//
// Snapshots arrive [var][node][set], as the kernels leave them; the output
// is [set][sample][var][node] (docs/sweep.md). BOLD integrates the
// Balloon-Windkessel model per node and set (docs/analysis.md).
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Monitors.h"
#include <algorithm>

using namespace rateml::runtime;

template <typename T>
Monitors<T>::Monitors(const SweepResult &shape, size_t numNodes, size_t lanes,
                      std::vector<size_t> laneRows, BatchOutput &out)
    : shape(shape), numVars(shape.varNames.size()), numNodes(numNodes),
      lanes(lanes), laneRows(std::move(laneRows)), out(out),
      windowSum(shape.storeData && shape.averaged ? numVars * numNodes * lanes
                                                  : 0,
                0.0),
      boldSum(shape.bold ? numNodes * lanes : 0, 0.0),
      hemodynamics(boldSum.size()) {}

template <typename T>
template <typename ValueAt>
void Monitors<T>::emit(ValueAt valueAt) {
  T *data = reinterpret_cast<T *>(out.data.data());
  const size_t N = numNodes;
  for (size_t l = 0; l < laneRows.size(); ++l)
    for (size_t v = 0; v < numVars; ++v)
      for (size_t i = 0; i < N; ++i)
        data[((laneRows[l] * shape.numSamples + sample) * numVars + v) * N +
             i] = static_cast<T>(valueAt((v * N + i) * lanes + l));
  ++sample;
}

template <typename T>
template <typename ValueAt>
void Monitors<T>::addBold(ValueAt valueAt, uint64_t done) {
  const SweepResult::BoldPlan &plan = *shape.bold;
  const size_t driver = plan.var * numNodes * lanes;
  for (size_t k = 0; k < boldSum.size(); ++k)
    boldSum[k] += valueAt(driver + k);
  if (done % plan.integrateEvery != 0)
    return;
  for (size_t k = 0; k < boldSum.size(); ++k) {
    plan.model.step(hemodynamics[k], boldSum[k] / double(plan.integrateEvery),
                    plan.stepSeconds);
    boldSum[k] = 0;
  }
  if (done % plan.sampleEvery != 0 || boldSample >= plan.numSamples)
    return;
  for (size_t l = 0; l < laneRows.size(); ++l)
    for (size_t i = 0; i < numNodes; ++i)
      out.bold[(laneRows[l] * plan.numSamples + boldSample) * numNodes + i] =
          plan.model.signal(hemodynamics[i * lanes + l]);
  ++boldSample;
}

template <typename T>
void Monitors<T>::add(const T *snapshot, uint64_t done, const double *sum) {
  // The sum since the previous add() of element k: given, or the value.
  auto summed = [&](size_t k) -> double {
    return sum ? sum[k] : double(snapshot[k]);
  };
  if (shape.bold && done > 0)
    addBold(summed, done);
  if (!dataWants(done))
    return;
  if (!shape.averaged) {
    emit([&](size_t k) { return snapshot[k]; });
    return;
  }
  for (size_t k = 0; k < windowSum.size(); ++k)
    windowSum[k] += summed(k);
  if (done % shape.every == 0 && sample < shape.numSamples) {
    emit([&](size_t k) { return windowSum[k] / double(shape.every); });
    std::fill(windowSum.begin(), windowSum.end(), 0.0);
  }
}

template class rateml::runtime::Monitors<float>;
template class rateml::runtime::Monitors<double>;
