//===- Stimulus.cpp - --stimulus: values added to the derivatives ---------===//
//
// Reading and checking the stimulus files, and the windows of rows the
// kernels read. A (T,) file is kept as one column, not repeated per node.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Stimulus.h"
#include "rateml/runtime/ClosestName.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include "rateml/runtime/Npy.h"
#include <algorithm>

using namespace rateml::runtime;

double Stimulus::at(uint64_t n, size_t s, size_t i) const {
  for (const Series &x : series)
    if (x.state == s)
      return x.values[n * x.columns + (x.columns == 1 ? 0 : i)];
  return 0.0;
}

template <typename T>
void Stimulus::fillWindow(uint64_t first, size_t rows, T *window) const {
  const size_t S = numStates, N = numNodes;
  std::fill(window, window + rows * S * N, T(0));
  for (const Series &x : series)
    for (size_t r = 0; r < rows; ++r) {
      const double *row = x.values.data() + (first + r) * x.columns;
      T *out = window + (r * S + x.state) * N;
      for (size_t i = 0; i < N; ++i)
        out[i] = static_cast<T>(row[x.columns == 1 ? 0 : i]);
    }
}

template void Stimulus::fillWindow(uint64_t, size_t, float *) const;
template void Stimulus::fillWindow(uint64_t, size_t, double *) const;

Stimulus rateml::runtime::loadStimulus(
    const std::vector<std::pair<std::string, std::string>> &specs,
    const ModelInfo &info, size_t numNodes, uint64_t steps) {
  Stimulus stimulus;
  stimulus.numStates = info.states.size();
  stimulus.numNodes = numNodes;
  std::vector<std::string> names;
  for (const auto &s : info.states)
    names.push_back(s.name);
  for (const auto &[name, path] : specs) {
    const std::string option = "--stimulus " + name;
    auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end()) {
      std::string list;
      for (const std::string &n : names)
        list += (list.empty() ? "" : ", ") + n;
      throw Error("--stimulus: '" + name + "' is not a state of the model " +
                  "(its states are: " + list + ")" + didYouMean(name, names));
    }
    Stimulus::Series x;
    x.state = size_t(found - names.begin());
    for (const Stimulus::Series &other : stimulus.series)
      if (other.state == x.state)
        throw Error(option + ": the state is given twice");
    NpyArray array = readNpy(path);
    const std::vector<size_t> &shape = array.shape;
    if (shape.size() == 2 && shape[1] == numNodes)
      x.columns = numNodes;
    else if (shape.size() == 1)
      x.columns = 1;
    else
      throw Error(option + ": '" + path + "' has shape " + formatTuple(shape) +
                  ", neither (T, " + std::to_string(numNodes) +
                  ") for the connectome's nodes nor (T,)");
    if (shape[0] < steps)
      throw Error(option + ": '" + path + "' has T = " +
                  std::to_string(shape[0]) + " rows but the run takes " +
                  std::to_string(steps) + " steps (row n drives step n)");
    if (auto bad = firstNonFinite(array.values.data(), array.values.size()))
      throw Error(option + ": '" + path + "' has a non-finite value at " +
                  formatIndex(shape, *bad));
    // Rows past the run are never read.
    array.values.resize(size_t(steps) * x.columns);
    array.values.shrink_to_fit();
    x.values = std::move(array.values);
    stimulus.series.push_back(std::move(x));
  }
  return stimulus;
}
