// RUN: rateml-opt %s --pass-pipeline='builtin.module(rateml-optimize-model{regional=eta})' | FileCheck %s
// rateml-compile --regional as a pipeline option: eta is marked, the
// division by tau becomes a per-set reciprocal, and eta / tau (node-level)
// is hoisted into a regional derived parameter.

// CHECK-LABEL: rateml.model @pipeline
// CHECK:      rateml.constant @eta = -5.000000e+00 regional
// CHECK:      rateml.constant @tau = 2.000000e+00{{$}}
// CHECK:      rateml.derived_param @dx_inv0 hoisted regional {
// CHECK:        rateml.get @eta
// CHECK:      rateml.time_derivative "dx" {
// CHECK-NOT:    rateml.get @eta
// CHECK:        rateml.get @dx_inv0
rateml.model @pipeline {
  rateml.constant @eta = -5.0
  rateml.constant @tau = 2.0
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %eta = rateml.get @eta
    %tau = rateml.get @tau
    %0 = arith.divf %eta, %tau : f64
    %x = rateml.get @x
    %1 = arith.subf %0, %x : f64
    rateml.yield %1 : f64
  }
}
