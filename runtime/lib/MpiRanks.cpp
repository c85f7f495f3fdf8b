//===- MpiRanks.cpp - The ranks of an MPI launcher ------------------------===//
//
// MPI_COMM_WORLD as the sweep's Ranks: reductions for the summary, the
// ranks' backends, the machine-local rank that picks a GPU, and MPI-IO for
// the one HDF5 file (parallel HDF5, Debian's libhdf5-openmpi).
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/MpiRanks.h"
#include <cstdlib>
#include <hdf5.h>
#include <mpi.h>

using namespace rateml::runtime;

std::unique_ptr<MpiRanks> MpiRanks::fromLauncher(int *argc, char ***argv) {
  // OpenMPI's mpirun, PMIx (srun --mpi=pmix, prterun) and PMI-1/2 (srun
  // --mpi=pmi2, MPICH's hydra) each set one of these in every rank.
  if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMIX_RANK") &&
      !std::getenv("PMI_RANK"))
    return nullptr;
  // Only this (the main) thread calls MPI; the workers never do.
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  return std::unique_ptr<MpiRanks>(new MpiRanks());
}

MpiRanks::MpiRanks() {
  int value = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &value);
  worldRank = unsigned(value);
  MPI_Comm_size(MPI_COMM_WORLD, &value);
  worldSize = unsigned(value);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL,
                      &node);
  MPI_Comm_rank(node, &value);
  nodeRank = unsigned(value);
  MPI_Comm_size(node, &value);
  nodeSize = unsigned(value);
  MPI_Comm_free(&node);
}

MpiRanks::~MpiRanks() { MPI_Finalize(); }

void MpiRanks::combine(std::vector<double> &values, Op op) const {
  MPI_Op mpiOp = op == Op::Sum ? MPI_SUM : op == Op::Min ? MPI_MIN : MPI_MAX;
  MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE,
                mpiOp, MPI_COMM_WORLD);
}

std::vector<std::string> MpiRanks::gather(const std::string &text) const {
  int length = int(text.size());
  std::vector<int> lengths(worldSize), starts(worldSize);
  MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT,
                MPI_COMM_WORLD);
  int total = 0;
  for (unsigned r = 0; r < worldSize; ++r) {
    starts[r] = total;
    total += lengths[r];
  }
  std::string all(size_t(total), '\0');
  MPI_Allgatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(),
                 starts.data(), MPI_CHAR, MPI_COMM_WORLD);
  std::vector<std::string> texts;
  for (unsigned r = 0; r < worldSize; ++r)
    texts.push_back(all.substr(size_t(starts[r]), size_t(lengths[r])));
  return texts;
}

int64_t MpiRanks::fileAccess() const {
  hid_t access = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(access, MPI_COMM_WORLD, MPI_INFO_NULL);
  return access;
}

void MpiRanks::abort(int status) const {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);
}
