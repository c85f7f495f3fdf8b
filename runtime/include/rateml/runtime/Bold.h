//===- Bold.h - Balloon-Windkessel hemodynamics -----------------*- C++ -*-===//
//
// The BOLD signal of one region from its neural activity: the
// Balloon-Windkessel model with the default constants and revised
// (nonlinear) BOLD equation of TVB's BalloonModel analyser
// (tvb/analyzers/fmri_balloon.py; Stephan et al. 2007). Time is in seconds,
// as in the model's literature; the sweep converts from ms.
// docs/analysis.md gives the equations and the sources of the constants.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_BOLD_H
#define RATEML_RUNTIME_BOLD_H

#include <string>
#include <vector>

namespace rateml::runtime {

struct BalloonWindkessel {
  /// Signal decay, autoregulation and transit times (s): time constants,
  /// whose reciprocals are the rates kappa = 1 / tau_s and gamma = 1 / tau_f
  /// of the literature (docs/analysis.md).
  double tau_s = 1.54, tau_f = 1.44, tau_o = 0.98;
  /// Grubb's stiffness exponent, resting oxygen extraction fraction.
  double alpha = 0.32, E0 = 0.4;
  /// Resting blood volume fraction (x100), echo time (s), intra- to
  /// extravascular signal ratio, frequency offset (Hz) and intravascular
  /// relaxation rate (1/s) at 1.5 T.
  double V0 = 4.0, TE = 0.04, epsilon = 0.5, nu_0 = 40.3, r_0 = 25.0;

  /// s (vasodilatory signal), f (inflow), v (volume), q (deoxyhemoglobin).
  struct State {
    double s = 0, f = 1, v = 1, q = 1;
  };

  /// One explicit Euler step of `h` seconds driven by neural activity `x`.
  void step(State &state, double x, double h) const;
  /// The BOLD signal of `state`.
  double signal(const State &state) const;

  /// Sets or reads the constant `name`; throws Error naming the known ones.
  void set(const std::string &name, double value);
  double get(const std::string &name) const;
  /// The constants' names, in the order of this struct.
  static std::vector<std::string> names();
  /// Throws Error unless every constant is positive (epsilon: >= 0) and
  /// E0 < 1, which the equations need.
  void check() const;
};

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_BOLD_H
