//===- Connectome.h - Structural connectivity -------------------*- C++ -*-===//
//
// A TVB connectivity: weights (row = target, column = source), tract
// lengths in mm and region labels; loaded from a TVB zip (members may be
// bzip2-compressed), a folder of text files, or generated (builtin:N).
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_CONNECTOME_H
#define RATEML_RUNTIME_CONNECTOME_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rateml::runtime {

struct Connectome {
  size_t numNodes = 0;
  /// Row-major N x N; weights[i * N + j] is the connection from j to i.
  std::vector<double> weights;
  /// Row-major N x N, in mm.
  std::vector<double> lengths;
  /// One per node (generated when the source has none).
  std::vector<std::string> labels;
  /// What was loaded: a path or "builtin:N".
  std::string source;

  double weight(size_t target, size_t source) const {
    return weights[target * numNodes + source];
  }
  double length(size_t target, size_t source) const {
    return lengths[target * numNodes + source];
  }
};

/// The deterministic built-in connectome of `n` nodes (docs/simulation.md):
/// nodes on a sphere of radius 60 mm, tract lengths = straight distances,
/// weights exp(-L/30 mm) for distinct nodes closer than 60 mm, else 0.
Connectome makeBuiltinConnectome(size_t n);

/// Loads `spec`: "builtin" (68 nodes), "builtin:N", a TVB connectivity zip,
/// or a folder holding weights.txt and tract_lengths.txt (optionally
/// .bz2-compressed) and centres.txt. Throws Error on any problem.
Connectome loadConnectome(const std::string &spec);

/// Parses a whitespace-separated N x N matrix; `what` names it in errors.
std::vector<double> parseMatrix(const std::string &text, size_t &n,
                                const std::string &what);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_CONNECTOME_H
