//===- ParamGrid.cpp - The parameter sets of a sweep ----------------------===//
//
// Parsing of sweep specifications with one-line errors that quote the
// offending text.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/ParamGrid.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

using namespace rateml::runtime;

namespace {

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep))
    parts.push_back(part);
  if (!s.empty() && s.back() == sep)
    parts.push_back("");
  return parts;
}

std::pair<std::string, std::string> splitAssignment(const std::string &spec,
                                                    const std::string &form) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos || trim(spec.substr(0, eq)).empty())
    throw Error("malformed '" + spec + "': expected " + form);
  return {trim(spec.substr(0, eq)), spec.substr(eq + 1)};
}

} // namespace

double rateml::runtime::parseNumber(const std::string &text,
                                    const std::string &what) {
  std::string t = trim(text);
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(t.c_str(), &end);
  if (t.empty() || *end || errno == ERANGE || !std::isfinite(v))
    throw Error(what + ": '" + text + "' is not a finite number");
  return v;
}

std::vector<double> rateml::runtime::linspace(double lo, double hi,
                                              size_t count) {
  std::vector<double> values(count);
  for (size_t i = 0; i < count; ++i)
    values[i] = count == 1 ? lo : lo + (hi - lo) * i / (count - 1);
  if (count > 1)
    values.back() = hi;
  return values;
}

SweepAxis rateml::runtime::parseSweepAxis(const std::string &spec) {
  const std::string form = "NAME=LO:HI:COUNT";
  auto [name, rest] = splitAssignment(spec, form);
  std::vector<std::string> parts = split(rest, ':');
  if (parts.size() != 3)
    throw Error("malformed range '" + spec + "': expected " + form);
  double lo = parseNumber(parts[0], "--sweep " + name + " LO");
  double hi = parseNumber(parts[1], "--sweep " + name + " HI");
  std::string countText = trim(parts[2]);
  char *end = nullptr;
  errno = 0;
  long long count = std::strtoll(countText.c_str(), &end, 10);
  if (countText.empty() || *end || count < 1)
    throw Error("malformed range '" + spec +
                "': COUNT must be a whole number >= 1");
  if (errno == ERANGE || uint64_t(count) > kMaxAxisPoints)
    throw Error("--sweep " + name + ": COUNT " + countText +
                " exceeds the limit of " + std::to_string(kMaxAxisPoints));
  return {name, linspace(lo, hi, static_cast<size_t>(count))};
}

SweepAxis rateml::runtime::parseValuesAxis(const std::string &spec) {
  auto [name, rest] = splitAssignment(spec, "NAME=V1,V2,...");
  SweepAxis axis{name, {}};
  for (const std::string &v : split(rest, ','))
    axis.values.push_back(parseNumber(v, "--values " + name));
  if (axis.values.empty())
    throw Error("malformed '" + spec + "': no values");
  return axis;
}

ParamTable ParamTable::grid(std::vector<SweepAxis> axes, size_t numSets) {
  ParamTable t;
  for (const SweepAxis &axis : axes)
    t.names.push_back(axis.name);
  t.axes = std::move(axes);
  t.numSets = numSets;
  return t;
}

ParamTable ParamTable::table(std::vector<std::string> names,
                             std::vector<double> values, std::string file,
                             std::vector<size_t> lines) {
  ParamTable t;
  t.names = std::move(names);
  t.values = std::move(values);
  t.file = std::move(file);
  t.lines = std::move(lines);
  t.numSets = t.lines.size();
  return t;
}

std::vector<double> ParamTable::row(size_t set) const {
  if (!lines.empty())
    return std::vector<double>(values.begin() + set * names.size(),
                               values.begin() + (set + 1) * names.size());
  std::vector<double> r(axes.size());
  // The last axis varies fastest.
  size_t rest = set;
  for (size_t a = axes.size(); a-- > 0;) {
    r[a] = axes[a].values[rest % axes[a].values.size()];
    rest /= axes[a].values.size();
  }
  return r;
}

std::string ParamTable::describe(size_t set) const {
  std::string where = "parameter set " + std::to_string(set);
  if (!lines.empty())
    where += " (line " + std::to_string(lines[set]) + " of '" + file + "')";
  return where;
}

ParamTable rateml::runtime::cartesianProduct(const std::vector<SweepAxis> &axes,
                                             const SetLimit &limit) {
  std::set<std::string> seen;
  // The number of sets, or nothing past 2^64.
  std::optional<uint64_t> total = 1;
  for (const SweepAxis &axis : axes) {
    if (!seen.insert(axis.name).second)
      throw Error("parameter '" + axis.name + "' is swept twice");
    if (total)
      total = boundedProduct({*total, axis.values.size()});
  }
  if (!total || *total > limit.sets)
    throw Error("the sweep has " +
                (total ? std::to_string(*total) : std::string("over 2^64")) +
                " parameter sets, more than the limit of " +
                std::to_string(limit.sets) + ": " + limit.why);
  return ParamTable::grid(axes, size_t(*total));
}

ParamTable rateml::runtime::readParamTable(const std::string &path,
                                           const SetLimit &limit) {
  std::ifstream in(path);
  if (!in)
    throwUnreadable(path, "cannot read parameter table '" + path + "'");
  std::vector<std::string> names;
  std::vector<double> values;
  std::vector<size_t> lines;
  std::string line;
  size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (trim(line).empty() || trim(line)[0] == '#')
      continue;
    std::vector<std::string> cells = split(line, ',');
    if (names.empty()) {
      std::set<std::string> seen;
      for (const std::string &cell : cells) {
        std::string name = trim(cell);
        if (name.empty() || !seen.insert(name).second)
          throw Error(path + ":" + std::to_string(lineNo) +
                      ": the header must list distinct parameter names");
        names.push_back(name);
      }
      continue;
    }
    if (cells.size() != names.size())
      throw Error(path + ":" + std::to_string(lineNo) + ": " +
                  std::to_string(cells.size()) + " values, expected " +
                  std::to_string(names.size()));
    if (lines.size() == limit.sets)
      throw Error("parameter table '" + path + "' has more than " +
                  std::to_string(limit.sets) + " parameter sets: " + limit.why);
    for (const std::string &cell : cells)
      values.push_back(parseNumber(cell, path + ":" + std::to_string(lineNo)));
    lines.push_back(lineNo);
  }
  if (names.empty())
    throw Error("parameter table '" + path + "' has no header");
  if (lines.empty())
    throw Error("parameter table '" + path + "' has no parameter sets");
  return ParamTable::table(std::move(names), std::move(values), path,
                           std::move(lines));
}
