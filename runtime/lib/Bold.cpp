//===- Bold.cpp - Balloon-Windkessel hemodynamics -------------------------===//
//
// Equations (docs/analysis.md), with k1 = 4.3 nu_0 E0 TE,
// k2 = epsilon r_0 E0 TE, k3 = 1 - epsilon:
//   ds/dt = x - s / tau_s - (f - 1) / tau_f
//   df/dt = s
//   dv/dt = (f - v^(1/alpha)) / tau_o
//   dq/dt = (f (1 - (1 - E0)^(1/f)) / E0 - v^(1/alpha) q / v) / tau_o
//   BOLD  = V0 (k1 (1 - q) + k2 (1 - q / v) + k3 (1 - v))
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Bold.h"
#include "rateml/runtime/Error.h"
#include <cmath>
#include <utility>

using namespace rateml::runtime;

namespace {
using Member = double BalloonWindkessel::*;
const std::pair<const char *, Member> kConstants[] = {
    {"tau_s", &BalloonWindkessel::tau_s},
    {"tau_f", &BalloonWindkessel::tau_f},
    {"tau_o", &BalloonWindkessel::tau_o},
    {"alpha", &BalloonWindkessel::alpha},
    {"E0", &BalloonWindkessel::E0},
    {"V0", &BalloonWindkessel::V0},
    {"TE", &BalloonWindkessel::TE},
    {"epsilon", &BalloonWindkessel::epsilon},
    {"nu_0", &BalloonWindkessel::nu_0},
    {"r_0", &BalloonWindkessel::r_0}};
} // namespace

void BalloonWindkessel::step(State &y, double x, double h) const {
  double flowOut = std::pow(y.v, 1.0 / alpha);
  double extraction = (1.0 - std::pow(1.0 - E0, 1.0 / y.f)) / E0;
  State next;
  next.s = y.s + h * (x - y.s / tau_s - (y.f - 1.0) / tau_f);
  next.f = y.f + h * y.s;
  next.v = y.v + h * (y.f - flowOut) / tau_o;
  next.q = y.q + h * (y.f * extraction - flowOut * y.q / y.v) / tau_o;
  y = next;
}

double BalloonWindkessel::signal(const State &y) const {
  double k1 = 4.3 * nu_0 * E0 * TE, k2 = epsilon * r_0 * E0 * TE,
         k3 = 1.0 - epsilon;
  return V0 * (k1 * (1.0 - y.q) + k2 * (1.0 - y.q / y.v) + k3 * (1.0 - y.v));
}

namespace {
Member memberNamed(const std::string &name) {
  for (const auto &[known, member] : kConstants)
    if (name == known)
      return member;
  std::string list;
  for (const std::string &n : BalloonWindkessel::names())
    list += (list.empty() ? "" : ", ") + n;
  throw Error("--bold-set: unknown Balloon-Windkessel constant '" + name +
              "' (known: " + list + ")");
}
} // namespace

void BalloonWindkessel::set(const std::string &name, double value) {
  this->*memberNamed(name) = value;
}

double BalloonWindkessel::get(const std::string &name) const {
  return this->*memberNamed(name);
}

std::vector<std::string> BalloonWindkessel::names() {
  std::vector<std::string> result;
  for (const auto &entry : kConstants)
    result.push_back(entry.first);
  return result;
}

void BalloonWindkessel::check() const {
  for (const auto &[name, member] : kConstants) {
    double v = this->*member;
    bool ok = std::isfinite(v) &&
              (member == &BalloonWindkessel::epsilon ? v >= 0 : v > 0);
    if (!ok)
      throw Error(std::string("--bold-set: ") + name + " must be " +
                  (member == &BalloonWindkessel::epsilon ? "non-negative"
                                                         : "positive"));
  }
  if (!(E0 < 1))
    throw Error("--bold-set: E0 (oxygen extraction fraction) must be < 1");
}
