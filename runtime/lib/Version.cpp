//===- Version.cpp - Version of the sweep runtime -------------------------===//
//
// Reports the project version configured by CMake (rateml/Version.h).
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Version.h"
#include "rateml/Version.h"

const char *rateml_runtime_version(void) { return RATEML_VERSION; }
