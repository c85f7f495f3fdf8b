// Out-of-range pass options are errors that name the value given.
// RUN: not rateml-opt %s --convert-rateml-to-kernel='block=40' 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not rateml-opt %s --convert-rateml-to-kernel='block=0' 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not rateml-opt %s --convert-rateml-to-kernel='lanes=70' 2>&1 | FileCheck %s --check-prefix=LANES
// BLOCK: error: block must be 1 to 32, got 40
// ZERO: error: block must be 1 to 32, got 0
// RUN: not rateml-opt %s --convert-rateml-to-kernel='lanes=8 narrow-lanes=8' 2>&1 | FileCheck %s --check-prefix=NARROW
// RUN: not rateml-opt %s --convert-rateml-to-kernel='target=gpu narrow-lanes=2' 2>&1 | FileCheck %s --check-prefix=NARROW-GPU
// LANES: error: lanes must be 1 to 64, got 70
// NARROW: error: narrow-lanes must be 0 or, on the cpu, fewer than lanes (8), got 8
// NARROW-GPU: error: narrow-lanes must be 0 or, on the cpu, fewer than lanes (8), got 2
rateml.model @m attributes {delayed_states = array<i64>} {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
}
