// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f32' --canonicalize --cse | FileCheck %s --check-prefixes=CHECK,F32
// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f64' --canonicalize --cse | FileCheck %s --check-prefixes=CHECK,F64

// The CPU step kernel loads parameter-level values (slots) once per call,
// before the loop over nodes (tau is slot 3: dt, n_node, k, tau). In
// float32 a division by one of them becomes a multiplication by its
// reciprocal, also taken once per call; float64 keeps the division, so it
// stays bit-identical to the reference interpreter.
// CHECK-LABEL: func.func @rateml_step(
// CHECK: %[[TAU:.*]] = vector.load %arg0[%c12] : memref<?x{{f32|f64}}>, vector<4x{{f32|f64}}>
// F32: %[[RECIPROCAL:.*]] = arith.divf %{{.*}}, %[[TAU]] : vector<4xf32>
// CHECK: scf.for
// CHECK-NOT: vector.load %arg0
// F32-NOT: arith.divf
// F32: arith.mulf %{{.*}}, %[[RECIPROCAL]] : vector<4xf32>
// F64: arith.divf %{{.*}}, %[[TAU]] : vector<4xf64>
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
