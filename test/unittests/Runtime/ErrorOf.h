//===- ErrorOf.h - Capture a runtime Error's message in tests ---*- C++ -*-===//
#ifndef RATEML_TEST_UNITTESTS_RUNTIME_ERROROF_H
#define RATEML_TEST_UNITTESTS_RUNTIME_ERROROF_H

#include "rateml/runtime/Error.h"
#include <functional>
#include <string>

/// The message of the Error `fn` throws, or "no error".
inline std::string errorOf(const std::function<void()> &fn) {
  try {
    fn();
  } catch (const rateml::runtime::Error &e) {
    return e.what();
  }
  return "no error";
}

#endif // RATEML_TEST_UNITTESTS_RUNTIME_ERROROF_H
