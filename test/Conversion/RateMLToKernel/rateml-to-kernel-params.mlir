// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f32' --canonicalize --cse | FileCheck %s
// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f64' --canonicalize --cse | FileCheck %s

// The CPU step kernel loads parameter-level values (slots) once per call,
// before the loop over nodes (tau is slot 3: dt, n_node, k, tau), and the
// loop uses those loads; the arithmetic stays the model's (a division by
// tau stays a division: rateml-reciprocal-divisors, a model-level pass,
// decides that).
// CHECK-LABEL: func.func @rateml_step(
// CHECK: %[[K:.*]] = vector.load %arg0[%c8] : memref<?x[[T:f32|f64]]>, vector<4x[[T]]>
// CHECK: %[[TAU:.*]] = vector.load %arg0[%c12] : memref<?x[[T]]>, vector<4x[[T]]>
// CHECK: scf.for
// CHECK-NOT: vector.load %arg0
// CHECK: %[[D:.*]] = arith.subf %[[K]], %{{.*}} : vector<4x[[T]]>
// CHECK-NEXT: arith.divf %[[D]], %[[TAU]] : vector<4x[[T]]>
// CHECK-LABEL: func.func @rateml_exposures(
rateml.model @relax attributes {delayed_states = array<i64>} {
  rateml.param @k range [0.0, 1.0]
  rateml.constant @tau = 2.0
  rateml.state @x init [0.0, 1.0]
  rateml.exposure "x" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.time_derivative "dx" {
    %k = rateml.get @k
    %x = rateml.get @x
    %0 = arith.subf %k, %x : f64
    %tau = rateml.get @tau
    %1 = arith.divf %0, %tau : f64
    rateml.yield %1 : f64
  }
}
