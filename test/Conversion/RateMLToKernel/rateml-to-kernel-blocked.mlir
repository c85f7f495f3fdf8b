// RUN: rateml-opt %s --split-input-file --convert-rateml-to-kernel='lanes=4 precision=f32 block=2' --canonicalize --cse | FileCheck %s

// A coupling that reads only its source and parameters: with flag 8, at
// steps that are multiples of the block, one pass over the edges sums two
// steps (two accumulators), loading two consecutive rows of the source's
// history from one offset: a series has H + 3 rows, the last three copies
// of rows 0 ... 2 (enough for the lane series' longer block of 4 steps,
// `lane_block`), so the rows never wrap around the ring. Each step's sum is
// acc + (w * post) * pre, as one step at a time. Phase 2 reads slot
// (step mod 2), leaves c(n) in slot 0 for the exposures, and writes rows 0
// ... 2 of the ring also to their copies, rows H ... H + 2. While an edge is summed, the rows of
// the edge 8 ahead (or the last edge) are prefetched: 2 rows x 4 lanes x 4
// bytes fit one cache line, so one prefetch.
// CHECK-LABEL: func.func @rateml_step(
// CHECK: %[[H:.*]] = arith.index_cast %arg15 : i64 to index
// CHECK: %[[ROWS:.*]] = arith.addi %[[H]], %c3 : index
// CHECK: %[[NEXT:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[FLAG:.*]] = arith.andi %{{.*}}, %c8_i32 : i32
// CHECK: %[[BLOCKED:.*]] = arith.cmpi ne, %[[FLAG]]
// The block is 2 steps, or 4 with flag 256 (the lane series' longer one).
// CHECK: %[[LEN:.*]] = arith.select %{{.*}}, %c4_i64, %c2_i64 : i64
// CHECK: %[[PHASE:.*]] = arith.remsi %{{.*}}, %[[LEN]] : i64
// CHECK: scf.if %[[BLOCKED]] {
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[PHASE]], %c0_i64
// CHECK: scf.if %[[FIRST]] {
// Flag 64's passes first (with flag 256 the long block, else the block of
// 2: rateml-to-kernel-lane-series.mlir), then this one.
// CHECK: } else {
// CHECK: } else {
// CHECK: %[[K:.*]] = memref.load %arg4[%[[N:.*]]] : memref<?xi32>
// CHECK: %[[KI:.*]] = arith.index_cast %[[K]]
// CHECK: %[[LAST:.*]] = arith.subi %[[KI]], %c1 : index
// CHECK: scf.for %{{.*}} = %c0 to %[[N]]
// CHECK: scf.for {{.*}} iter_args(%[[A0:.*]] = %{{.*}}, %[[A1:.*]] = %{{.*}}) -> (vector<4xf32>, vector<4xf32>)
// CHECK: %[[SERIES:.*]] = arith.muli %{{.*}}, %[[ROWS]] : index
// CHECK: %[[ROW:.*]] = arith.addi %[[SERIES]], %{{.*}} : index
// CHECK: %[[OFFSET:.*]] = arith.muli %[[ROW]], %c4 : index
// CHECK: %[[X0:.*]] = vector.load %arg2[%[[OFFSET]]]
// CHECK: %[[OFFSET1:.*]] = arith.addi %[[OFFSET]], %c4 : index
// CHECK: %[[X1:.*]] = vector.load %arg2[%[[OFFSET1]]]
// CHECK: %[[AHEAD:.*]] = arith.addi %{{.*}}, %c8 : index
// CHECK: %[[E2:.*]] = arith.minsi %[[AHEAD]], %[[LAST]] : index
// CHECK: memref.load %arg5[%[[E2]]]
// CHECK: %[[SERIES_AHEAD:.*]] = arith.muli %{{.*}}, %[[ROWS]] : index
// CHECK: %[[ROW_AHEAD:.*]] = arith.addi %[[SERIES_AHEAD]], %{{.*}} : index
// CHECK: %[[OFFSET_AHEAD:.*]] = arith.muli %[[ROW_AHEAD]], %c4 : index
// CHECK-NEXT: memref.prefetch %arg2[%[[OFFSET_AHEAD]]], read, locality<3>, data
// CHECK-NOT: memref.prefetch
// CHECK: %[[T0:.*]] = arith.mulf %{{.*}}, %[[X0]] : vector<4xf32>
// CHECK: %[[S0:.*]] = arith.addf %[[A0]], %[[T0]] : vector<4xf32>
// CHECK: %[[T1:.*]] = arith.mulf %{{.*}}, %[[X1]] : vector<4xf32>
// CHECK: %[[S1:.*]] = arith.addf %[[A1]], %[[T1]] : vector<4xf32>
// CHECK: scf.yield %[[S0]], %[[S1]]
// CHECK: vector.store
// CHECK: vector.store
// CHECK: } else {
// CHECK: scf.for {{.*}} -> (vector<4xf32>)
// CHECK: arith.muli %{{.*}}, %[[ROWS]] : index
// CHECK: vector.gather
// CHECK: %[[MIRRORED:.*]] = arith.cmpi ult, %[[NEXT]], %c3 : index
// CHECK: %[[SERIES2:.*]] = arith.muli %{{.*}}, %[[ROWS]] : index
// CHECK: %[[ROW2:.*]] = arith.addi %[[SERIES2]], %[[NEXT]] : index
// CHECK: %[[OFFSET2:.*]] = arith.muli %[[ROW2]], %c4 : index
// CHECK: vector.store %[[V:.*]], %arg2[%[[OFFSET2]]]
// CHECK: scf.if %[[MIRRORED]] {
// CHECK: %[[COPY:.*]] = arith.addi %[[NEXT]], %[[H]] : index
// CHECK: %[[ROW3:.*]] = arith.addi %[[SERIES2]], %[[COPY]] : index
// CHECK: %[[OFFSET3:.*]] = arith.muli %[[ROW3]], %c4 : index
// CHECK: vector.store %[[V]], %arg2[%[[OFFSET3]]]
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

// -----

// A nonlinear function of the source alone (kind source_function) blocks;
// the same coupling without a kind (rateml-classify-coupling not run) does
// not.
// CHECK-LABEL: func.func @rateml_step(
// CHECK: math.tanh
// CHECK: llvm.mlir.global external constant @rateml_model_json
// CHECK-SAME: \22block\22:2
rateml.model @sigmoid attributes {conduction_speed = @speed, delayed_states = array<i64: 0>} {
  rateml.param @speed range [1.0, 2.0]
  rateml.derived_param @rec_speed_dt {
    %s = rateml.get @speed
    rateml.yield %s : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %c = rateml.get @c
    rateml.yield %c : f64
  }
  rateml.coupling @c source 0 kind <source_function> scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    %0 = math.tanh %xj : f64
    rateml.yield %0 : f64
  } post {
  ^bb0(%xj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
}

// -----

// CHECK-LABEL: func.func @rateml_step(
// CHECK: llvm.mlir.global external constant @rateml_model_json
// CHECK-SAME: \22block\22:1
rateml.model @unclassified attributes {conduction_speed = @speed, delayed_states = array<i64: 0>} {
  rateml.param @speed range [1.0, 2.0]
  rateml.derived_param @rec_speed_dt {
    %s = rateml.get @speed
    rateml.yield %s : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %c = rateml.get @c
    rateml.yield %c : f64
  }
  rateml.coupling @c source 0 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    %0 = math.tanh %xj : f64
    rateml.yield %0 : f64
  } post {
  ^bb0(%xj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
}
