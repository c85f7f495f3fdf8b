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

ParamTable rateml::runtime::cartesianProduct(const std::vector<SweepAxis> &axes,
                                             const SetLimit &limit) {
  ParamTable table;
  std::set<std::string> seen;
  // The number of sets, or nothing past 2^64.
  std::optional<uint64_t> total = 1;
  for (const SweepAxis &axis : axes) {
    if (!seen.insert(axis.name).second)
      throw Error("parameter '" + axis.name + "' is swept twice");
    table.names.push_back(axis.name);
    if (total)
      total = boundedProduct({*total, axis.values.size()});
  }
  if (!total || *total > limit.sets)
    throw Error("the sweep has " +
                (total ? std::to_string(*total) : std::string("over 2^64")) +
                " parameter sets, more than the limit of " +
                std::to_string(limit.sets) + ": " + limit.why);
  table.rows.reserve(*total);
  for (size_t index = 0; index < *total; ++index) {
    std::vector<double> row(axes.size());
    size_t rest = index;
    // The last axis varies fastest.
    for (size_t a = axes.size(); a-- > 0;) {
      row[a] = axes[a].values[rest % axes[a].values.size()];
      rest /= axes[a].values.size();
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

ParamTable rateml::runtime::readParamTable(const std::string &path,
                                           const SetLimit &limit) {
  std::ifstream in(path);
  if (!in)
    throw Error("cannot read parameter table '" + path + "'");
  ParamTable table;
  std::string line;
  size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (trim(line).empty() || trim(line)[0] == '#')
      continue;
    std::vector<std::string> cells = split(line, ',');
    if (table.names.empty()) {
      std::set<std::string> seen;
      for (const std::string &cell : cells) {
        std::string name = trim(cell);
        if (name.empty() || !seen.insert(name).second)
          throw Error(path + ":" + std::to_string(lineNo) +
                      ": the header must list distinct parameter names");
        table.names.push_back(name);
      }
      continue;
    }
    if (cells.size() != table.names.size())
      throw Error(path + ":" + std::to_string(lineNo) + ": " +
                  std::to_string(cells.size()) + " values, expected " +
                  std::to_string(table.names.size()));
    if (table.rows.size() == limit.sets)
      throw Error("parameter table '" + path + "' has more than " +
                  std::to_string(limit.sets) + " parameter sets: " + limit.why);
    std::vector<double> row;
    for (const std::string &cell : cells)
      row.push_back(parseNumber(cell, path + ":" + std::to_string(lineNo)));
    table.rows.push_back(std::move(row));
  }
  if (table.names.empty())
    throw Error("parameter table '" + path + "' has no header");
  if (table.rows.empty())
    throw Error("parameter table '" + path + "' has no parameter sets");
  return table;
}
