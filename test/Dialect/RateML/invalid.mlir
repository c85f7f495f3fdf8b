// RUN: rateml-opt %s --split-input-file --verify-diagnostics
// Every verifier of the rateml dialect, one case per split.

// expected-error @+1 {{'rateml.model' op has 2 state variable(s) but 1 time derivative(s)}}
rateml.model @count_mismatch {
  rateml.state @x init [0.0, 1.0]
  // expected-note @+1 {{first state variable without a time derivative}}
  rateml.state @y init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}

// -----

// expected-error @+1 {{'rateml.model' op model has no state variables}}
rateml.model @empty {
  rateml.constant @a = 1.0
}

// -----

rateml.model @source_out_of_range {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  // expected-error @+1 {{'rateml.coupling' op source state index 1 is out of range (the model has 1 state variable(s))}}
  rateml.coupling @c source 1 scale {
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

rateml.model @unknown_name {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    // expected-error @+1 {{'rateml.get' op unknown name 'y'}}
    %y = rateml.get @y
    rateml.yield %y : f64
  }
}

// -----

rateml.model @duplicate {
  // expected-note @+1 {{see existing symbol definition here}}
  rateml.constant @a = 1.0
  // expected-error @+1 {{redefinition of symbol named 'a'}}
  rateml.constant @a = 2.0
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %a = rateml.get @a
    rateml.yield %a : f64
  }
}

// -----

rateml.model @cycle {
  rateml.state @x init [0.0, 1.0]
  // expected-error @+1 {{'rateml.derived' op definition depends on itself: a -> b -> a}}
  rateml.derived @a {
    %b = rateml.get @b
    rateml.yield %b : f64
  }
  rateml.derived @b {
    %a = rateml.get @a
    rateml.yield %a : f64
  }
  rateml.time_derivative "dx" {
    %a = rateml.get @a
    rateml.yield %a : f64
  }
}

// -----

rateml.model @stage {
  rateml.state @x init [0.0, 1.0]
  rateml.derived_param @p {
    // expected-error @+1 {{'rateml.get' op derived parameter 'p' reads 'x', which changes every step; make it a derived variable}}
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.time_derivative "dx" {
    %p = rateml.get @p
    rateml.yield %p : f64
  }
}

// -----

rateml.model @empty_range {
  // expected-error @+1 {{'rateml.param' op range is empty: 2 > 1}}
  rateml.param @g range [2.0, 1.0]
}

// -----

rateml.model @bounds {
  // expected-error @+1 {{'rateml.state' op lower bound 1 is above upper bound 0}}
  rateml.state @x init [0.0, 1.0] lower 1.0 upper 0.0
}

// -----

rateml.model @infinite_constant {
  // expected-error @+1 {{'rateml.constant' op value must be finite}}
  rateml.constant @a = 0x7FF0000000000000
}

// -----

rateml.model @conditional_else {
  rateml.state @x init [0.0, 1.0]
  // expected-error @+1 {{'rateml.conditional' op the last (else) case must yield 1 value(s) of type 'f64'}}
  rateml.conditional @h {
    %x = rateml.get @x
    %z = arith.constant 0.0 : f64
    %0 = arith.cmpf olt, %x, %z : f64
    rateml.yield %0, %z : i1, f64
  }, {
    %x = rateml.get @x
    %z = arith.constant 0.0 : f64
    %0 = arith.cmpf olt, %x, %z : f64
    rateml.yield %0, %z : i1, f64
  }
}

// -----

rateml.model @derived_type {
  rateml.state @x init [0.0, 1.0]
  // expected-error @+1 {{'rateml.derived' op body must yield 1 value(s) of type 'f64'}}
  rateml.derived @d {
    %x = rateml.get @x
    %0 = arith.cmpf olt, %x, %x : f64
    rateml.yield %0 : i1
  }
}

// -----

rateml.model @coupling_arguments {
  rateml.state @x init [0.0, 1.0]
  // expected-error @+1 {{'rateml.coupling' op pre and post take one f64 argument (the delayed source)}}
  rateml.coupling @c source 0 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } post {
  ^bb0(%xj: f64):
    rateml.yield %xj : f64
  }
}

