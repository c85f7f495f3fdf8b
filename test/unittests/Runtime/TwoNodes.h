//===- TwoNodes.h - A two-node network for runtime tests -------*- C++ -*-===//
#ifndef RATEML_TEST_UNITTESTS_RUNTIME_TWONODES_H
#define RATEML_TEST_UNITTESTS_RUNTIME_TWONODES_H

#include "rateml/runtime/Delays.h"

/// Two nodes joined both ways by tracts of 10 and 20 mm.
inline rateml::runtime::EdgeList twoNodes() {
  rateml::runtime::EdgeList edges;
  edges.numNodes = 2;
  edges.rowStart = {0, 1, 2};
  edges.source = {1, 0};
  edges.weight = {1, 1};
  edges.length = {10, 20};
  return edges;
}

#endif // RATEML_TEST_UNITTESTS_RUNTIME_TWONODES_H
