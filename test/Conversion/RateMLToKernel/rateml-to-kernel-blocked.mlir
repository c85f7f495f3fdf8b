// RUN: rateml-opt %s --split-input-file --convert-rateml-to-kernel='lanes=4 precision=f32 block=2' --canonicalize --cse | FileCheck %s

// A coupling that reads only its source and parameters: with flag 8, at
// steps that are multiples of the block, one pass over the edges sums two
// steps (two accumulators), loading two rows of the source's history:
// contiguous ones, or wrapped around the end of the ring; each step's sum is
// acc + (w * post) * pre, as one step at a time. Phase 2 reads slot
// (step mod 2) and leaves c(n) in slot 0 for the exposures.
// CHECK-LABEL: func.func @rateml_step(
// CHECK: %[[FLAG:.*]] = arith.andi %{{.*}}, %c8_i32 : i32
// CHECK: %[[BLOCKED:.*]] = arith.cmpi ne, %[[FLAG]]
// CHECK: %[[PHASE:.*]] = arith.remsi %{{.*}}, %c2_i64 : i64
// CHECK: scf.if %[[BLOCKED]] {
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[PHASE]], %c0_i64
// CHECK: scf.if %[[FIRST]] {
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args(%[[A0:.*]] = %{{.*}}, %[[A1:.*]] = %{{.*}}) -> (vector<4xf32>, vector<4xf32>)
// CHECK: %[[X:.*]]:2 = scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>) {
// CHECK: vector.load
// CHECK: vector.load
// CHECK: } else {
// CHECK: arith.select
// CHECK: vector.load
// CHECK: arith.select
// CHECK: vector.load
// CHECK: }
// CHECK: %[[T0:.*]] = arith.mulf %{{.*}}, %[[X]]#0 : vector<4xf32>
// CHECK: %[[S0:.*]] = arith.addf %[[A0]], %[[T0]] : vector<4xf32>
// CHECK: %[[T1:.*]] = arith.mulf %{{.*}}, %[[X]]#1 : vector<4xf32>
// CHECK: %[[S1:.*]] = arith.addf %[[A1]], %[[T1]] : vector<4xf32>
// CHECK: scf.yield %[[S0]], %[[S1]]
// CHECK: vector.store
// CHECK: vector.store
// CHECK: } else {
// CHECK: scf.for {{.*}} -> (vector<4xf32>)
// CHECK: vector.gather
// CHECK-LABEL: func.func @rateml_exposures(
// CHECK: llvm.mlir.global external constant @rateml_model_json
// CHECK-SAME: \22block\22:2
rateml.model @linear attributes {conduction_speed = @speed, delayed_states = array<i64: 0>} {
  rateml.param @speed range [1.0, 2.0]
  rateml.constant @k = 0.5
  rateml.derived_param @rec_speed_dt {
    %s = rateml.get @speed
    rateml.yield %s : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.exposure "x" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    %c = rateml.get @c
    %0 = arith.subf %c, %x : f64
    rateml.yield %0 : f64
  }
  rateml.coupling @c source 0 kind <linear> scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    rateml.yield %xj : f64
  } post {
  ^bb0(%xj: f64):
    %k = rateml.get @k
    rateml.yield %k : f64
  }
}

// -----

// sin(xj - xi) reads the target's state, unknown for later steps: one step
// at a time only.
// CHECK-LABEL: func.func @rateml_step(
// CHECK-NOT: %c8_i32
// CHECK-LABEL: func.func @rateml_exposures(
// CHECK: llvm.mlir.global external constant @rateml_model_json
// CHECK-SAME: \22block\22:1
rateml.model @kuramoto_like attributes {conduction_speed = @speed, delayed_states = array<i64: 0>} {
  rateml.param @speed range [1.0, 2.0]
  rateml.derived_param @rec_speed_dt {
    %s = rateml.get @speed
    rateml.yield %s : f64
  }
  rateml.state @theta init [0.0, 1.0]
  rateml.time_derivative "dtheta" {
    %c = rateml.get @c
    rateml.yield %c : f64
  }
  rateml.coupling @c source 0 kind <sin_difference> scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    %xi = rateml.get @theta
    %d = arith.subf %xj, %xi : f64
    %s = math.sin %d : f64
    rateml.yield %s : f64
  } post {
  ^bb0(%xj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
}
