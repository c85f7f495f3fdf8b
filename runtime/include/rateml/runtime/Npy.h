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

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_NPY_H
