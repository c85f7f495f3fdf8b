// RUN: rateml-opt %s --split-input-file --pass-pipeline='builtin.module(rateml.model(rateml-expand-powers))' | FileCheck %s
// RUN: rateml-opt %s --split-input-file --pass-pipeline='builtin.module(rateml.model(rateml-expand-powers{max-exponent=2}))' | FileCheck %s --check-prefix=MAX2

// CHECK-LABEL: rateml.model @powers
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG: %[[X:.*]] = rateml.get @x
// Square.
// CHECK: %[[SQ:.*]] = arith.mulf %[[X]], %[[X]] : f64
// Seventh power by square-and-multiply: x * x^2, then x^3 * x^4.
// CHECK: %[[X2:.*]] = arith.mulf %[[X]], %[[X]] : f64
// CHECK: %[[X3:.*]] = arith.mulf %[[X]], %[[X2]] : f64
// CHECK: %[[X4:.*]] = arith.mulf %[[X2]], %[[X2]] : f64
// CHECK: %[[X7:.*]] = arith.mulf %[[X3]], %[[X4]] : f64
// Negative exponent: a reciprocal.
// CHECK: %[[XX:.*]] = arith.mulf %[[X]], %[[X]] : f64
// CHECK: %[[INV:.*]] = arith.divf %[[ONE]], %[[XX]] : f64
// Non-integral and too large exponents stay powers.
// CHECK: math.powf %[[X]], %{{.*}} : f64
// CHECK: math.powf %[[X]], %{{.*}} : f64
// x^0 is 1.
// CHECK: arith.addf %[[SQ]], %[[ONE]] : f64
// MAX2-LABEL: rateml.model @powers
// MAX2-COUNT-3: math.powf
rateml.model @powers {
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    %c0 = arith.constant 0.0 : f64
    %c2 = arith.constant 2.0 : f64
    %c7 = arith.constant 7.0 : f64
    %cm2 = arith.constant -2.0 : f64
    %half = arith.constant 0.5 : f64
    %big = arith.constant 17.0 : f64
    %p0 = math.powf %x, %c0 : f64
    %p2 = math.powf %x, %c2 : f64
    %p7 = math.powf %x, %c7 : f64
    %pm2 = math.powf %x, %cm2 : f64
    %ph = math.powf %x, %half : f64
    %pb = math.powf %x, %big : f64
    %s0 = arith.addf %p0, %p2 : f64
    %s1 = arith.addf %s0, %p7 : f64
    %s2 = arith.addf %s1, %pm2 : f64
    %s3 = arith.addf %s2, %ph : f64
    %s4 = arith.addf %s3, %pb : f64
    rateml.yield %s4 : f64
  }
}

// -----

// A non-constant exponent is left alone.
// CHECK-LABEL: rateml.model @variable_exponent
// CHECK: math.powf
// MAX2-LABEL: rateml.model @variable_exponent
rateml.model @variable_exponent {
  rateml.param @k range [1.0, 3.0]
  rateml.state @x init [0.0, 1.0]
  rateml.time_derivative "dx" {
    %x = rateml.get @x
    %k = rateml.get @k
    %p = math.powf %x, %k : f64
    rateml.yield %p : f64
  }
}
