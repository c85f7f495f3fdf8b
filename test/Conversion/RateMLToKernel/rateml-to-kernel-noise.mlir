// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f32' --canonicalize --cse | FileCheck %s

// Noise on two states (docs/simulation.md): nodes 2m and 2m + 1 share one
// Philox4x32-10 call with counter (step, m, set, 0). The node loop carries
// words 2 and 3 of the even node's call: an odd node draws from them, an
// even node (i & 1 == 0) runs the ten rounds (vector<2xi64> multiplies, two
// per round) on node pair i >> 1 and keeps words 0 and 1. Box-Muller then
// turns the node's two words into the draws of x and y; without flag 2
// (noise off) the carried words pass through unchanged.
// CHECK-LABEL: func.func @rateml_step(
// CHECK: %[[NOISE_FLAG:.*]] = arith.andi %arg16, %c2_i32 : i32
// CHECK: %[[NOISE_ON:.*]] = arith.cmpi ne, %[[NOISE_FLAG]], %c0_i32 : i32
// CHECK: scf.for %[[I:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}} = %{{.*}}, %[[W2:.*]] = %[[ZERO:.*]], %[[W3:.*]] = %[[ZERO]]) -> (vector<4xi1>, vector<4xi32>, vector<4xi32>) {
// CHECK: %[[NOISE:.*]]:4 = scf.if %[[NOISE_ON]] -> (vector<4xf32>, vector<4xf32>, vector<4xi32>, vector<4xi32>) {
// CHECK: %[[PARITY:.*]] = arith.andi %[[I]], %c1 : index
// CHECK: %[[ODD:.*]] = arith.cmpi ne, %[[PARITY]], %c0 : index
// CHECK: %[[PAIR:.*]] = arith.shrui %[[I]], %c1 : index
// CHECK: %[[PAIR32:.*]] = arith.index_cast %[[PAIR]] : index to i32
// CHECK: %[[WORDS:.*]]:4 = scf.if %[[ODD]] -> (vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>) {
// CHECK: scf.yield %[[W2]], %[[W3]], %[[W2]], %[[W3]]
// CHECK: } else {
// CHECK: vector.broadcast %[[PAIR32]] : i32 to vector<4xi32>
// CHECK-COUNT-20: arith.muli %{{.*}} : vector<2xi64>
// CHECK: scf.yield %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>
// CHECK: arith.uitofp %[[WORDS]]#0 : vector<4xi32> to vector<4xf32>
// CHECK: scf.yield %{{.*}}, %{{.*}}, %[[WORDS]]#2, %[[WORDS]]#3 : vector<4xf32>, vector<4xf32>, vector<4xi32>, vector<4xi32>
// CHECK: } else {
// CHECK: scf.yield %{{.*}}, %{{.*}}, %[[W2]], %[[W3]] : vector<4xf32>, vector<4xf32>, vector<4xi32>, vector<4xi32>
// CHECK: scf.yield %{{.*}}, %[[NOISE]]#2, %[[NOISE]]#3 : vector<4xi1>, vector<4xi32>, vector<4xi32>
rateml.model @pair attributes {delayed_states = array<i64>} {
  rateml.param @a range [1.0, 2.0]
  rateml.state @x init [0.0, 1.0]
  rateml.state @y init [0.0, 1.0]
  rateml.exposure "x" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.time_derivative "dx" {
    %y = rateml.get @y
    rateml.yield %y : f64
  }
  rateml.time_derivative "dy" {
    %x = rateml.get @x
    %a = rateml.get @a
    %0 = arith.mulf %a, %x : f64
    rateml.yield %0 : f64
  }
  rateml.noise {
    %s = arith.constant 0.1 : f64
    rateml.yield %s : f64
  }
}
