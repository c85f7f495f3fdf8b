//===- ResultWriter.h - Sweep results as HDF5 -------------------*- C++ -*-===//
//
// The HDF5 file of a sweep (docs/sweep.md), written batch by batch as the
// backends finish them, so that a sweep's output need not fit in memory.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_RESULTWRITER_H
#define RATEML_RUNTIME_RESULTWRITER_H

#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/SweepResult.h"
#include <array>
#include <string>
#include <vector>

namespace rateml::runtime {

struct Cohort;
struct SweepOptions;

/// Writes a sweep's HDF5 file (docs/sweep.md) as batches arrive, under a
/// temporary name that finish() renames: an interrupted run never leaves a
/// file that looks complete. Unfinished files are removed.
class ResultWriter {
public:
  ResultWriter(const std::string &path, const ModelInfo &info,
               const SweepResult &shape);
  ~ResultWriter();
  ResultWriter(const ResultWriter &) = delete;
  ResultWriter &operator=(const ResultWriter &) = delete;

  void writeSets(size_t first, size_t count, const BatchOutput &out);
  void finish(const ModelInfo &info, const Cohort &cohort,
              const SweepOptions &options, const SweepResult &result);

private:
  /// A dataset whose first dimension is the parameter set.
  struct PerSet {
    long long id = -1, type;
    std::vector<unsigned long long> dims;
  };
  void create(PerSet &set, const char *name, long long type,
              std::vector<unsigned long long> dims);
  void write(PerSet &set, size_t first, size_t count, const void *values);
  std::array<PerSet *, 8> perSet() {
    return {&params, &diverged, &data, &bold, &fc, &fcdVar, &fcCorr, &fcdKs};
  }

  std::string path, partial;
  long long file = -1;
  PerSet params, diverged, data, bold, fc, fcdVar, fcCorr, fcdKs;
};

/// Throws Error unless a result file can be written at `path` (--output):
/// not empty, not an existing directory or other non-file, and a new file
/// can be created next to it (a probe, removed at once). Run before any
/// work, so that a run does not fail only at its final rename.
void checkOutputPath(const std::string &path);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_RESULTWRITER_H
