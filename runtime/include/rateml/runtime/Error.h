//===- Error.h - Errors reported by the sweep runtime -----------*- C++ -*-===//
//
// The runtime reports bad input (files, command line, sizes) by throwing
// Error with a one-line message naming the problem; main() turns it into
// "sweep: error: ..." and exit status 2.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_ERROR_H
#define RATEML_RUNTIME_ERROR_H

#include <stdexcept>
#include <string>

namespace rateml::runtime {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

/// An input file that does not exist (Python: FileNotFoundError).
class MissingFile : public Error {
public:
  using Error::Error;
};

/// Throws MissingFile with `message` when `path` does not exist, else Error.
[[noreturn]] void throwUnreadable(const std::string &path,
                                  const std::string &message);

/// The sweep was asked to stop (Ctrl-C in Python) before it finished.
class Interrupted : public Error {
public:
  Interrupted() : Error("interrupted") {}
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_ERROR_H
