// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f32' --canonicalize --cse | FileCheck %s

// A regional constant (tau) and a regional derived parameter (1 / tau):
// rateml_setup leaves the derived one alone, rateml_node_setup computes it
// per (set, node) from node slot 0 (tau) into node slot 1, and the step
// kernel reads both per node from its node_params argument (%arg10), in
// the loop over nodes, while k stays a per-set slot loaded before it.
// CHECK-LABEL: func.func @rateml_setup(
// CHECK-NOT:   arith.divf
// CHECK:       return
// CHECK-LABEL: func.func @rateml_node_setup(%arg0: memref<?xf64>, %arg1: memref<?xf64>)
// CHECK:       %[[TAU:.*]] = memref.load %arg1[%c0] : memref<?xf64>
// CHECK:       %[[INV:.*]] = arith.divf %{{.*}}, %[[TAU]] : f64
// CHECK:       memref.store %[[INV]], %arg1[%c1] : memref<?xf64>
// CHECK-LABEL: func.func @rateml_step(
// CHECK:       %[[K:.*]] = vector.load %arg0[%c8] : memref<?xf32>, vector<4xf32>
// CHECK:       scf.for %[[I:.*]] = 
// CHECK:       vector.load %arg10[%{{.*}}] : memref<?xf32>, vector<4xf32>
// CHECK-LABEL: func.func @rateml_exposures(
// CHECK:       vector.load %arg4[%{{.*}}] : memref<?xf32>, vector<4xf32>
// CHECK:       \22num_node_slots\22:2
// CHECK-SAME:  \22regional\22:[{\22name\22:\22tau\22,\22node_slot\22:0,\22slot\22:3}]
rateml.model @relax attributes {delayed_states = array<i64>} {
  rateml.param @k range [0.0, 1.0]
  rateml.constant @tau = 2.0 regional
  rateml.derived_param @inv hoisted regional {
    %one = arith.constant 1.0 : f64
    %tau = rateml.get @tau
    %0 = arith.divf %one, %tau : f64
    rateml.yield %0 : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.exposure "x_tau" {
    %x = rateml.get @x
    %tau = rateml.get @tau
    %0 = arith.mulf %x, %tau : f64
    rateml.yield %0 : f64
  }
  rateml.time_derivative "dx" {
    %k = rateml.get @k
    %x = rateml.get @x
    %0 = arith.subf %k, %x : f64
    %inv = rateml.get @inv
    %1 = arith.mulf %0, %inv : f64
    rateml.yield %1 : f64
  }
}
