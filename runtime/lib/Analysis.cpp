//===- Analysis.cpp - FC, FCD and fit metrics of BOLD time series ---------===//
//
// FCD variance follows the paper's validation: the variance of the FCD
// matrix's entries above the diagonal (every pair of distinct windows).
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Analysis.h"
#include "rateml/runtime/Connectome.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include "rateml/runtime/Npy.h"
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

using namespace rateml::runtime;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Each column of `series` centred and scaled to unit norm, [node][sample];
/// a constant column becomes NaN.
std::vector<double> normalisedColumns(const double *series, size_t samples,
                                      size_t nodes) {
  std::vector<double> z(nodes * samples);
  for (size_t i = 0; i < nodes; ++i) {
    double mean = 0;
    for (size_t t = 0; t < samples; ++t)
      mean += series[t * nodes + i];
    mean /= double(samples);
    double norm = 0;
    for (size_t t = 0; t < samples; ++t) {
      double d = series[t * nodes + i] - mean;
      z[i * samples + t] = d;
      norm += d * d;
    }
    double scale = samples >= 2 && norm > 0 ? 1.0 / std::sqrt(norm) : kNaN;
    for (size_t t = 0; t < samples; ++t)
      z[i * samples + t] *= scale;
  }
  return z;
}

bool isNpy(const std::string &path) {
  return path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
}

/// The values of a square .npy matrix, with its size.
std::vector<double> squareNpy(NpyArray a, const std::string &path,
                              const std::string &what, size_t &n) {
  if (a.shape.size() != 2 || a.shape[0] != a.shape[1])
    throw Error(what + ": '" + path + "' is not a square matrix");
  n = a.shape[0];
  return std::move(a.values);
}

/// A square matrix from .npy or whitespace-separated text, with its size.
std::vector<double> readSquare(const std::string &path, const std::string &what,
                               size_t &n) {
  if (isNpy(path))
    return squareNpy(readNpy(path), path, what, n);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throwUnreadable(path, what + ": cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parseMatrix(text.str(), n, what + " '" + path + "'");
}

/// Throws unless every value is finite, naming the first that is not by its
/// place in the file: (i, j) when `values` is the upper triangle of an
/// n x n matrix (n > 0), else its index.
void checkFinite(const std::vector<double> &values, size_t n,
                 const std::string &what, const std::string &path) {
  auto bad = firstNonFinite(values.data(), values.size());
  if (!bad)
    return;
  std::string where = formatIndex({values.size()}, *bad);
  if (n) {
    size_t i = 0, k = *bad;
    for (; k >= n - 1 - i; ++i)
      k -= n - 1 - i;
    where = formatIndex({n, n}, i * n + i + 1 + k);
  }
  throw Error(what + ": '" + path + "' has a non-finite value at " + where);
}
} // namespace

