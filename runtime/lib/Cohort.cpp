//===- Cohort.cpp - The connectomes of a sweep, one per subject -----------===//
//
// A list file names one connectome per line, relative to the list's own
// folder, so that a list travels with the files it names.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Cohort.h"
#include "rateml/runtime/Error.h"
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace rateml::runtime;

namespace {

/// The paths listed in `list` (the part of --connectivity after '@').
std::vector<std::string> readList(const std::string &list) {
  std::ifstream in(list);
  if (!in)
    throwUnreadable(list, "--connectivity: cannot read list '" + list + "'");
  const fs::path folder = fs::path(list).parent_path();
  std::vector<std::string> paths;
  std::string line;
  while (std::getline(in, line)) {
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#')
      continue;
    const size_t end = line.find_last_not_of(" \t\r");
    std::string path = line.substr(begin, end + 1 - begin);
    if (path.rfind("builtin", 0) != 0 && fs::path(path).is_relative())
      path = (folder / path).string();
    paths.push_back(path);
  }
  if (paths.empty())
    throw Error("--connectivity: list '" + list + "' names no connectome");
  return paths;
}

} // namespace

std::vector<std::string>
rateml::runtime::expandConnectivity(const std::vector<std::string> &specs) {
  std::vector<std::string> paths;
  for (const std::string &spec : specs) {
    if (spec.rfind('@', 0) != 0) {
      paths.push_back(spec);
      continue;
    }
    std::vector<std::string> listed = readList(spec.substr(1));
    paths.insert(paths.end(), listed.begin(), listed.end());
  }
  if (paths.empty())
    paths.push_back("builtin");
  return paths;
}

Cohort rateml::runtime::loadCohort(const std::vector<std::string> &specs) {
  Cohort cohort;
  for (const std::string &path : expandConnectivity(specs)) {
    cohort.subjects.push_back(loadConnectome(path));
    const Connectome &first = cohort.subjects.front(),
                     &last = cohort.subjects.back();
    if (last.numNodes != first.numNodes)
      throw Error("--connectivity: '" + first.source + "' has " +
                  std::to_string(first.numNodes) + " nodes but '" +
                  last.source + "' has " + std::to_string(last.numNodes) +
                  "; every subject needs the same nodes");
  }
  return cohort;
}
