// RUN: rateml-opt %s --pass-pipeline='builtin.module(rateml.model(rateml-hoist-invariants))' | FileCheck %s
// Parameter-level subexpressions leave the per-step bodies; conditions (i1),
// single reads and literals stay.

// CHECK-LABEL: rateml.model @hoist
// CHECK:      rateml.derived_param @d_inv0 hoisted {
// CHECK-NEXT:   %[[TAU:.*]] = rateml.get @tau
// CHECK-NEXT:   %[[G:.*]] = rateml.get @g
// CHECK-NEXT:   %[[M:.*]] = arith.mulf %[[TAU]], %[[G]] : f64
// CHECK-NEXT:   %[[DT:.*]] = rateml.dt
// CHECK-NEXT:   %[[Q:.*]] = arith.divf %[[M]], %[[DT]] : f64
// CHECK-NEXT:   rateml.yield %[[Q]] : f64
// CHECK:      rateml.derived @d {
// CHECK-NEXT:   %[[R:.*]] = rateml.get @r
// CHECK-NEXT:   %[[H:.*]] = rateml.get @d_inv0
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[H]], %[[R]] : f64
// CHECK-NEXT:   rateml.yield %[[P]] : f64
// CHECK:      rateml.derived_param @dr_inv0 hoisted {
// CHECK:        arith.divf
// CHECK:      rateml.time_derivative "dr" {
// CHECK-NEXT:   %[[TAU2:.*]] = rateml.get @tau
// CHECK-NEXT:   %[[INV:.*]] = rateml.get @dr_inv0
// CHECK-NOT:    arith.divf
// CHECK:        arith.cmpf olt, %[[TAU2]]
// CHECK:      rateml.derived_param @c_inv0 hoisted {
// CHECK:        arith.mulf
// CHECK:      rateml.coupling @c source 0 scale {
// CHECK-NEXT:   %[[G2:.*]] = rateml.get @g
// CHECK-NEXT:   rateml.yield %[[G2]] : f64
// CHECK:      } pre {
// CHECK-NEXT: ^bb0(%[[XJ:.*]]: f64):
// CHECK-NEXT:   %[[C:.*]] = rateml.get @c_inv0
// CHECK-NEXT:   arith.mulf %[[C]], %[[XJ]] : f64
rateml.model @hoist {
  rateml.param @g range [0.0, 1.0]
  rateml.constant @tau = 2.0
  rateml.state @r init [0.0, 1.0]
  rateml.derived @d {
    %r = rateml.get @r
    %tau = rateml.get @tau
    %g = rateml.get @g
    %0 = arith.mulf %tau, %g : f64
    %dt = rateml.dt
    %1 = arith.divf %0, %dt : f64
    %2 = arith.mulf %1, %r : f64
    rateml.yield %2 : f64
  }
  rateml.time_derivative "dr" {
    %tau = rateml.get @tau
    %one = arith.constant 1.0 : f64
    %inv = arith.divf %one, %tau : f64
    %d = rateml.get @d
    %0 = arith.mulf %inv, %d : f64
    %z = arith.constant 0.0 : f64
    %c = arith.cmpf olt, %tau, %z : f64
    %1 = arith.select %c, %0, %d : f64
    rateml.yield %1 : f64
  }
  rateml.coupling @c source 0 scale {
    %g = rateml.get @g
    rateml.yield %g : f64
  } pre {
  ^bb0(%rj: f64):
    %g = rateml.get @g
    %two = arith.constant 2.0 : f64
    %0 = arith.mulf %g, %two : f64
    %1 = arith.mulf %0, %rj : f64
    rateml.yield %1 : f64
  } post {
  ^bb0(%rj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
}
