//===- Error.cpp - Errors reported by the sweep runtime -------------------===//
//
// Which error an unreadable input file is: Python raises FileNotFoundError
// for a file that does not exist and ValueError for the rest.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Error.h"
#include <filesystem>

void rateml::runtime::throwUnreadable(const std::string &path,
                                      const std::string &message) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw MissingFile(message);
  throw Error(message);
}
