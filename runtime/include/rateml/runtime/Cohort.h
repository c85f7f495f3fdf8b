//===- Cohort.h - The connectomes of a sweep, one per subject ---*- C++ -*-===//
//
// --connectivity may be given several times, or as @list.txt: a cohort of
// subjects, each with its own weights and tract lengths on the same nodes
// (docs/sweep.md). With several subjects a set's subject is the run
// parameter `subject`; one subject is a sweep as before.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_COHORT_H
#define RATEML_RUNTIME_COHORT_H

#include "rateml/runtime/Connectome.h"
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rateml::runtime {

/// The run parameter that holds a set's subject (0-based, in the order of
/// --connectivity) when a sweep has several.
inline constexpr const char *kSubjectParam = "subject";

struct Cohort {
  /// In the order given; at least one.
  std::vector<Connectome> subjects;

  size_t numNodes() const { return subjects.front().numNodes; }
  bool several() const { return subjects.size() > 1; }
};

/// The paths of --connectivity in order, each @FILE replaced by the lines of
/// FILE (blank lines and # comments skipped; a relative path is relative to
/// FILE's folder); {"builtin"} when none is given. Throws Error.
std::vector<std::string>
expandConnectivity(const std::vector<std::string> &specs);

/// Loads every subject of `specs` (expandConnectivity), refusing
/// connectomes of different node counts by naming both. Throws Error.
Cohort loadCohort(const std::vector<std::string> &specs);

/// The subject of a set whose parameter values are `values` (the kernels'
/// slots, then the run parameters), `index` the place of `subject` among
/// them (none with one subject).
inline size_t subjectOf(const std::vector<double> &values,
                        std::optional<size_t> index) {
  return index ? size_t(values[*index]) : 0;
}

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_COHORT_H
