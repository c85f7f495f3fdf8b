// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f32 block=2' --canonicalize --cse | FileCheck %s

// Blocked coupling for lanes with delays of their own (flag 64, history
// [C][N][W][R], docs/kernel-abi.md). At steps that are multiples of the
// block, each edge loads its four lanes' delays ([K][W]) as one vector,
// wraps each row (n mod H) - d into the ring, adds each lane's series start
// (R = H + 3 elements apart), takes the offsets out lane by lane, and loads
// two consecutive values of each lane's own series right before adding
// them to that lane's accumulator over the two steps: acc + (w * k) * x, k
// the lane's value of the constant. The four accumulators of two steps are transposed into two
// vectors over the lanes (interleaves, a shuffle) and stored in coupling
// slots 0 and 1. With flag 256 (every delay at least 3 steps) the same
// pass sums blocks of 4 steps (`lane_block`: four values, 16 bytes, per
// lane and edge), in four-step accumulators. The history row n + 1 is
// scattered, one element per lane R = H + 3 apart, and again H further on
// for rows 0 ... 2 (their copies after the ring); without flag 64 the row
// is one vector store.
// CHECK-LABEL: func.func @rateml_step(
// CHECK: %[[PARAMS:.*]] = vector.load %arg0[%c12] : memref<?xf32>, vector<4xf32>
// CHECK: %[[LANEFLAG:.*]] = arith.andi %arg16, %c64_i32 : i32
// CHECK: %[[LANES:.*]] = arith.cmpi ne, %[[LANEFLAG]], %c0_i32 : i32
// CHECK: %[[LONGFLAG:.*]] = arith.andi %arg16, %c256_i32 : i32
// CHECK: %[[LONG:.*]] = arith.cmpi ne, %[[LONGFLAG]], %c0_i32 : i32
// CHECK: %[[H:.*]] = arith.index_cast %arg15 : i64 to index
// CHECK: %[[ROWS:.*]] = arith.addi %[[H]], %c3 : index
// CHECK: %[[RING_ROWS:.*]] = arith.addi %{{.*}}, %c3_i32 : i32
// CHECK: %[[ROWS_VEC:.*]] = vector.broadcast %[[RING_ROWS]] : i32 to vector<4xi32>
// CHECK: scf.if %{{.*}} {
// CHECK: scf.if %{{.*}} {
// CHECK: scf.if %[[LANES]] {
// CHECK: scf.if %[[LONG]] {
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// CHECK: vector.load %arg2[%{{.*}}] : memref<?xf32>, vector<4xf32>
// CHECK: } else {
// CHECK: scf.for
// CHECK: %[[SUMS:.*]]:4 = scf.for %[[E:.*]] = {{.*}} iter_args(%[[A0:.*]] = %{{.*}}, %[[A1:.*]] = %{{.*}}, %[[A2:.*]] = %{{.*}}, %[[A3:.*]] = %{{.*}}) -> (vector<2xf32>, vector<2xf32>, vector<2xf32>, vector<2xf32>) {
// CHECK: %[[SOURCE:.*]] = memref.load %arg5[%[[E]]] : memref<?xi32>
// CHECK: %[[W:.*]] = vector.broadcast %{{.*}} : f32 to vector<2xf32>
// CHECK: %[[FIRST:.*]] = arith.muli %[[E]], %c4 : index
// CHECK: %[[D:.*]] = vector.load %arg3[%[[FIRST]]] : memref<?xi32>, vector<4xi32>
// CHECK: %[[ROW:.*]] = arith.subi %{{.*}}, %[[D]] : vector<4xi32>
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[ROW]], %{{.*}} : vector<4xi32>
// CHECK: %[[UP:.*]] = arith.addi %[[ROW]], %{{.*}} : vector<4xi32>
// CHECK: %[[WRAP:.*]] = arith.select %[[NEG]], %[[UP]], %[[ROW]] : vector<4xi1>, vector<4xi32>
// CHECK: %[[J:.*]] = vector.broadcast %[[SOURCE]] : i32 to vector<4xi32>
// CHECK: %[[JW:.*]] = arith.muli %[[J]], %{{.*}} : vector<4xi32>
// CHECK: %[[LANE:.*]] = arith.addi %[[JW]], %{{.*}} : vector<4xi32>
// CHECK: %[[START:.*]] = arith.muli %[[LANE]], %[[ROWS_VEC]] : vector<4xi32>
// CHECK: %[[OFFS:.*]] = arith.addi %[[START]], %[[WRAP]] : vector<4xi32>
// CHECK: %[[O0:.*]] = vector.extract %[[OFFS]][0] : i32 from vector<4xi32>
// CHECK: %[[OFF0:.*]] = arith.index_castui %[[O0]] : i32 to index
// CHECK: %[[O1:.*]] = vector.extract %[[OFFS]][1] : i32 from vector<4xi32>
// CHECK: %[[OFF1:.*]] = arith.index_castui %[[O1]] : i32 to index
// CHECK: vector.extract %[[OFFS]][2]
// CHECK: vector.extract %[[OFFS]][3]
// CHECK-NOT: memref.prefetch
// CHECK: %[[X0:.*]] = vector.load %arg2[%[[OFF0]]] : memref<?xf32>, vector<2xf32>
// CHECK: %[[K0:.*]] = vector.extract %[[PARAMS]][0] : f32 from vector<4xf32>
// CHECK: %[[K0S:.*]] = vector.broadcast %[[K0]] : f32 to vector<2xf32>
// CHECK: %[[WK0:.*]] = arith.mulf %[[W]], %[[K0S]] : vector<2xf32>
// CHECK: %[[T0:.*]] = arith.mulf %[[WK0]], %[[X0]] : vector<2xf32>
// CHECK: %[[S0:.*]] = arith.addf %[[A0]], %[[T0]] : vector<2xf32>
// CHECK: %[[X1:.*]] = vector.load %arg2[%[[OFF1]]] : memref<?xf32>, vector<2xf32>
// CHECK: vector.extract %[[PARAMS]][1] : f32 from vector<4xf32>
// CHECK: %[[T1:.*]] = arith.mulf %{{.*}}, %[[X1]] : vector<2xf32>
// CHECK: %[[S1:.*]] = arith.addf %[[A1]], %[[T1]] : vector<2xf32>
// CHECK: %[[S2:.*]] = arith.addf %[[A2]], %{{.*}} : vector<2xf32>
// CHECK: %[[S3:.*]] = arith.addf %[[A3]], %{{.*}} : vector<2xf32>
// CHECK: scf.yield %[[S0]], %[[S1]], %[[S2]], %[[S3]]
// CHECK: %[[P01:.*]] = vector.interleave %[[SUMS]]#0, %[[SUMS]]#1 : vector<2xf32> -> vector<4xf32>
// CHECK: %[[P23:.*]] = vector.interleave %[[SUMS]]#2, %[[SUMS]]#3 : vector<2xf32> -> vector<4xf32>
// CHECK: %[[ALL:.*]] = vector.shuffle %[[P01]], %[[P23]] [0, 1, 4, 5, 2, 3, 6, 7] : vector<4xf32>, vector<4xf32>
// CHECK: %[[STEP0:.*]] = vector.extract_strided_slice %[[ALL]] {offsets = [0], sizes = [4], strides = [1]} : vector<8xf32> to vector<4xf32>
// CHECK: %[[STEP1:.*]] = vector.extract_strided_slice %[[ALL]] {offsets = [4], sizes = [4], strides = [1]} : vector<8xf32> to vector<4xf32>
// CHECK: vector.store %[[STEP0]], %arg7[%{{.*}}] : memref<?xf32>, vector<4xf32>
// CHECK: vector.store %[[STEP1]], %arg7[%{{.*}}] : memref<?xf32>, vector<4xf32>
// CHECK: } else {
// CHECK: arith.muli %{{.*}}, %[[ROWS]] : index
// CHECK: memref.prefetch
// CHECK: %[[MIRRORED:.*]] = arith.cmpi ult, %[[NEXT:.*]], %c3 : index
// CHECK: scf.if %[[LANES]] {
// CHECK: %[[NODE:.*]] = vector.broadcast %{{.*}} : i32 to vector<4xi32>
// CHECK: %[[NEXT_VEC:.*]] = vector.broadcast %{{.*}} : i32 to vector<4xi32>
// CHECK: %[[SERIES:.*]] = arith.muli %[[NODE]], %cst{{.*}} : vector<4xi32>
// CHECK: %[[LANE:.*]] = arith.addi %[[SERIES]], %cst{{.*}} : vector<4xi32>
// CHECK: %[[START:.*]] = arith.muli %[[LANE]], %[[ROWS_VEC]] : vector<4xi32>
// CHECK: %[[AT:.*]] = arith.addi %[[START]], %[[NEXT_VEC]] : vector<4xi32>
// CHECK: vector.scatter %arg2[%c0] [%[[AT]]], %{{.*}}, %[[V:.*]] : memref<?xf32>, vector<4xi32>, vector<4xi1>, vector<4xf32>
// CHECK: scf.if %[[MIRRORED]] {
// CHECK: %[[COPY:.*]] = arith.addi %[[AT]], %{{.*}} : vector<4xi32>
// CHECK: vector.scatter %arg2[%c0] [%[[COPY]]], %{{.*}}, %[[V]]
// CHECK: } else {
// CHECK: vector.store %[[V]], %arg2[%{{.*}}] : memref<?xf32>, vector<4xf32>
// CHECK-LABEL: func.func @rateml_exposures(
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
