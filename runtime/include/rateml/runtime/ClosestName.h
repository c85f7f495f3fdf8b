//===- ClosestName.h - "Did you mean" for misspelt names --------*- C++ -*-===//
//
// The runtime does not link LLVM, so it has its own small edit distance for
// suggesting the option or parameter a user probably meant.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_CLOSESTNAME_H
#define RATEML_RUNTIME_CLOSESTNAME_H

#include <string>
#include <vector>

namespace rateml::runtime {

/// The Levenshtein distance between `a` and `b` (insertions, deletions and
/// substitutions of one character each cost 1).
size_t editDistance(const std::string &a, const std::string &b);

/// The candidate nearest to `name` when it is near enough to be a typo (at
/// most a third of the longer name's characters, rounded up, differ); the
/// first of equally near ones; empty when none is.
std::string closestName(const std::string &name,
                        const std::vector<std::string> &candidates);

/// "; did you mean 'X'?" for the closest candidate, or "".
std::string didYouMean(const std::string &name,
                       const std::vector<std::string> &candidates);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_CLOSESTNAME_H
