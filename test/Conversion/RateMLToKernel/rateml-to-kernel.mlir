// RUN: rateml-opt %s --split-input-file --convert-rateml-to-kernel='lanes=4 precision=f32' --verify-diagnostics | FileCheck %s

// A delayed linear coupling, a clipped state and noise.
// CHECK-LABEL: func.func @rateml_setup(%{{.*}}: memref<?xf64>) attributes {llvm.emit_c_interface}
// The derived parameter k2 = 2 * k (slot 4: dt, n_node, speed, k, k2).
// CHECK: %[[K:.*]] = memref.load %{{.*}}[%c3] : memref<?xf64>
// CHECK: %[[K2:.*]] = arith.mulf %{{.*}}, %[[K]] : f64
// CHECK: memref.store %[[K2]], %{{.*}}[%c4] : memref<?xf64>
// The noise amplitude of the one state goes to slot 5.
// CHECK: memref.store %{{.*}}, %{{.*}}[%c5] : memref<?xf64>

// CHECK-LABEL: func.func @rateml_step(
// CHECK-SAME: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i32, %{{.*}}: i64) attributes {llvm.emit_c_interface}
// The lanes' sets (noise counters) are read once per step.
// CHECK: vector.load %arg8[%{{.*}}] : memref<?xi32>, vector<4xi32>
// Phase 1: the source's history is read with one contiguous load when the
// tile's delays are shared (one table [K], read at the edge), else gathered
// with per-lane rows (delays [K][lanes], read only there);
// acc + (w * post) * pre.
// CHECK: scf.for
// CHECK: scf.for %[[E:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<4xf32>)
// CHECK: %[[W:.*]] = vector.broadcast %{{.*}} : f32 to vector<4xf32>
// CHECK-NOT: %arg3
// CHECK: %[[XJ:.*]] = scf.if %{{.*}} -> (vector<4xf32>) {
// CHECK-NEXT: memref.load %arg3[%[[E]]] : memref<?xi32>
// CHECK: %[[ROW:.*]] = vector.load %{{.*}} : memref<?xf32>, vector<4xf32>
// CHECK-NEXT: scf.yield %[[ROW]] : vector<4xf32>
// CHECK-NEXT: } else {
// CHECK: %[[FIRST:.*]] = arith.muli %[[E]], %c4 : index
// CHECK-NEXT: vector.load %arg3[%[[FIRST]]] : memref<?xi32>, vector<4xi32>
// CHECK: %[[G:.*]] = vector.gather
// CHECK-NEXT: scf.yield %[[G]] : vector<4xf32>
// CHECK: %[[WP:.*]] = arith.mulf %[[W]], %{{.*}} : vector<4xf32>
// CHECK: %[[T:.*]] = arith.mulf %[[WP]], %[[XJ]] : vector<4xf32>
// CHECK: arith.addf %[[ACC]], %[[T]] : vector<4xf32>
// Phase 2: the noise is drawn in the kernel (Philox4x32-10: 2 multiplies
// per round, each as 32 x 32 -> 64-bit products of the even and of the odd
// lanes, shuffled into low and high words; then Box-Muller in arith ops,
// NormalTransform.h: the logarithm's exponent from the bits and one
// division, the quarter turn from the word's top bits, no math.log or
// math.cos); Heun is chosen at run time; the clip is a compare and select.
// CHECK: scf.if %{{.*}} -> (vector<4xf32>)
// CHECK-NOT: arith.mului_extended
// CHECK-COUNT-40: arith.muli %{{.*}} : vector<2xi64>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 4, 2, 6] : vector<4xi32>, vector<4xi32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [1, 5, 3, 7] : vector<4xi32>, vector<4xi32>
// CHECK-NOT: math.log
// CHECK: arith.bitcast %{{.*}} : vector<4xf32> to vector<4xi32>
// CHECK-NOT: math.log
// CHECK: arith.divf
// CHECK-NOT: math.log
// CHECK: math.sqrt
// CHECK-NOT: math.{{cos|sin}}
// CHECK: arith.sitofp %{{.*}} : vector<4xi32> to vector<4xf32>
// CHECK-NOT: math.{{cos|sin}}
// CHECK: arith.negf
// CHECK-NOT: math.{{cos|sin}}
// CHECK: arith.cmpf olt
// CHECK: scf.if %{{.*}} -> (vector<4xf32>)
// CHECK: vector.store
// Lanes whose new state is NaN or infinite (|x| unordered or >= inf) are
// carried through the node loop; those not yet recorded in `diverged` get
// the step.
// CHECK: %[[ABS:.*]] = math.absf
// CHECK: %[[BAD:.*]] = arith.cmpf uge, %[[ABS]]
// CHECK: arith.ori %{{.*}}, %[[BAD]] : vector<4xi1>
// CHECK: %[[OLD:.*]] = vector.load %arg9[%{{.*}}] : memref<?xi32>, vector<4xi32>
// CHECK: %[[NEW:.*]] = arith.select %{{.*}}, %{{.*}}, %[[OLD]] : vector<4xi1>, vector<4xi32>
// CHECK: vector.store %[[NEW]], %arg9[%{{.*}}] : memref<?xi32>, vector<4xi32>
// CHECK-LABEL: func.func @rateml_exposures(
// CHECK: llvm.mlir.global external constant @rateml_model_json
// CHECK-SAME: \22history_states\22:[0]
rateml.model @linear attributes {conduction_speed = @speed, delayed_states = array<i64: 0>} {
  rateml.param @speed range [1.0, 2.0]
  rateml.constant @k = 0.5
  rateml.derived_param @k2 hoisted {
    %k = rateml.get @k
    %two = arith.constant 2.0 : f64
    %0 = arith.mulf %two, %k : f64
    rateml.yield %0 : f64
  }
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
    %k2 = rateml.get @k2
    %c = rateml.get @c
    %0 = arith.mulf %k2, %x : f64
    %1 = arith.subf %c, %0 : f64
    rateml.yield %1 : f64
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
  rateml.noise {
    %a = arith.constant 0.1 : f64
    rateml.yield %a : f64
  }
}

// -----

// Without delays the source is read from the current state: no gather.
// CHECK-LABEL: func.func @rateml_step(
// CHECK-NOT: vector.gather
// CHECK: vector.load
// CHECK-LABEL: func.func @rateml_exposures(
rateml.model @synchronous attributes {delayed_states = array<i64>} {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %c = rateml.get @c
    rateml.yield %c : f64
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

// -----

// expected-error @+1 {{run rateml-optimize-model before convert-rateml-to-kernel}}
rateml.model @not_optimized {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}
