//===- ParamGrid.h - The parameter sets of a sweep --------------*- C++ -*-===//
//
// Builds the list of parameter sets from --sweep NAME=LO:HI:COUNT and
// --values NAME=V1,V2,... (one Cartesian product, the first named parameter
// varying slowest) or from a CSV table (--param-table).
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_PARAMGRID_H
#define RATEML_RUNTIME_PARAMGRID_H

#include "rateml/runtime/Limits.h"
#include <cstddef>
#include <string>
#include <vector>

namespace rateml::runtime {

/// A value of every parameter set that the runtime applies itself rather
/// than a slot of the kernels (a stimulus's amplitude, a regional map's
/// weight, a cohort's subject). Named in --sweep, --values and --param-table
/// like the model's parameters, but never swept by default: a set that does
/// not name it takes `value`.
struct RunParameter {
  std::string name;
  double value = 0;
};

/// The values one parameter takes along the grid.
struct SweepAxis {
  std::string name;
  std::vector<double> values;
};

/// Parses "NAME=LO:HI:COUNT" (evenly spaced, both ends included).
SweepAxis parseSweepAxis(const std::string &spec);
/// Parses "NAME=V1,V2,...".
SweepAxis parseValuesAxis(const std::string &spec);
/// `count` evenly spaced values from lo to hi, both included.
std::vector<double> linspace(double lo, double hi, size_t count);

/// The parameter sets of a sweep, one row per set, columns following
/// `names`. A grid is kept as its axes and a row made on demand, so that a
/// sweep's memory does not grow with its number of sets; a CSV table is kept
/// as read.
class ParamTable {
public:
  ParamTable() = default;
  /// The Cartesian product of `axes`, the first axis varying slowest.
  static ParamTable grid(std::vector<SweepAxis> axes, size_t numSets);
  /// Rows read from `file`, row r from line lines[r].
  static ParamTable table(std::vector<std::string> names,
                          std::vector<double> values, std::string file,
                          std::vector<size_t> lines);

  std::vector<std::string> names;
  size_t size() const { return numSets; }
  /// The values of set `set`, in the order of `names`.
  std::vector<double> row(size_t set) const;
  /// Where set `set` comes from, for messages: "parameter set 7" or
  /// "parameter set 7 (line 9 of 'table.csv')".
  std::string describe(size_t set) const;

private:
  size_t numSets = 0;
  std::vector<SweepAxis> axes;
  std::vector<double> values;
  std::string file;
  std::vector<size_t> lines;
};

/// How many parameter sets a sweep may have, and why (for the message that
/// refuses more before their table is built).
struct SetLimit {
  uint64_t sets = kMaxSets;
  std::string why = "the noise counters number sets in 32 bits";
};

/// The Cartesian product of `axes`, the first axis varying slowest.
ParamTable cartesianProduct(const std::vector<SweepAxis> &axes,
                            const SetLimit &limit = {});

/// Reads a CSV file: a header of parameter names, one set per row.
ParamTable readParamTable(const std::string &path, const SetLimit &limit = {});

/// Parses a real number the way the command line accepts them; throws Error
/// naming `what` otherwise.
double parseNumber(const std::string &text, const std::string &what);

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_PARAMGRID_H
