// RUN: rateml-opt %s --convert-rateml-to-kernel='target=gpu precision=f32' | FileCheck %s
// target=gpu: one parameter set per thread, arrays strided by the set count,
// a chunk of steps per launch; the setup stays a host function.

// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: func.func @rateml_setup(
// CHECK: gpu.module @rateml_gpu {
// Arguments 8 and 9 are the sets' indices and divergence steps, 10 and 11
// the stimulus window and scales, 12 the float64 window sums, 13, 18 and 19
// the first step, the step count and the sets.
// CHECK: gpu.func @rateml_step(
// CHECK-SAME: %arg7: memref<?xf32>, %arg8: memref<?xi32>, %arg9: memref<?xi32>, %arg10: memref<?xf32>, %arg11: memref<?xf32>, %arg12: memref<?xf32>, %arg13: memref<?xf64>, %arg14: i64, %arg15: i64, %arg16: i64, %arg17: i32, %arg18: i64, %arg19: i64, %arg20: i64) kernel {
// CHECK: %[[BID:.*]] = gpu.block_id x
// CHECK: %[[BDIM:.*]] = gpu.block_dim x
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[B:.*]] = arith.muli %[[BID]], %[[BDIM]] : index
// CHECK: %[[SET:.*]] = arith.addi %[[B]], %[[TID]] : index
// CHECK: %[[STRIDE:.*]] = arith.index_cast %arg20 : i64 to index
// CHECK: %[[INRANGE:.*]] = arith.cmpi ult, %[[SET]], %[[STRIDE]] : index
// CHECK: scf.if %[[INRANGE]] {
// CHECK: %[[END:.*]] = arith.addi %arg14, %arg19 : i64
// CHECK: scf.for %[[STEP:.*]] = %arg14 to %[[END]] step %{{.*}} : i64 {
// CHECK-NOT: vector.
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[STEP]], %arg14 : i64
// This thread's set (the noise counter's set word).
// CHECK: memref.load %arg8[%{{.*}}] : memref<?xi32>
// The delayed source: this thread's element of the history row, with a
// shared delay table or its own delay, in index (64-bit) arithmetic either
// way since a GPU batch's history may exceed 2^31 elements.
// CHECK: memref.load %arg2[%{{.*}}] : memref<?xf32>
// CHECK: } else {
// CHECK: %[[ROW:.*]] = arith.select %{{.*}} : i32
// CHECK-NEXT: %[[ROWI:.*]] = arith.index_cast %[[ROW]] : i32 to index
// CHECK-NOT: : i32
// CHECK: arith.addi %{{.*}}, %[[ROWI]] : index
// CHECK-NOT: : i32
// CHECK: memref.load %arg2[%{{.*}}] : memref<?xf32>
// Whether the new state is NaN or infinite.
// CHECK: arith.cmpf uge
// Flags 16 (states) and 32 (exposures): the new values, in float64, added to
// the sums, which the launch's first step starts from zero.
// CHECK: scf.if
// CHECK: %[[WIDE:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK: %[[OLD:.*]] = memref.load %arg13[%{{.*}}] : memref<?xf64>
// CHECK: %[[BASE:.*]] = arith.select %[[FIRST]], %{{.*}}, %[[OLD]] : f64
// CHECK: %[[SUM:.*]] = arith.addf %[[BASE]], %[[WIDE]] : f64
// CHECK: memref.store %[[SUM]], %arg13[%{{.*}}] : memref<?xf64>
// CHECK: scf.if
// CHECK: arith.extf
// CHECK: memref.store %{{.*}}, %arg13[%{{.*}}] : memref<?xf64>
// After the node loop, a non-finite new state records the step in this
// thread's `diverged`.
// CHECK: %[[OLDSTEP:.*]] = memref.load %arg9[%[[AT:.*]]] : memref<?xi32>
// CHECK: %[[NEWSTEP:.*]] = arith.select %{{.*}}, %{{.*}}, %[[OLDSTEP]] : i32
// CHECK: memref.store %[[NEWSTEP]], %arg9[%[[AT]]] : memref<?xi32>
// CHECK: gpu.return
// CHECK: gpu.func @rateml_exposures({{.*}}) kernel {
// CHECK: llvm.mlir.global external constant @rateml_model_json
// CHECK-SAME: \22target\22:\22gpu\22
rateml.model @linear attributes {conduction_speed = @speed, delayed_states = array<i64: 0>} {
  rateml.param @speed range [1.0, 2.0]
  rateml.derived_param @rec_speed_dt {
    %s = rateml.get @speed
    rateml.yield %s : f64
  }
  rateml.state @x init [0.0, 1.0] lower 0.0
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
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  rateml.noise {
    %a = arith.constant 0.1 : f64
    rateml.yield %a : f64
  }
}
