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
class Ranks;
struct SweepOptions;

/// Writes a sweep's HDF5 file (docs/sweep.md) as batches arrive, under a
/// temporary name that finish() renames: an interrupted run never leaves a
/// file that looks complete. Unfinished files are removed. Under MPI every
/// rank makes one and writes its own sets (docs/cluster.md).
class ResultWriter {
public:
  ResultWriter(const std::string &path, const ModelInfo &info,
               const SweepResult &shape, const Ranks &ranks);
  ~ResultWriter();
  ResultWriter(const ResultWriter &) = delete;
  ResultWriter &operator=(const ResultWriter &) = delete;

  /// Writes the output of the sets `sets` (ascending).
  void writeSets(const std::vector<size_t> &sets, const BatchOutput &out);
  /// Closes the datasets (collectively); rank 0 then adds the metadata and
  /// renames the file onto its path.
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
  /// Writes sets [first, first + count) from `values`' rows from `offset`.
  void write(PerSet &set, size_t first, size_t offset, size_t count,
             const void *values);
  std::array<PerSet *, 8> perSet() {
    return {&params, &diverged, &data, &bold, &fc, &fcdVar, &fcCorr, &fcdKs};
  }

  std::string path, partial;
  const Ranks &ranks;
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
