//===- Monitors.h - Samples, window means and BOLD of a batch ---*- C++ -*-===//
//
// What the recorded variables become on the host, shared by the CPU tiles
// and the GPU batches so that both write the same output.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_MONITORS_H
#define RATEML_RUNTIME_MONITORS_H

#include "rateml/runtime/SweepResult.h"
#include <cstdint>
#include <numeric>
#include <vector>

namespace rateml::runtime {

/// The monitors of a sweep (TVB's term): turn snapshots of the recorded
/// variables of `lanes` sets (laid out [var][node][set], as the kernels
/// leave them) into a batch's output: raw samples every `every` steps or
/// window means with --tavg, and the BOLD signal. Memory is O(sets x nodes)
/// beyond the output itself. The CPU tiles and the GPU batches share it.
template <typename T> class Monitors {
public:
  /// Lane l < laneRows.size() is written as the batch's set laneRows[l];
  /// further lanes are not written.
  Monitors(const SweepResult &shape, size_t numNodes, size_t lanes,
           std::vector<size_t> laneRows, BatchOutput &out);

  /// Whether the state after `done` steps is wanted by a monitor.
  bool wants(uint64_t done) const {
    return dataWants(done) || (shape.bold && done > 0);
  }
  /// Whether add(done) needs the recorded values themselves (raw samples)
  /// when the caller passes sums (shape.monitorsSum()).
  bool wantsValue(uint64_t done) const {
    return dataWants(done) && !shape.averaged;
  }
  /// Steps between snapshots for a caller that passes sums: the windows'
  /// common divisor (also a divisor of `every` for raw samples), so each
  /// sum covers steps of one window only.
  static uint64_t summedStride(const SweepResult &shape) {
    uint64_t stride = shape.storeData ? shape.every : 0;
    if (shape.bold)
      stride = std::gcd(stride, shape.bold->integrateEvery);
    return stride;
  }
  /// Takes the recorded variables after `done` steps, when wants(done).
  /// Without `sum`, `snapshot` holds their values and add() is called after
  /// every step while shape.monitorsSum(). With `sum` (GPU), that holds their
  /// float64 sums over the steps since the previous add(), and `snapshot`
  /// their values when wantsValue(done) (else it may be null).
  void add(const T *snapshot, uint64_t done, const double *sum = nullptr);

private:
  bool dataWants(uint64_t done) const {
    return shape.storeData &&
           (shape.averaged ? done > 0 : done % shape.every == 0);
  }
  template <typename ValueAt> void emit(ValueAt valueAt);
  template <typename ValueAt> void addBold(ValueAt valueAt, uint64_t done);

  const SweepResult &shape;
  size_t numVars, numNodes, lanes, sample = 0, boldSample = 0;
  std::vector<size_t> laneRows;
  BatchOutput &out;
  std::vector<double> windowSum, boldSum;
  std::vector<BalloonWindkessel::State> hemodynamics;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_MONITORS_H
