// RUN: rateml-opt %s | rateml-opt | FileCheck %s
// RUN: rateml-opt %s --mlir-print-op-generic | rateml-opt | FileCheck %s
// Round trip of every rateml op through the custom and the generic form.

// CHECK-LABEL: rateml.model @all_ops
// CHECK-SAME: attributes {delayed_states = array<i64: 0>, description = "every op"}
rateml.model @all_ops attributes {delayed_states = array<i64: 0>, description = "every op"} {
  // CHECK: rateml.param @g range [3.300000e-01, 5.000000e-01]
  rateml.param @g range [0.33, 0.5]
  // CHECK: rateml.constant @tau = 2.000000e+00
  rateml.constant @tau = 2.0
  // CHECK: rateml.derived_param @rec_speed_dt {
  // CHECK-NEXT: %[[DT:.*]] = rateml.dt
  // CHECK-NEXT: %[[N:.*]] = rateml.n_node
  // CHECK-NEXT: %[[Q:.*]] = arith.divf %[[DT]], %[[N]] : f64
  // CHECK-NEXT: rateml.yield %[[Q]] : f64
  rateml.derived_param @rec_speed_dt {
    %0 = rateml.dt
    %1 = rateml.n_node
    %2 = arith.divf %0, %1 : f64
    rateml.yield %2 : f64
  }
  // CHECK: rateml.derived_param @inv_tau hoisted {
  rateml.derived_param @inv_tau hoisted {
    %tau = rateml.get @tau
    %one = arith.constant 1.0 : f64
    %0 = arith.divf %one, %tau : f64
    rateml.yield %0 : f64
  }
  // CHECK: rateml.state @r init [0.000000e+00, -2.000000e+00] lower 0.000000e+00{{$}}
  rateml.state @r init [0.0, -2.0] lower 0.0
  // CHECK: rateml.state @V init [-2.000000e+00, 1.500000e+00] lower -3.000000e+00 upper 3.000000e+00
  rateml.state @V init [-2.0, 1.5] lower -3.0 upper 3.0
  // CHECK: rateml.exposure "r" {
  // CHECK-NEXT: %[[R:.*]] = rateml.get @r
  // CHECK-NEXT: rateml.yield %[[R]] : f64
  rateml.exposure "r" {
    %r = rateml.get @r
    rateml.yield %r : f64
  }
  // CHECK: rateml.derived @twice_r {
  rateml.derived @twice_r {
    %r = rateml.get @r
    %0 = arith.addf %r, %r : f64
    rateml.yield %0 : f64
  }
  // CHECK: rateml.conditional @c {
  // CHECK: rateml.yield %{{.*}}, %{{.*}} : i1, f64
  // CHECK: }, {
  // CHECK: rateml.yield %{{.*}} : f64
  rateml.conditional @c {
    %r = rateml.get @r
    %z = arith.constant 0.0 : f64
    %0 = arith.cmpf olt, %r, %z : f64
    rateml.yield %0, %z : i1, f64
  }, {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  // CHECK: rateml.time_derivative "dr" {
  rateml.time_derivative "dr" {
    %c = rateml.get @c
    rateml.yield %c : f64
  }
  // CHECK: rateml.time_derivative "dV" {
  rateml.time_derivative "dV" {
    %0 = rateml.get @c_pop0
    rateml.yield %0 : f64
  }
  // CHECK: rateml.coupling @c_pop0 source 0 as "r_j" kind <sin_difference> scale {
  // CHECK: } pre {
  // CHECK-NEXT: ^bb0(%[[RJ:r_j]]: f64):
  // CHECK: arith.subf %[[RJ]], %{{.*}} : f64
  // CHECK: } post {
  rateml.coupling @c_pop0 source 0 as "r_j" kind <sin_difference> scale {
    %g = rateml.get @g
    rateml.yield %g : f64
  } pre {
  ^bb0(%x: f64):
    %r = rateml.get @r
    %d = arith.subf %x, %r : f64
    %s = math.sin %d : f64
    rateml.yield %s : f64
  } post {
  ^bb0(%x: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  // CHECK: rateml.noise {
  // CHECK: rateml.yield %{{.*}}, %{{.*}} : f64, f64
  rateml.noise {
    %a = arith.constant 0.1 : f64
    %b = arith.constant 0.2 : f64
    rateml.yield %a, %b : f64, f64
  }
}

// CHECK-LABEL: rateml.model @regional
// CHECK:      rateml.param @eta range [-5.000000e+00, -4.000000e+00] regional
// CHECK:      rateml.constant @J = 1.500000e+01 regional
// CHECK:      rateml.derived_param @eta_J hoisted regional {
rateml.model @regional {
  rateml.param @eta range [-5.0, -4.0] regional
  rateml.constant @J = 15.0 regional
  rateml.derived_param @eta_J hoisted regional {
    %eta = rateml.get @eta
    %J = rateml.get @J
    %0 = arith.mulf %eta, %J : f64
    rateml.yield %0 : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %e = rateml.get @eta_J
    rateml.yield %e : f64
  }
}
