//===- Analysis.h - FC, FCD and fit metrics of BOLD time series -*- C++ -*-===//
//
// What a sweep computes from each parameter set's BOLD signal
// (docs/analysis.md): functional connectivity (FC), the FC dynamics (FCD)
// of sliding windows and its variance, and the fit to empirical FC / FCD.
// Plain float64 code with no dependency on the kernels.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_ANALYSIS_H
#define RATEML_RUNTIME_ANALYSIS_H

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rateml::runtime {

/// Pearson correlation of `a` and `b` (equal sizes); NaN when either is
/// constant or has fewer than two values.
double pearson(const double *a, const double *b, size_t n);

/// The N x N Pearson correlations between the columns of `series`
/// ([sample][node], row-major). A node whose signal is constant has NaN in
/// its row and column, including the diagonal.
std::vector<double> functionalConnectivity(const double *series, size_t samples,
                                           size_t nodes);

/// The entries above the diagonal of an n x n row-major matrix, row by row.
std::vector<double> upperTriangle(const std::vector<double> &m, size_t n);

/// The FCD matrix: windows of `window` samples starting every `step`
/// samples (as many as fit), the FC of each, and the Pearson correlation
/// between the upper triangles of every two windows' FCs.
std::vector<double> fcdMatrix(const double *series, size_t samples,
                              size_t nodes, size_t window, size_t step,
                              size_t &numWindows);

/// How many windows fcdMatrix takes from `samples` samples.
size_t numFcdWindows(size_t samples, size_t window, size_t step);

/// Population variance (divisor n); NaN when empty or any value is NaN.
double variance(const std::vector<double> &values);

/// The two-sample Kolmogorov-Smirnov statistic: the largest distance
/// between the empirical distribution functions of `a` and `b`.
double ksDistance(std::vector<double> a, std::vector<double> b);

/// What to compute per parameter set, in BOLD samples.
struct AnalysisConfig {
  /// Samples before this one are the transient, left out of FC and FCD.
  size_t firstSample = 0;
  /// FCD window and step; no FCD when the window is 0.
  size_t fcdWindow = 0, fcdStep = 1;
  /// Empirical FC (upper triangle) and FCD values to fit: none, one for
  /// every set, or one per subject of a cohort (Cohort.h).
  std::vector<std::vector<double>> targetFcUpper, targetFcdValues;

  /// The target of `subject` among `targets`, or null when there is none.
  static const std::vector<double> *
  targetOf(const std::vector<std::vector<double>> &targets, size_t subject) {
    if (targets.empty())
      return nullptr;
    return &targets[targets.size() == 1 ? 0 : subject];
  }
};

struct SetAnalysis {
  /// N x N.
  std::vector<double> fc;
  /// NaN when not computed.
  double fcdVar, fcCorr, fcdKs;
};

/// FC, FCD variance and fits (to the targets of `subject`) of one set's
/// BOLD ([sample][node]).
SetAnalysis analyseSet(const AnalysisConfig &config, size_t subject,
                       const double *bold, size_t samples, size_t nodes);

/// Reads an empirical FC (an N x N matrix) from .npy or whitespace-separated
/// text; returns its upper triangle. Throws Error naming the file.
std::vector<double> readTargetFc(const std::string &path, size_t nodes);

/// Reads empirical FCD values: a square FCD matrix (its upper triangle is
/// used) from .npy or text, or a 1-D .npy of values. Throws Error.
std::vector<double> readTargetFcd(const std::string &path);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_ANALYSIS_H
