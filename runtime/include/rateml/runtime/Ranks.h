//===- Ranks.h - The processes one sweep runs in ----------------*- C++ -*-===//
//
// A sweep runs in one process or, started by an MPI launcher (mpirun, srun),
// in several ranks, each running a share of the sets and writing it into
// the one HDF5 file (docs/cluster.md). Ranks is all the sweep needs of
// them. The one-process implementation is this header's; the MPI one
// (MpiRanks.h) is linked into sweep.bin only, so a model's library for
// Python never touches MPI.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_RANKS_H
#define RATEML_RUNTIME_RANKS_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rateml::runtime {

class Ranks {
public:
  virtual ~Ranks() = default;
  virtual unsigned rank() const { return 0; }
  virtual unsigned size() const { return 1; }
  /// This rank among the ranks on its machine (which GPU it takes), and
  /// how many share the machine (and its memory).
  virtual unsigned localRank() const { return 0; }
  virtual unsigned localSize() const { return 1; }

  enum class Op { Sum, Min, Max };
  /// Every rank's `values` combined element by element; the result on
  /// every rank. All ranks call it with vectors of the same length.
  virtual void combine(std::vector<double> &values, Op) const { (void)values; }
  /// Every rank's `text`, in the order of the ranks, on every rank.
  virtual std::vector<std::string> gather(const std::string &text) const {
    return {text};
  }
  /// The HDF5 file-access property list the ranks create the result file
  /// with (MPI-IO), or H5P_DEFAULT (0) for one process; the caller closes
  /// any other.
  virtual int64_t fileAccess() const { return 0; }
};

/// "rank R of K: ", which starts a message of rank R of `ranks`; empty
/// for one process, whose messages need no rank.
std::string rankText(const Ranks &ranks, unsigned rank);

/// Half-open ranges [first, last) of set indices, in ascending order.
using SetRanges = std::vector<std::pair<size_t, size_t>>;

/// The sets rank `rank` of `size` runs. `keys[set]` names the set's delay
/// table (subject and conduction speed): sets are ordered by key, cut into
/// `size` runs of equal cost (`cost[k]` of each set of subject k, the work
/// of one step), so that a group is split between ranks only at a cut, and
/// returned in ascending set order. One rank runs every set.
SetRanges shareOfSets(const std::vector<std::pair<size_t, double>> &keys,
                      const std::vector<double> &cost, unsigned rank,
                      unsigned size);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_RANKS_H
