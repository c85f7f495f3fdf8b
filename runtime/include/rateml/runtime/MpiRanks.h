//===- MpiRanks.h - The ranks of an MPI launcher ----------------*- C++ -*-===//
//
// Ranks (Ranks.h) over MPI_COMM_WORLD, for sweep.bin started by mpirun or
// srun. Linked into sweep.bin only; MPI is initialised only when a launcher
// started the process, so a plain ./sweep.bin never touches it.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_MPIRANKS_H
#define RATEML_RUNTIME_MPIRANKS_H

#include "rateml/runtime/Ranks.h"
#include <memory>

namespace rateml::runtime {

class MpiRanks final : public Ranks {
public:
  /// The launcher's ranks (MPI_Init) when its environment says one started
  /// this process (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK), else null.
  static std::unique_ptr<MpiRanks> fromLauncher(int *argc, char ***argv);
  /// MPI_Finalize.
  ~MpiRanks() override;
  MpiRanks(const MpiRanks &) = delete;
  MpiRanks &operator=(const MpiRanks &) = delete;

  unsigned rank() const override { return worldRank; }
  unsigned size() const override { return worldSize; }
  unsigned localRank() const override { return nodeRank; }
  unsigned localSize() const override { return nodeSize; }
  void combine(std::vector<double> &values, Op op) const override;
  std::vector<std::string> gather(const std::string &text) const override;
  int64_t fileAccess() const override;
  /// Ends every rank now with `status` (MPI_Abort).
  [[noreturn]] void abort(int status) const;

private:
  MpiRanks();
  unsigned worldRank = 0, worldSize = 1, nodeRank = 0, nodeSize = 1;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_MPIRANKS_H
