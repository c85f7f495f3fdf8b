// RUN: rateml-opt %s --pass-pipeline='builtin.module(rateml.model(canonicalize))' | FileCheck %s
// Reads of literal derived parameters fold; arithmetic folds inside each
// expression region; constants stay symbolic (overridable at run time).

// CHECK-LABEL: rateml.model @fold
// CHECK: rateml.time_derivative "dx" {
// CHECK-DAG: %[[C:.*]] = arith.constant 5.000000e-02 : f64
// CHECK-DAG: %[[TAU:.*]] = rateml.get @tau
// CHECK-NOT: rateml.get @nsig
// CHECK: arith.mulf %[[TAU]], %[[C]] : f64
rateml.model @fold {
  rateml.constant @tau = 2.0
  rateml.derived_param @nsig {
    %0 = arith.constant 0.01 : f64
    %1 = arith.constant 5.0 : f64
    %2 = arith.mulf %0, %1 : f64
    rateml.yield %2 : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %tau = rateml.get @tau
    %n = rateml.get @nsig
    %0 = arith.mulf %tau, %n : f64
    rateml.yield %0 : f64
  }
}
