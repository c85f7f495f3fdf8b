// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 narrow-lanes=2 precision=f32' | FileCheck %s
// RUN: rateml-opt %s --convert-rateml-to-kernel='lanes=4 precision=f32' | FileCheck %s --check-prefix=NONE

// narrow-lanes adds the step and exposure kernels over fewer lanes, and
// their metadata, next to the wide ones; rateml_setup is shared.
// CHECK-LABEL: func.func @rateml_setup(
// CHECK-LABEL: func.func @rateml_step(
// CHECK: vector<4xf32>
// CHECK-LABEL: func.func @rateml_exposures(
// CHECK: llvm.mlir.global external constant @rateml_model_json(
// CHECK-SAME: \22lanes\22:4
// CHECK-LABEL: func.func @rateml_step_narrow(
// CHECK-NOT: vector<4xf32>
// CHECK: vector<2xf32>
// CHECK-LABEL: func.func @rateml_exposures_narrow(
// CHECK: llvm.mlir.global external constant @rateml_model_json_narrow(
// CHECK-SAME: \22lanes\22:2
// CHECK-NOT: rateml_setup_narrow
// NONE-NOT: _narrow
rateml.model @relax attributes {delayed_states = array<i64>} {
  rateml.param @k range [0.0, 1.0]
  rateml.state @x init [0.0, 1.0]
  rateml.exposure "x" {
    %x = rateml.get @x
    rateml.yield %x : f64
  }
  rateml.time_derivative "dx" {
    %k = rateml.get @k
    %x = rateml.get @x
    %0 = arith.subf %k, %x : f64
    rateml.yield %0 : f64
  }
}
