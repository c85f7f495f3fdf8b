// RUN: rateml-opt %s --split-input-file --pass-pipeline='builtin.module(rateml.model(rateml-classify-coupling))' | FileCheck %s
// Each coupling shape the classifier recognises, and ones it must not.

// CHECK-LABEL: rateml.model @kinds
// CHECK: rateml.coupling @identity source 0 kind <linear>
// CHECK: rateml.coupling @scaled source 0 kind <general>
// CHECK: rateml.coupling @difference source 1 kind <difference>
// CHECK: rateml.coupling @kuramoto source 1 kind <sin_difference>
// CHECK: rateml.coupling @wrong_target source 0 kind <general>
// CHECK: rateml.coupling @post_reads_source source 0 kind <source_function>
// CHECK: rateml.coupling @sigmoid source 0 kind <source_function>
// CHECK: rateml.coupling @scale_reads_target source 0 kind <general>
rateml.model @kinds {
  rateml.state @x init [0.0, 1.0]
  rateml.state @y init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.time_derivative "dy" {
    %y = rateml.get @y
    rateml.yield %y : f64
  }
  rateml.coupling @identity source 0 scale {
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
  // A factor of the target's state: linear in x_j, but it reads the target.
  rateml.coupling @scaled source 0 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    %y = rateml.get @y
    %0 = arith.mulf %y, %xj : f64
    rateml.yield %0 : f64
  } post {
  ^bb0(%xj: f64):
    %y = rateml.get @y
    rateml.yield %y : f64
  }
  rateml.coupling @difference source 1 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%yj: f64):
    %y = rateml.get @y
    %0 = arith.subf %yj, %y : f64
    rateml.yield %0 : f64
  } post {
  ^bb0(%yj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  rateml.coupling @kuramoto source 1 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%yj: f64):
    %y = rateml.get @y
    %0 = arith.subf %yj, %y : f64
    %1 = math.sin %0 : f64
    rateml.yield %1 : f64
  } post {
  ^bb0(%yj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  // x_j - y is not a difference on the source state.
  rateml.coupling @wrong_target source 0 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    %y = rateml.get @y
    %0 = arith.subf %xj, %y : f64
    rateml.yield %0 : f64
  } post {
  ^bb0(%xj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
  rateml.coupling @post_reads_source source 0 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    rateml.yield %xj : f64
  } post {
  ^bb0(%xj: f64):
    rateml.yield %xj : f64
  }
  rateml.coupling @sigmoid source 0 scale {
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
  // The source alone per edge, but the scale reads the target's state.
  rateml.coupling @scale_reads_target source 0 scale {
    %y = rateml.get @y
    rateml.yield %y : f64
  } pre {
  ^bb0(%xj: f64):
    rateml.yield %xj : f64
  } post {
  ^bb0(%xj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
}
