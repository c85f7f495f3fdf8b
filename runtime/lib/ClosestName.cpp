//===- ClosestName.cpp - "Did you mean" for misspelt names ----------------===//

#include "rateml/runtime/ClosestName.h"
#include <algorithm>
#include <numeric>

using namespace rateml::runtime;

size_t rateml::runtime::editDistance(const std::string &a,
                                     const std::string &b) {
  // One row of the dynamic-programming table at a time.
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t(0));
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string
rateml::runtime::closestName(const std::string &name,
                             const std::vector<std::string> &candidates) {
  std::string best;
  size_t bestDistance = SIZE_MAX;
  for (const std::string &candidate : candidates) {
    size_t limit = (std::max(name.size(), candidate.size()) + 2) / 3;
    size_t d = editDistance(name, candidate);
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

std::string
rateml::runtime::didYouMean(const std::string &name,
                            const std::vector<std::string> &candidates) {
  std::string best = closestName(name, candidates);
  return best.empty() ? std::string() : "; did you mean '" + best + "'?";
}
