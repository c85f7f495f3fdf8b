//===- Npy.h - Reading NumPy .npy arrays ------------------------*- C++ -*-===//
//
// A strict reader for the .npy format (versions 1-3, little-endian float32
// or float64, C order), enough for --initial.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_NPY_H
#define RATEML_RUNTIME_NPY_H

#include <string>
#include <vector>

namespace rateml::runtime {

struct NpyArray {
  std::vector<size_t> shape;
  /// The values converted to double, in C order.
  std::vector<double> values;
};

/// Reads `path`; throws Error naming the file and the problem.
NpyArray readNpy(const std::string &path);

/// A shape or an index as NumPy prints it: "(2, 0, 17)", "(5,)".
std::string formatTuple(const std::vector<size_t> &values);

/// The position of the `flat`-th value of a C-order array of `shape`, as
/// formatTuple prints it.
std::string formatIndex(const std::vector<size_t> &shape, size_t flat);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_NPY_H
