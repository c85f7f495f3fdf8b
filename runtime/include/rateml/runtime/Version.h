//===- Version.h - Version of the sweep runtime -----------------*- C++ -*-===//
//
// The version a sweep.bin reports; the runtime's only public entry point
// until the CPU backend arrives.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_VERSION_H
#define RATEML_RUNTIME_VERSION_H

extern "C" {
/// The rateml version this runtime was built from, e.g. "0.1.0".
const char *rateml_runtime_version(void);
}

#endif // RATEML_RUNTIME_VERSION_H
