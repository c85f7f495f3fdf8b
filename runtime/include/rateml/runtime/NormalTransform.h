//===- NormalTransform.h - Two random words to two normals -----*- C++ -*-===//
//
// Box-Muller, sqrt(-2 ln u1) (cos, sin)(2 pi u2), u_k = (w_k + 1/2) / 2^32,
// from two 32-bit Philox words, in arithmetic alone: a logarithm after an
// exponent/mantissa split (musl's log and logf), and the sine and cosine of
// the remainder of u2 to a quarter turn (fdlibm's kernels, Cephes' sinf and
// cosf). No libm calls, so the kernels keep it in vector registers.
//
// The algorithm is written once, as a template over the operations it uses:
// the kernel builder instantiates it with operations that emit arith ops
// (lib/Conversion/RateMLToKernel/Philox.cpp), the host with ScalarOps
// (noiseDraw in Philox.h, used by the reference interpreter). Both evaluate
// the same operations in the same order without FMA contraction, so float64
// kernels draw the reference's numbers to the bit. docs/simulation.md gives
// the accuracy.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_RUNTIME_NORMALTRANSFORM_H
#define RATEML_RUNTIME_NORMALTRANSFORM_H

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace rateml::runtime {

/// The constants of the transform in precision T.
template <typename T> struct NormalTransformConstants;

template <> struct NormalTransformConstants<double> {
  /// The integer of T's width, the mantissa's bits, and the bit patterns
  /// of 1 and of the reduced mantissa's lower end (just below sqrt(1/2)).
  using Bits = uint64_t;
  static constexpr int kMantissaBits = 52;
  static constexpr Bits kOne = 0x3ff0000000000000,
                        kSqrtHalf = 0x3fe6a09e00000000;
  /// ln 2 = kLn2Hi + kLn2Lo, kLn2Hi with trailing zeros (k * kLn2Hi exact).
  static constexpr double kLn2Hi = 6.93147180369123816490e-01,
                          kLn2Lo = 1.90821492927058770002e-10;
  /// Lg1 ... Lg7 of musl's log (fdlibm's e_log.c): (log(1 + s) - log(1 - s))
  /// / s - 2 ~ sum Lg_k s^(2k) on the reduced range, error < 2^-58.45.
  static constexpr std::array<double, 7> kLog = {
      6.666666666666735130e-01, 3.999999999940941908e-01,
      2.857142874366239149e-01, 2.222219843214978396e-01,
      1.818357216161805012e-01, 1.531383769920937332e-01,
      1.479819860511658591e-01};
  /// fdlibm's __kernel_sin and __kernel_cos on [-pi/4, pi/4]: sin x ~ x +
  /// x^3 sum S_k x^(2k - 2), cos x ~ 1 - x^2/2 + x^4 sum C_k x^(2k - 2).
  static constexpr std::array<double, 6> kSin = {
      -1.66666666666666324348e-01, 8.33333333332248946124e-03,
      -1.98412698298579493134e-04, 2.75573137070700676789e-06,
      -2.50507602534068634195e-08, 1.58969099521155010221e-10};
  static constexpr std::array<double, 6> kCos = {
      4.16666666666666019037e-02, -1.38888888888741095749e-03,
      2.48015872894767294178e-05, -2.75573143513906633035e-07,
      2.08757232129817482790e-09, -1.13596475577881948265e-11};
  static constexpr double kHalfPi = 1.57079632679489661923;
};

template <> struct NormalTransformConstants<float> {
  using Bits = uint32_t;
  static constexpr int kMantissaBits = 23;
  static constexpr Bits kOne = 0x3f800000, kSqrtHalf = 0x3f3504f3;
  static constexpr float kLn2Hi = 6.9313812256e-01f, kLn2Lo = 9.0580006145e-06f;
  /// musl's logf (FreeBSD's e_logf.c), error < 2^-34.24.
  static constexpr std::array<float, 4> kLog = {
      0xaaaaaa.0p-24f, 0xccce13.0p-25f, 0x91e9ee.0p-25f, 0xf89e26.0p-26f};
  /// Cephes' sinf and cosf on [-pi/4, pi/4].
  static constexpr std::array<float, 3> kSin = {
      -1.6666654611e-1f, 8.3321608736e-3f, -1.9515295891e-4f};
  static constexpr std::array<float, 3> kCos = {
      4.166664568298827e-2f, -1.388731625493765e-3f, 2.443315711809948e-5f};
  static constexpr float kHalfPi = 1.57079632679489661923f;
};

/// The operations of the transform on host scalars: T for reals, uint32_t
/// for the Philox words, T's bit pattern as an unsigned integer.
template <typename T> struct ScalarOps {
  using Real = T;
  using Word = uint32_t;
  using Bits = typename NormalTransformConstants<T>::Bits;
  using Cond = bool;

  Real real(T v) { return v; }
  Word word(uint32_t v) { return v; }
  Bits bits(Bits v) { return v; }
  Real add(Real a, Real b) { return a + b; }
  Real sub(Real a, Real b) { return a - b; }
  Real mul(Real a, Real b) { return a * b; }
  Real div(Real a, Real b) { return a / b; }
  Real neg(Real a) { return -a; }
  Real sqrt(Real a) { return std::sqrt(a); }
  Real select(Cond c, Real a, Real b) { return c ? a : b; }
  Cond equal(Real a, Real b) { return a == b; }
  /// Integer operations, modulo 2^width, on words and bits.
  template <typename I> I iadd(I a, I b) { return a + b; }
  template <typename I> I isub(I a, I b) { return a - b; }
  template <typename I> I iand(I a, I b) { return a & b; }
  template <typename I> I ixor(I a, I b) { return a ^ b; }
  template <typename I> I shr(I a, int n) { return a >> n; }
  template <typename I> Cond iequal(I a, I b) { return a == b; }
  /// Integer to real, as unsigned and as a two's complement word.
  template <typename I> Real fromUnsigned(I a) { return static_cast<T>(a); }
  Real fromSigned(Word a) { return static_cast<T>(static_cast<int32_t>(a)); }
  Bits bitsOf(Real a) {
    Bits r;
    std::memcpy(&r, &a, sizeof r);
    return r;
  }
  Real realOf(Bits a) {
    Real r;
    std::memcpy(&r, &a, sizeof r);
    return r;
  }
};

/// sum_k c[k] x^k over every `stride`-th coefficient from `first`, Horner.
template <typename Ops, typename T, size_t N>
typename Ops::Real hornerPolynomial(Ops &o, typename Ops::Real x,
                                    const std::array<T, N> &c, size_t first = 0,
                                    size_t stride = 1) {
  size_t k = first + (N - 1 - first) / stride * stride;
  typename Ops::Real p = o.real(c[k]);
  while (k > first) {
    k -= stride;
    p = o.add(o.mul(p, x), o.real(c[k]));
  }
  return p;
}

/// ln u for u = (w + 1/2) / 2^32, as musl's log(f): u = 2^k m with m in
/// [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f),
/// ln u = k ln 2 + f - f^2/2 + s (f^2/2 + R(s^2)).
template <typename T, typename Ops>
typename Ops::Real logOfUniform(Ops &o, typename Ops::Word w) {
  using C = NormalTransformConstants<T>;
  using Real = typename Ops::Real;
  Real u = o.mul(o.add(o.fromUnsigned(w), o.real(T(0.5))),
                 o.real(T(1.0 / 4294967296.0)));
  // Exponent and mantissa with the mantissa's range starting at sqrt(1/2).
  auto ix = o.iadd(o.bitsOf(u), o.bits(C::kOne - C::kSqrtHalf));
  Real k = o.sub(o.fromUnsigned(o.shr(ix, C::kMantissaBits)),
                 o.real(T(C::kOne >> C::kMantissaBits)));
  Real m = o.realOf(
      o.iadd(o.iand(ix, o.bits((typename C::Bits(1) << C::kMantissaBits) - 1)),
             o.bits(C::kSqrtHalf)));
  // f = m - 1 is exact; where k = 0 (m = u) it is taken from the complement
  // word as -(~w + 1/2) / 2^32 instead: the same number in float64, but in
  // float32 u near 1 has lost the bits of 1 - u that ln u consists of.
  Real complement = o.mul(
      o.add(o.fromUnsigned(o.ixor(w, o.word(0xffffffffu))), o.real(T(0.5))),
      o.real(T(-1.0 / 4294967296.0)));
  Real f =
      o.select(o.equal(k, o.real(T(0))), complement, o.sub(m, o.real(T(1))));
  Real s = o.div(f, o.add(o.real(T(2)), f));
  Real z = o.mul(s, s), w2 = o.mul(z, z);
  // R = z (Lg1 + w2 Lg3 + ...) + w2 (Lg2 + w2 Lg4 + ...).
  Real odd = o.mul(z, hornerPolynomial(o, w2, C::kLog, 0, 2));
  Real even = o.mul(w2, hornerPolynomial(o, w2, C::kLog, 1, 2));
  Real r = o.add(odd, even);
  Real hfsq = o.mul(o.mul(o.real(T(0.5)), f), f);
  Real sum = o.add(o.mul(s, o.add(hfsq, r)), o.mul(k, o.real(C::kLn2Lo)));
  return o.add(o.add(o.sub(sum, hfsq), f), o.mul(k, o.real(C::kLn2Hi)));
}

/// cos(2 pi u) and sin(2 pi u) for u = (w + 1/2) / 2^32. 2 pi u =
/// (pi/2) (q + r) with q the nearest quarter turn (mod 4) and r = (2 d + 1)
/// / 2^31, d = w - 2^30 q in [-2^29, 2^29), both from w exactly; then x =
/// (pi/2) r in (-pi/4, pi/4), and cos(2 pi u) is cos x, -sin x, -cos x or
/// sin x for q = 0 ... 3, sin(2 pi u) sin x, cos x, -sin x or -cos x.
template <typename T, typename Ops>
std::array<typename Ops::Real, 2> cosSinOfUniform(Ops &o,
                                                  typename Ops::Word w) {
  using C = NormalTransformConstants<T>;
  using Real = typename Ops::Real;
  auto shifted = o.iadd(w, o.word(1u << 29));
  auto q = o.shr(shifted, 30);
  auto d = o.isub(w, o.iand(shifted, o.word(0xc0000000u)));
  Real r = o.mul(o.fromSigned(o.iadd(o.iadd(d, d), o.word(1))),
                 o.real(T(1.0 / 2147483648.0)));
  Real x = o.mul(r, o.real(C::kHalfPi));
  Real z = o.mul(x, x);
  // sin x = x + x^3 (S1 + S2 z + ...), as fdlibm's __kernel_sin.
  Real sinX = o.add(x, o.mul(o.mul(z, x), hornerPolynomial(o, z, C::kSin)));
  // cos x = 1 - z/2 + z^2 (C1 + C2 z + ...), as fdlibm's __kernel_cos:
  // w = 1 - z/2 and the rounding error of w added back.
  Real hz = o.mul(o.real(T(0.5)), z), one = o.real(T(1));
  Real wc = o.sub(one, hz);
  Real tail = o.mul(o.mul(z, z), hornerPolynomial(o, z, C::kCos));
  Real cosX = o.add(wc, o.add(o.sub(o.sub(one, wc), hz), tail));
  auto odd = o.iequal(o.iand(q, o.word(1)), o.word(1));
  Real c = o.select(odd, sinX, cosX), s = o.select(odd, cosX, sinX);
  // cos is negative for q = 1 and 2, sin for q = 2 and 3.
  auto cosNegative =
      o.iequal(o.iand(o.iadd(q, o.word(1)), o.word(2)), o.word(2));
  auto sinNegative = o.iequal(o.iand(q, o.word(2)), o.word(2));
  return {o.select(cosNegative, o.neg(c), c),
          o.select(sinNegative, o.neg(s), s)};
}

/// The two standard normals of docs/simulation.md from Philox words w1 and
/// w2: Box-Muller's r cos(2 pi u2) and r sin(2 pi u2), r = sqrt(-2 ln u1).
template <typename T, typename Ops>
std::array<typename Ops::Real, 2>
standardNormalPair(Ops &o, typename Ops::Word w1, typename Ops::Word w2) {
  auto radius = o.sqrt(o.mul(o.real(T(-2)), logOfUniform<T>(o, w1)));
  auto [c, s] = cosSinOfUniform<T>(o, w2);
  return {o.mul(radius, c), o.mul(radius, s)};
}

} // namespace rateml::runtime

#endif // RATEML_RUNTIME_NORMALTRANSFORM_H
