// RUN: rateml-opt %s --pass-pipeline='builtin.module(rateml.model(rateml-inline-constants))' | FileCheck %s
// RUN: rateml-opt %s --pass-pipeline='builtin.module(rateml.model(rateml-inline-constants{keep=tau}))' | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: rateml.model @constants
// CHECK: rateml.time_derivative "dx" {
// CHECK-DAG: arith.constant 2.000000e+00 : f64
// CHECK-DAG: arith.constant 3.000000e+00 : f64
// CHECK-NOT: rateml.get @tau
// CHECK-NOT: rateml.get @k
// Parameters are not constants.
// CHECK: rateml.get @g
// KEEP-LABEL: rateml.model @constants
// KEEP: rateml.get @tau
// KEEP-NOT: rateml.get @k
rateml.model @constants {
  rateml.param @g range [0.0, 1.0]
  rateml.constant @tau = 2.0
  rateml.constant @k = 3.0
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %tau = rateml.get @tau
    %k = rateml.get @k
    %0 = arith.mulf %tau, %k : f64
    %g = rateml.get @g
    %1 = arith.mulf %0, %g : f64
    rateml.yield %1 : f64
  }
}
