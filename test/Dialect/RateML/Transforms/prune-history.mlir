// RUN: rateml-opt %s --split-input-file --pass-pipeline='builtin.module(rateml.model(rateml-prune-history))' | FileCheck %s
// Only states read through a delay need a history.

// Three states; couplings read x (twice) and z with delays; y is never read.
// CHECK-LABEL: rateml.model @delayed
// CHECK-SAME: delayed_states = array<i64: 0, 2>
rateml.model @delayed {
  rateml.param @speed range [1.0, 2.0]
  rateml.derived_param @rec_speed_dt {
    %s = rateml.get @speed
    rateml.yield %s : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.state @y init [0.0, 1.0]
  rateml.state @z init [0.0, 1.0]
  rateml.coupling @cz source 2 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%zj: f64):
    rateml.yield %zj : f64
  } post {
  ^bb0(%zj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  rateml.coupling @cx source 0 scale {
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
  rateml.coupling @cx2 source 0 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    %0 = math.sin %xj : f64
    rateml.yield %0 : f64
  } post {
  ^bb0(%xj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  // Reads only the target's own y: no history for y.
  rateml.coupling @local_y source 1 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%yj: f64):
    %y = rateml.get @y
    rateml.yield %y : f64
  } post {
  ^bb0(%yj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  rateml.time_derivative "dx" {
    %c = rateml.get @cx
    rateml.yield %c : f64
  }
  rateml.time_derivative "dy" {
    %c = rateml.get @local_y
    rateml.yield %c : f64
  }
  rateml.time_derivative "dz" {
    %c = rateml.get @cz
    rateml.yield %c : f64
  }
}

// -----

// Without rec_speed_dt there are no delays, hence no history.
// CHECK-LABEL: rateml.model @no_delays
// CHECK-SAME: delayed_states = array<i64>
rateml.model @no_delays {
  rateml.state @x init [0.0, 1.0]
  rateml.coupling @cx source 0 scale {
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
  rateml.time_derivative "dx" {
    %c = rateml.get @cx
    rateml.yield %c : f64
  }
}
