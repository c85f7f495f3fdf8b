// RUN: rateml-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(rateml.model(rateml-mark-regional{names=eta,J}))' | FileCheck %s
// The named parameter and constant become regional, and so does every
// derived parameter that reads one, directly or through another; the rest
// stays per set. Naming anything but a parameter or a constant is an error.

// CHECK-LABEL: rateml.model @marks
// CHECK:      rateml.param @eta range [-5.000000e+00, -4.000000e+00] regional
// CHECK:      rateml.param @g range [0.000000e+00, 1.000000e+00]{{$}}
// CHECK:      rateml.constant @J = 1.500000e+01 regional
// CHECK:      rateml.constant @tau = 1.000000e+00{{$}}
// CHECK:      rateml.derived_param @eta_tau regional {
// CHECK:      rateml.derived_param @twice regional {
// CHECK:      rateml.derived_param @g_tau {
rateml.model @marks {
  rateml.param @eta range [-5.0, -4.0]
  rateml.param @g range [0.0, 1.0]
  rateml.constant @J = 15.0
  rateml.constant @tau = 1.0
  rateml.derived_param @eta_tau {
    %eta = rateml.get @eta
    %tau = rateml.get @tau
    %0 = arith.mulf %eta, %tau : f64
    rateml.yield %0 : f64
  }
  rateml.derived_param @twice {
    %e = rateml.get @eta_tau
    %0 = arith.addf %e, %e : f64
    rateml.yield %0 : f64
  }
  rateml.derived_param @g_tau {
    %g = rateml.get @g
    %tau = rateml.get @tau
    %0 = arith.mulf %g, %tau : f64
    rateml.yield %0 : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %t = rateml.get @twice
    %g = rateml.get @g_tau
    %J = rateml.get @J
    %0 = arith.addf %t, %g : f64
    %1 = arith.addf %0, %J : f64
    rateml.yield %1 : f64
  }
}

// -----

// A state.
rateml.model @state_named {
  rateml.constant @J = 15.0
  // expected-error @+1 {{--regional 'eta': only a parameter or a constant can be regional, not a state variable}}
  rateml.state @eta init [0.0, 1.0]
  rateml.time_derivative "deta" {
    %x = rateml.get @eta
    rateml.yield %x : f64
  }
}

// -----

// An unknown name, with the nearest known one.
// expected-error @+1 {{--regional 'eta': model 'unknown' has no such parameter or constant; did you mean 'etta'?}}
rateml.model @unknown {
  rateml.param @etta range [0.0, 1.0]
  rateml.constant @J = 15.0
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}
