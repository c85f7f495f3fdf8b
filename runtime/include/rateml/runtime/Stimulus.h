//===- Stimulus.h - --stimulus: values added to the derivatives -*- C++ -*-===//
//
// TVB's stimulus (docs/simulation.md): row n of a state's file is S(n),
// added (times the run parameter stimulus.scale) to that state's time
// derivative during the step from n to n + 1. The files are held once, as
// read; the kernels get windows of rows (KernelABI.h, kStepStimulus), never
// a copy per parameter set.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_STIMULUS_H
#define RATEML_RUNTIME_STIMULUS_H

#include "rateml/runtime/ModelInfo.h"
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rateml::runtime {

/// The run parameter that scales the stimulus (default 1).
constexpr const char *kStimulusScale = "stimulus.scale";

/// Rows of a CPU tile's window: refilled every so many steps, small
/// enough to stay in the cache next to the tile's history.
constexpr size_t kCpuStimulusRows = 64;

/// The stimulated states' files, checked against the model and the run.
struct Stimulus {
  /// One state's rows: [T][N], or [T][1] when the file is (T,) (the same
  /// at every node).
  struct Series {
    size_t state = 0, columns = 1;
    std::vector<double> values;
  };
  std::vector<Series> series;
  size_t numStates = 0, numNodes = 0;
  /// Where each set's stimulus.scale is in its values (SetSlots: the
  /// kernels' slots, then the run parameters).
  size_t scaleSlot = 0;

  /// S(n) of state `s` at node `i`: 0 for a state without a file.
  double at(uint64_t n, size_t s, size_t i) const;
  /// Rows first ... first + rows - 1 as the kernels read them,
  /// [rows][states][nodes] in their precision (0 for the states without a
  /// file).
  template <typename T>
  void fillWindow(uint64_t first, size_t rows, T *window) const;
};

/// Reads and checks --stimulus STATE=FILE (`specs`, in the order given):
/// each STATE a state of the model, given once; each FILE a .npy of shape
/// (T, numNodes) or (T,) with T >= `steps`, finite. Throws Error naming
/// the option, the state or file and the problem.
Stimulus
loadStimulus(const std::vector<std::pair<std::string, std::string>> &specs,
             const ModelInfo &info, size_t numNodes, uint64_t steps);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_STIMULUS_H