double rateml::runtime::pearson(const double *a, const double *b, size_t n) {
  if (n < 2)
    return kNaN;
  double ma = 0, mb = 0;
  for (size_t k = 0; k < n; ++k) {
    ma += a[k];
    mb += b[k];
  }
  ma /= double(n);
  mb /= double(n);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t k = 0; k < n; ++k) {
    double da = a[k] - ma, db = b[k] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (!(saa > 0) || !(sbb > 0))
    return kNaN;
  return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

std::vector<double>
rateml::runtime::functionalConnectivity(const double *series, size_t samples,
                                        size_t nodes) {
  std::vector<double> z = normalisedColumns(series, samples, nodes);
  std::vector<double> fc(nodes * nodes);
  for (size_t i = 0; i < nodes; ++i)
    for (size_t j = i; j < nodes; ++j) {
      double dot = 0;
      for (size_t t = 0; t < samples; ++t)
        dot += z[i * samples + t] * z[j * samples + t];
      // Rounding can push |dot| just past 1.
      if (std::isfinite(dot))
        dot = std::clamp(dot, -1.0, 1.0);
      fc[i * nodes + j] = fc[j * nodes + i] = dot;
    }
  return fc;
}

std::vector<double> rateml::runtime::upperTriangle(const std::vector<double> &m,
                                                   size_t n) {
  std::vector<double> upper;
  if (n < 2)
    return upper;
  upper.reserve(n * (n - 1) / 2);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      upper.push_back(m[i * n + j]);
  return upper;
}

size_t rateml::runtime::numFcdWindows(size_t samples, size_t window,
                                      size_t step) {
  if (window == 0 || step == 0 || samples < window)
    return 0;
  return (samples - window) / step + 1;
}

std::vector<double> rateml::runtime::fcdMatrix(const double *series,
                                               size_t samples, size_t nodes,
                                               size_t window, size_t step,
                                               size_t &numWindows) {
  numWindows = numFcdWindows(samples, window, step);
  std::vector<std::vector<double>> upper;
  for (size_t w = 0; w < numWindows; ++w)
    upper.push_back(upperTriangle(
        functionalConnectivity(series + w * step * nodes, window, nodes),
        nodes));
  std::vector<double> fcd(numWindows * numWindows);
  for (size_t a = 0; a < numWindows; ++a)
    for (size_t b = a; b < numWindows; ++b)
      fcd[a * numWindows + b] = fcd[b * numWindows + a] =
          pearson(upper[a].data(), upper[b].data(), upper[a].size());
  return fcd;
}

double rateml::runtime::variance(const std::vector<double> &values) {
  if (values.empty())
    return kNaN;
  double mean = 0;
  for (double v : values)
    mean += v;
  mean /= double(values.size());
  double sum = 0;
  for (double v : values)
    sum += (v - mean) * (v - mean);
  return sum / double(values.size());
}

double rateml::runtime::ksDistance(std::vector<double> a,
                                   std::vector<double> b) {
  auto isNaN = [](double v) { return std::isnan(v); };
  if (a.empty() || b.empty() || std::any_of(a.begin(), a.end(), isNaN) ||
      std::any_of(b.begin(), b.end(), isNaN))
    return kNaN;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t i = 0, j = 0;
  double d = 0;
  // Step both distribution functions past every value equal to the next
  // smallest one, so ties between the samples are handled exactly.
  while (i < a.size() && j < b.size()) {
    double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == x)
      ++i;
    while (j < b.size() && b[j] == x)
      ++j;
    d = std::max(d, std::fabs(double(i) / double(a.size()) -
                              double(j) / double(b.size())));
  }
  return d;
}

SetAnalysis rateml::runtime::analyseSet(const AnalysisConfig &config,
                                        size_t subject, const double *bold,
                                        size_t samples, size_t nodes) {
  SetAnalysis r{{}, kNaN, kNaN, kNaN};
  size_t first = std::min(config.firstSample, samples);
  const double *series = bold + first * nodes;
  size_t used = samples - first;
  r.fc = functionalConnectivity(series, used, nodes);
  if (auto *target = AnalysisConfig::targetOf(config.targetFcUpper, subject)) {
    std::vector<double> upper = upperTriangle(r.fc, nodes);
    r.fcCorr = pearson(upper.data(), target->data(), upper.size());
  }
  if (config.fcdWindow) {
    size_t windows = 0;
    std::vector<double> fcd = fcdMatrix(series, used, nodes, config.fcdWindow,
                                        config.fcdStep, windows);
    std::vector<double> values = upperTriangle(fcd, windows);
    r.fcdVar = variance(values);
    if (auto *target =
            AnalysisConfig::targetOf(config.targetFcdValues, subject))
      r.fcdKs = ksDistance(values, *target);
  }
  return r;
}

std::vector<double> rateml::runtime::readTargetFc(const std::string &path,
                                                  size_t nodes) {
  size_t n = 0;
  std::vector<double> m = readSquare(path, "--target-fc", n);
  if (n != nodes)
    throw Error("--target-fc: '" + path + "' is " + std::to_string(n) + " x " +
                std::to_string(n) + " but the connectome has " +
                std::to_string(nodes) + " nodes");
  std::vector<double> upper = upperTriangle(m, n);
  checkFinite(upper, n, "--target-fc", path);
  return upper;
}

std::vector<double> rateml::runtime::readTargetFcd(const std::string &path) {
  std::vector<double> values;
  size_t n = 0;
  if (!isNpy(path)) {
    std::vector<double> m = readSquare(path, "--target-fcd", n);
    values = upperTriangle(m, n);
  } else if (NpyArray a = readNpy(path); a.shape.size() == 1) {
    values = std::move(a.values);
  } else {
    std::vector<double> m = squareNpy(std::move(a), path, "--target-fcd", n);
    values = upperTriangle(m, n);
  }
  if (values.empty())
    throw Error("--target-fcd: '" + path + "' holds no FCD values");
  checkFinite(values, n, "--target-fcd", path);
  return values;
}
