// RUN: rateml-opt %s --pass-pipeline='builtin.module(rateml.model(rateml-hoist-invariants))' | FileCheck %s
// Three levels: a maximal subexpression that reads a regional value is
// node-level and becomes a regional derived parameter (once per set and
// node); one that reads only per-set values stays set-level; what reads a
// state stays in the step. A single read of a regional value is left as is.

// CHECK-LABEL: rateml.model @levels
// CHECK:      rateml.derived_param @dV_inv0 hoisted regional {
// CHECK-NEXT:   %[[ETA:.*]] = rateml.get @eta
// CHECK-NEXT:   %[[TAU:.*]] = rateml.get @tau
// CHECK-NEXT:   %[[TT:.*]] = arith.mulf %[[TAU]], %[[TAU]] : f64
// CHECK-NEXT:   %[[E:.*]] = arith.mulf %[[ETA]], %[[TT]] : f64
// CHECK-NEXT:   rateml.yield %[[E]] : f64
// CHECK:      rateml.derived_param @dV_inv1 hoisted {
// CHECK-NEXT:   %[[G:.*]] = rateml.get @g
// CHECK-NEXT:   %[[TAU2:.*]] = rateml.get @tau
// CHECK-NEXT:   %[[GT:.*]] = arith.mulf %[[G]], %[[TAU2]] : f64
// CHECK-NEXT:   rateml.yield %[[GT]] : f64
// CHECK:      rateml.time_derivative "dV" {
// CHECK-NEXT:   %[[N:.*]] = rateml.get @dV_inv0
// CHECK-NEXT:   %[[V:.*]] = rateml.get @V
// CHECK-NEXT:   %[[A:.*]] = arith.addf %[[N]], %[[V]] : f64
// CHECK-NEXT:   %[[S:.*]] = rateml.get @dV_inv1
// CHECK-NEXT:   %[[B:.*]] = arith.mulf %[[A]], %[[S]] : f64
// CHECK-NEXT:   %[[ETA2:.*]] = rateml.get @eta
// CHECK-NEXT:   %[[C:.*]] = arith.addf %[[B]], %[[ETA2]] : f64
// CHECK-NEXT:   rateml.yield %[[C]] : f64
rateml.model @levels {
  rateml.param @eta range [-5.0, -4.0] regional
  rateml.param @g range [0.0, 1.0]
  rateml.constant @tau = 2.0
  rateml.state @V init [0.0, 1.0]
  rateml.time_derivative "dV" {
    %eta = rateml.get @eta
    %tau = rateml.get @tau
    %tt = arith.mulf %tau, %tau : f64
    %e = arith.mulf %eta, %tt : f64
    %V = rateml.get @V
    %a = arith.addf %e, %V : f64
    %g = rateml.get @g
    %tau2 = rateml.get @tau
    %gt = arith.mulf %g, %tau2 : f64
    %b = arith.mulf %a, %gt : f64
    %eta2 = rateml.get @eta
    %c = arith.addf %b, %eta2 : f64
    rateml.yield %c : f64
  }
}
