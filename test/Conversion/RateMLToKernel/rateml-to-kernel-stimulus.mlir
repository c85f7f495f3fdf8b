// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f32' | FileCheck %s
// RUN: rateml-opt %s --convert-rateml-to-kernel='target=gpu precision=f32' | FileCheck %s --check-prefix=GPU

// Flag 128 (--stimulus) chooses between two node loops once per step: the
// first loads the lanes' stimulus.scale once, then per node one scalar of
// the window per state ((row + s) * N + node, the same for every lane)
// times the scale; Euler adds it to the derivative, Heun to both stages'
// and dt times it once more after the average. The second loop is the
// kernel without a stimulus, with no trace of it.
// CHECK-LABEL: func.func @rateml_step(
// CHECK-SAME: %arg9: memref<?xi32>, {{.*}}%[[WINDOW:arg[0-9]+]]: memref<?xf32>, %[[SCALES:arg[0-9]+]]: memref<?xf32>, %{{arg[0-9]+}}: i64, %{{arg[0-9]+}}: i64, %{{arg[0-9]+}}: i64, %[[FLAGS:arg[0-9]+]]: i32
// CHECK: %[[BIT:.*]] = arith.andi %[[FLAGS]], %c128_i32 : i32
// CHECK: %[[ON:.*]] = arith.cmpi ne, %[[BIT]], %{{.*}} : i32
// CHECK: %[[NONFINITE:.*]] = scf.if %[[ON]] -> (vector<4xi1>) {
// CHECK: %[[SCALE:.*]] = vector.load %[[SCALES]][%{{.*}}] : memref<?xf32>, vector<4xf32>
// CHECK: %[[LOOP1:.*]] = scf.for
// CHECK: %[[V0:.*]] = memref.load %[[WINDOW]][%{{.*}}] : memref<?xf32>
// CHECK-NEXT: %[[B0:.*]] = vector.broadcast %[[V0]] : f32 to vector<4xf32>
// CHECK-NEXT: %[[S0:.*]] = arith.mulf %[[SCALE]], %[[B0]] : vector<4xf32>
// CHECK: memref.load %[[WINDOW]]
// Euler (and Heun's first stage): x + dt * (f + S).
// CHECK: %[[FS:.*]] = arith.addf %{{.*}}, %[[S0]] : vector<4xf32>
// CHECK-NEXT: %[[DTFS:.*]] = arith.mulf %[[DT:.*]], %[[FS]] : vector<4xf32>
// CHECK-NEXT: arith.addf %{{.*}}, %[[DTFS]] : vector<4xf32>
// Heun: (x + (0.5 dt) * (f + f~)) + dt * S.
// CHECK: scf.if
// CHECK: %[[HALF:.*]] = arith.mulf %{{.*}}, %[[DT]] : vector<4xf32>
// CHECK: %[[HALFSUM:.*]] = arith.mulf %[[HALF]], %{{.*}} : vector<4xf32>
// CHECK-NEXT: %[[AVG:.*]] = arith.addf %{{.*}}, %[[HALFSUM]] : vector<4xf32>
// CHECK-NEXT: %[[DTS:.*]] = arith.mulf %[[DT]], %[[S0]] : vector<4xf32>
// CHECK-NEXT: arith.addf %[[AVG]], %[[DTS]] : vector<4xf32>
// CHECK: scf.yield %[[LOOP1]] : vector<4xi1>
// CHECK-NEXT: } else {
// CHECK-NOT: %[[WINDOW]]
// CHECK-NOT: %[[SCALES]]
// CHECK: %[[LOOP2:.*]] = scf.for
// CHECK-NOT: %[[WINDOW]]
// CHECK-NOT: %[[SCALES]]
// CHECK: scf.yield %[[LOOP2]] : vector<4xi1>
// CHECK-NEXT: }
// CHECK: arith.andi %[[NONFINITE]]
// CHECK-LABEL: func.func @rateml_exposures(

// The GPU kernel: this thread's scale, and the row of this step in the
// launch's window (step - first step of the launch) times the states.
// GPU: gpu.func @rateml_step(
// GPU-SAME: %arg9: memref<?xi32>, {{.*}}%[[GWINDOW:arg[0-9]+]]: memref<?xf32>, %[[GSCALES:arg[0-9]+]]: memref<?xf32>, %{{arg[0-9]+}}: memref<?xf64>, %[[FIRST:arg[0-9]+]]: i64, %{{arg[0-9]+}}: i64, %{{arg[0-9]+}}: i64, %[[GFLAGS:arg[0-9]+]]: i32
// GPU: scf.for %[[STEP:.*]] = %[[FIRST]] to
// GPU: %[[GBIT:.*]] = arith.andi %[[GFLAGS]], %c128_i32 : i32
// GPU: %[[GON:.*]] = arith.cmpi ne, %[[GBIT]], %{{.*}} : i32
// GPU: scf.if %[[GON]] -> (i1) {
// GPU: %[[SINCE:.*]] = arith.subi %[[STEP]], %[[FIRST]] : i64
// GPU-NEXT: %[[SINCEI:.*]] = arith.index_cast %[[SINCE]] : i64 to index
// GPU: %[[ROW:.*]] = arith.muli %[[SINCEI]], %c2 : index
// GPU: %[[SCALE:.*]] = memref.load %[[GSCALES]][%{{.*}}] : memref<?xf32>
// GPU: scf.for
// GPU: arith.addi %[[ROW]], %{{.*}} : index
// GPU: %[[V0:.*]] = memref.load %[[GWINDOW]][%{{.*}}] : memref<?xf32>
// GPU-NEXT: arith.mulf %[[SCALE]], %[[V0]] : f32
// GPU: } else {
// GPU-NOT: %[[GWINDOW]]
// GPU: gpu.return
rateml.model @two attributes {delayed_states = array<i64>} {
  rateml.constant @k = 0.5
  rateml.state @x init [0.0, 1.0]
  rateml.state @y init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %y = rateml.get @y
    %c = rateml.get @c
    %0 = arith.addf %y, %c : f64
    rateml.yield %0 : f64
  }
  rateml.time_derivative "dy" {
    %x = rateml.get @x
    %k = rateml.get @k
    %0 = arith.mulf %k, %x : f64
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
}