// -----

rateml.model @noise_count {
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
  // expected-error @+1 {{'rateml.noise' op must yield one amplitude or one per state variable (2), got 3}}
  rateml.noise {
    %a = arith.constant 0.1 : f64
    rateml.yield %a, %a, %a : f64, f64, f64
  }
}

// -----

rateml.model @two_exposures {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.exposure "x" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  // expected-error @+1 {{'rateml.exposure' op duplicate exposure 'x'}}
  rateml.exposure "x" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}

// -----

rateml.model @yield_outside {
  rateml.state @x init [0.0, 1.0]
  // expected-error @+1 {{'rateml.yield' op expects parent op to be one of}}
  rateml.yield
}

// -----

// expected-error @+1 {{'rateml.model' op conduction_speed must name a parameter-level value, got @x}}
rateml.model @bad_speed attributes {conduction_speed = @x} {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}

// -----

rateml.model @coupling_reads_derived {
  rateml.state @x init [0.0, 1.0]
  rateml.derived @d {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.time_derivative "dx" {
    %c = rateml.get @c
    rateml.yield %c : f64
  }
  rateml.coupling @c source 0 scale {
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  } pre {
  ^bb0(%xj: f64):
    // expected-error @+1 {{'rateml.get' op coupling 'c' reads 'd'; couplings are computed before the derived variables and may read only states and parameter-level values}}
    %d = rateml.get @d
    %0 = arith.mulf %d, %xj : f64
    rateml.yield %0 : f64
  } post {
  ^bb0(%xj: f64):
    %one = arith.constant 1.0 : f64
    rateml.yield %one : f64
  }
}

// -----

// Through a derived variable: d reads the coupling, the exposure reads d.
rateml.model @exposure_reads_coupling {
  rateml.state @x init [0.0, 1.0]
  rateml.derived @d {
    %c = rateml.get @c
    rateml.yield %c : f64
  }
  rateml.time_derivative "dx" {
    %d = rateml.get @d
    rateml.yield %d : f64
  }
  rateml.exposure "e" {
    // expected-error @+1 {{'rateml.get' op exposure 'e' reads 'd', which depends on a coupling; exposures may depend only on states and parameter-level values}}
    %d = rateml.get @d
    rateml.yield %d : f64
  }
  rateml.coupling @c source 0 scale {
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

rateml.model @regional_read_unmarked {
  rateml.param @eta range [-5.0, -4.0] regional
  // expected-error @+1 {{'rateml.derived_param' op reads the regional value 'eta' and must be marked regional}}
  rateml.derived_param @twice {
    %eta = rateml.get @eta
    %0 = arith.addf %eta, %eta : f64
    rateml.yield %0 : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %t = rateml.get @twice
    rateml.yield %t : f64
  }
}

// -----

rateml.model @regional_without_reads {
  rateml.constant @tau = 2.0
  // expected-error @+1 {{'rateml.derived_param' op is marked regional but reads no regional value}}
  rateml.derived_param @inv regional {
    %tau = rateml.get @tau
    rateml.yield %tau : f64
  }
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %i = rateml.get @inv
    rateml.yield %i : f64
  }
}

// -----

rateml.model @regional_coupling {
  rateml.constant @a = 2.0 regional
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.coupling @c source 0 scale {
    // expected-error @+1 {{'rateml.get' op reads the regional value 'a'; couplings are the same at every node (TVB's coupling functions and additive noise have no per-node parameters)}}
    %a = rateml.get @a
    rateml.yield %a : f64
  } pre {
  ^bb0(%xj: f64):
    rateml.yield %xj : f64
  } post {
  ^bb0(%xj: f64):
    rateml.yield %xj : f64
  }
}

// -----

rateml.model @regional_noise {
  rateml.param @sigma range [0.0, 1.0] regional
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.noise {
    // expected-error @+1 {{'rateml.get' op reads the regional value 'sigma'; noise amplitudes are the same at every node}}
    %s = rateml.get @sigma
    rateml.yield %s : f64
  }
}
