// RUN: rateml-opt %s --split-input-file --pass-pipeline='builtin.module(rateml.model(rateml-conduction-speed))' | FileCheck %s

// The usual form names the swept speed directly.
// CHECK-LABEL: rateml.model @swept
// CHECK-SAME: conduction_speed = @global_speed
// CHECK-NOT: @conduction_speed
rateml.model @swept {
  rateml.param @global_speed range [1.0, 10.0]
  rateml.derived_param @rec_speed_dt {
    %one = arith.constant 1.0 : f64
    %v = rateml.get @global_speed
    %0 = arith.divf %one, %v : f64
    %dt = rateml.dt
    %1 = arith.divf %0, %dt : f64
    rateml.yield %1 : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}

// -----

// A literal speed (RateML's montbrio: 1.0f / 1.0 / dt) is kept exactly.
// CHECK-LABEL: rateml.model @literal
// CHECK-SAME: conduction_speed = @conduction_speed
// CHECK: rateml.derived_param @conduction_speed hoisted {
// CHECK-NEXT: %[[C:.*]] = arith.constant 2.500000e+00 : f64
// CHECK-NEXT: rateml.yield %[[C]] : f64
rateml.model @literal {
  rateml.derived_param @rec_speed_dt {
    %one = arith.constant 1.0 : f64
    %v = arith.constant 2.5 : f64
    %0 = arith.divf %one, %v : f64
    %dt = rateml.dt
    %1 = arith.divf %0, %dt : f64
    rateml.yield %1 : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}

// -----

// Any other form: speed = 1 / (rec_speed_dt * dt).
// CHECK-LABEL: rateml.model @other
// CHECK-SAME: conduction_speed = @conduction_speed
// CHECK: rateml.derived_param @conduction_speed hoisted {
// CHECK: %[[R:.*]] = rateml.get @rec_speed_dt
// CHECK: %[[DT:.*]] = rateml.dt
// CHECK: %[[M:.*]] = arith.mulf %[[R]], %[[DT]] : f64
// CHECK: arith.divf %{{.*}}, %[[M]] : f64
rateml.model @other {
  rateml.param @g range [1.0, 2.0]
  rateml.derived_param @rec_speed_dt {
    %g = rateml.get @g
    rateml.yield %g : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}

// -----

// No rec_speed_dt: no delays, nothing to name.
// CHECK-LABEL: rateml.model @no_delays
// CHECK-NOT: conduction_speed
rateml.model @no_delays {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}
