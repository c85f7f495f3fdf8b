// Out-of-range pass options are errors that name the value given.
// RUN: not rateml-opt %s --convert-rateml-to-kernel='block=40' 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not rateml-opt %s --convert-rateml-to-kernel='block=0' 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not rateml-opt %s --convert-rateml-to-kernel='lanes=70' 2>&1 | FileCheck %s --check-prefix=LANES
// BLOCK: error: block must be 1 to 32, got 40
// ZERO: error: block must be 1 to 32, got 0
// LANES: error: lanes must be 1 to 64, got 70
rateml.model @m attributes {delayed_states = array<i64>} {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}
