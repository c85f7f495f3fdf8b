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

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_ERROR_H
