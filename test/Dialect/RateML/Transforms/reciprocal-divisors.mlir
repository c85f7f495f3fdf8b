// RUN: rateml-opt %s --split-input-file --pass-pipeline='builtin.module(rateml.model(rateml-reciprocal-divisors))' | FileCheck %s
// Divisions by parameter-level reads in per-step bodies become
// multiplications by one derived reciprocal per divisor; divisions by
// step-level values, and those inside derived parameters, stay.

// CHECK-LABEL: rateml.model @relax
// CHECK:      rateml.derived_param @tau_reciprocal hoisted {
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT:   %[[TAU:.*]] = rateml.get @tau
// CHECK-NEXT:   %[[R:.*]] = arith.divf %[[ONE]], %[[TAU]] : f64
// CHECK-NEXT:   rateml.yield %[[R]] : f64
// CHECK:      rateml.time_derivative "dx" {
// CHECK:        %[[D:.*]] = arith.subf
// CHECK:        %[[TAUR:.*]] = rateml.get @tau_reciprocal
// CHECK-NEXT:   %[[Q:.*]] = arith.mulf %[[D]], %[[TAUR]] : f64
// CHECK-NEXT:   rateml.yield %[[Q]] : f64
// CHECK:      rateml.time_derivative "dy" {
// CHECK:        %[[X:.*]] = rateml.get @x
// CHECK:        %[[TAUR2:.*]] = rateml.get @tau_reciprocal
// CHECK-NEXT:   %[[Q2:.*]] = arith.mulf %[[X]], %[[TAUR2]] : f64
// CHECK:        arith.divf %{{.*}}, %[[X]] : f64
// CHECK-NOT:  tau_reciprocal1
rateml.model @relax attributes {delayed_states = array<i64>} {
  rateml.param @k range [0.0, 1.0]
  rateml.constant @tau = 2.0
  rateml.derived_param @half_k {
    %k = rateml.get @k
    %two = arith.constant 2.0 : f64
    %0 = arith.divf %k, %two : f64
    rateml.yield %0 : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.state @y init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %k = rateml.get @k
    %x = rateml.get @x
    %0 = arith.subf %k, %x : f64
    %tau = rateml.get @tau
    %1 = arith.divf %0, %tau : f64
    rateml.yield %1 : f64
  }
  rateml.time_derivative "dy" {
    %x = rateml.get @x
    %tau = rateml.get @tau
    %0 = arith.divf %x, %tau : f64
    %k = rateml.get @k
    %1 = arith.divf %k, %x : f64
    %2 = arith.addf %0, %1 : f64
    rateml.yield %2 : f64
  }
}

// -----

// The reciprocal's name does not clash with an existing symbol.
// CHECK-LABEL: rateml.model @clash
// CHECK: rateml.derived_param @tau_reciprocal1 hoisted
// CHECK: rateml.get @tau_reciprocal1
rateml.model @clash attributes {delayed_states = array<i64>} {
  rateml.constant @tau = 2.0
  rateml.constant @tau_reciprocal = 0.5
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    %tau = rateml.get @tau
    %0 = arith.divf %x, %tau : f64
    rateml.yield %0 : f64
  }
}
