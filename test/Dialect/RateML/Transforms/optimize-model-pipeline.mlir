// RUN: rateml-opt %s --rateml-optimize-model | FileCheck %s
// The registered pipeline that rateml-compile runs: speed named, powers expanded,
// invariants hoisted, couplings classified, history pruned.

// CHECK-LABEL: rateml.model @pipeline
// CHECK-SAME: conduction_speed = @conduction_speed, delayed_states = array<i64: 0>
// CHECK: rateml.derived_param @dx_inv0 hoisted {
// CHECK: rateml.time_derivative "dx" {
// CHECK-NOT: math.powf
// CHECK: arith.mulf
// CHECK: rateml.coupling @c source 0 kind <linear>
rateml.model @pipeline {
  rateml.param @speed range [1.0, 2.0]
  rateml.constant @tau = 2.0
  rateml.derived_param @rec_speed_dt {
    %s = rateml.get @speed
    rateml.yield %s : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    %two = arith.constant 2.0 : f64
    %p = math.powf %x, %two : f64
    %tau = rateml.get @tau
    %one = arith.constant 1.0 : f64
    %inv = arith.divf %one, %tau : f64
    %0 = arith.mulf %inv, %p : f64
    %c = rateml.get @c
    %1 = arith.addf %0, %c : f64
    rateml.yield %1 : f64
  }
  rateml.coupling @c source 0 scale {
    %s = rateml.get @speed
    rateml.yield %s : f64
  } pre {
  ^bb0(%xj: f64):
    rateml.yield %xj : f64
  } post {
  ^bb0(%xj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
}
