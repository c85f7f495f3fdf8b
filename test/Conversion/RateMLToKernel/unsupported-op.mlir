// RUN: rateml-opt %s --convert-rateml-to-kernel --verify-diagnostics
// The kernel builder clones expression ops per lane only from an
// allow-list of element-wise scalar arithmetic; anything else is refused
// where it is, not miscompiled.
rateml.model @m attributes {delayed_states = array<i64>} {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    // expected-error @+1 {{convert-rateml-to-kernel cannot emit 'arith.remf' in an expression}}
    %0 = arith.remf %x, %x : f64
    rateml.yield %0 : f64
  }
}
