//===- RegionalValues.cpp - Per-node values of regional names -------------===//
//
// Reads the n_node values of --node-values and --map, and refuses what
// cannot be right before any kernel runs: a file of the wrong length or
// with a non-finite value, a name the model does not have, one that is not
// a parameter or constant, or one this sweep.bin was not built to vary per
// node.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/RegionalValues.h"
#include "rateml/runtime/ClosestName.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include "rateml/runtime/Npy.h"
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace rateml::runtime;

namespace {

bool endsWith(const std::string &s, const std::string &tail) {
  return s.size() >= tail.size() &&
         s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/// The numbers of a .npy file of one dimension, or of a text file
/// (whitespace-separated), checked to be `numNodes` finite values.
std::vector<double> readNodeFile(const std::string &path,
                                 const std::string &what, size_t numNodes) {
  std::vector<double> values;
  if (endsWith(path, ".npy")) {
    NpyArray a = readNpy(path);
    if (a.shape.size() != 1)
      throw Error(what + ": '" + path + "' has shape " + formatTuple(a.shape) +
                  ", expected (" + std::to_string(numNodes) +
                  ",), one value per node");
    values = std::move(a.values);
  } else {
    std::ifstream in(path);
    if (!in)
      throw Error(what + ": cannot read '" + path + "'");
    std::string word;
    while (in >> word) {
      errno = 0;
      char *end = nullptr;
      double v = std::strtod(word.c_str(), &end);
      if (*end || errno == ERANGE)
        throw Error(what + ": '" + path + "': '" + word + "' is not a number");
      values.push_back(v);
    }
  }
  if (values.size() != numNodes)
    throw Error(what + ": '" + path + "' has " + std::to_string(values.size()) +
                " values, the connectome " + std::to_string(numNodes) +
                " nodes");
  if (auto bad = firstNonFinite(values.data(), values.size()))
    throw Error(what + ": '" + path + "' has a non-finite value at " +
                formatIndex({values.size()}, *bad));
  return values;
}

/// Throws unless `name` is regional in this build.
const ModelInfo::Regional &findRegional(const ModelInfo &info,
                                        const std::string &name,
                                        const std::string &option) {
  for (const auto &r : info.regional)
    if (r.name == name)
      return r;
  std::vector<std::string> known;
  bool modelHasIt = false;
  for (const auto &p : info.params) {
    known.push_back(p.name);
    modelHasIt |= p.name == name;
  }
  for (const auto &c : info.constants) {
    known.push_back(c.name);
    modelHasIt |= c.name == name;
  }
  if (modelHasIt) {
    std::string regional = name;
    for (const auto &r : info.regional)
      regional += "," + r.name;
    throw Error(option + " " + name +
                ": sweep.bin was built without "
                "regional '" +
                name +
                "'; rebuild with rateml-compile "
                "--regional " +
                regional);
  }
  for (const auto &s : info.states)
    if (s.name == name)
      throw Error(option + " " + name + ": '" + name +
                  "' is a state variable; only a parameter or a constant "
                  "can have per-node values");
  throw Error(option + " " + name +
              ": the model has no parameter or "
              "constant '" +
              name +
              "' (a derived value is per node when "
              "what it reads is)" +
              didYouMean(name, known));
}

} // namespace

std::string rateml::runtime::mapScaleName(const std::string &name) {
  return name + ".scale";
}

std::vector<double>
rateml::runtime::regionalNodeValues(const RegionalInput &input, size_t numNodes,
                                    double setValue, double scale) {
  std::vector<double> values(numNodes);
  for (size_t i = 0; i < numNodes; ++i) {
    double base = input.nodeValues.empty() ? setValue : input.nodeValues[i];
    values[i] = input.map.empty() ? base : base * (1.0 + scale * input.map[i]);
  }
  return values;
}

std::vector<RegionalInput> rateml::runtime::loadRegionalInputs(
    const ModelInfo &info, const SweepOptions &options, size_t numNodes) {
  std::vector<RegionalInput> inputs;
  for (const auto &r : info.regional)
    inputs.push_back({r.name, r.slot, r.nodeSlot, {}, {}});
  auto load = [&](const std::map<std::string, std::string> &files,
                  const std::string &option, bool map) {
    for (const auto &[name, path] : files) {
      const ModelInfo::Regional &r = findRegional(info, name, option);
      RegionalInput &input = inputs[size_t(&r - info.regional.data())];
      (map ? input.map : input.nodeValues) =
          readNodeFile(path, option + " " + name, numNodes);
    }
  };
  load(options.nodeValues, "--node-values", false);
  load(options.maps, "--map", true);
  return inputs;
}
