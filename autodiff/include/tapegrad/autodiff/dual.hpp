#pragma once
// Dual number: a value and one tangent. A tape whose numbers are Duals records f with its
// directional derivative along v; sweeping it backwards gives grad f and H v together
// (forward-over-reverse), exact to rounding. Only the math the tape ops use is defined here.

#include <cmath>
#include <ostream>

#include "tapegrad/autodiff/special.hpp"

namespace tapegrad {

struct Dual {
  double v = 0;  // value
  double d = 0;  // tangent
  constexpr Dual() = default;
  constexpr Dual(double value) : v(value) {}  // NOLINT: a constant has zero tangent
  constexpr Dual(double value, double tangent) : v(value), d(tangent) {}

  Dual& operator+=(const Dual& o) { v += o.v; d += o.d; return *this; }
  Dual& operator-=(const Dual& o) { v -= o.v; d -= o.d; return *this; }
  Dual& operator*=(const Dual& o) { d = d * o.v + v * o.d; v *= o.v; return *this; }
  Dual& operator/=(const Dual& o) { *this = Dual(v / o.v, (d * o.v - v * o.d) / (o.v * o.v)); return *this; }
};

inline double value_of(double x) { return x; }
inline double value_of(const Dual& x) { return x.v; }
inline bool is_zero(double x) { return x == 0; }
inline bool is_zero(const Dual& x) { return x.v == 0 && x.d == 0; }

inline Dual operator-(const Dual& a) { return {-a.v, -a.d}; }
inline Dual operator+(Dual a, const Dual& b) { return a += b; }
inline Dual operator-(Dual a, const Dual& b) { return a -= b; }
inline Dual operator*(Dual a, const Dual& b) { return a *= b; }
inline Dual operator/(Dual a, const Dual& b) { return a /= b; }
inline Dual operator+(Dual a, double b) { a.v += b; return a; }
inline Dual operator+(double a, Dual b) { b.v += a; return b; }
inline Dual operator-(Dual a, double b) { a.v -= b; return a; }
inline Dual operator-(double a, const Dual& b) { return {a - b.v, -b.d}; }
inline Dual operator*(const Dual& a, double b) { return {a.v * b, a.d * b}; }
inline Dual operator*(double a, const Dual& b) { return {a * b.v, a * b.d}; }
inline Dual operator/(const Dual& a, double b) { return {a.v / b, a.d / b}; }
inline Dual operator/(double a, const Dual& b) { return {a / b.v, -a * b.d / (b.v * b.v)}; }

// Comparisons look at the value only (a branch in f takes the same path for f and its tangent).
inline bool operator<(const Dual& a, const Dual& b) { return a.v < b.v; }
inline bool operator>(const Dual& a, const Dual& b) { return a.v > b.v; }
inline bool operator<=(const Dual& a, const Dual& b) { return a.v <= b.v; }
inline bool operator>=(const Dual& a, const Dual& b) { return a.v >= b.v; }
inline bool operator==(const Dual& a, const Dual& b) { return a.v == b.v; }
inline bool operator!=(const Dual& a, const Dual& b) { return a.v != b.v; }

inline std::ostream& operator<<(std::ostream& os, const Dual& x) { return os << x.v << "+" << x.d << "e"; }

// Each function: value f(v), tangent f'(v) d.
inline Dual exp(const Dual& x) { const double e = std::exp(x.v); return {e, e * x.d}; }
inline Dual log(const Dual& x) { return {std::log(x.v), x.d / x.v}; }
inline Dual log1p(const Dual& x) { return {std::log1p(x.v), x.d / (1 + x.v)}; }
inline Dual expm1(const Dual& x) { return {std::expm1(x.v), std::exp(x.v) * x.d}; }
inline Dual sqrt(const Dual& x) { const double s = std::sqrt(x.v); return {s, x.d / (2 * s)}; }
inline Dual sin(const Dual& x) { return {std::sin(x.v), std::cos(x.v) * x.d}; }
inline Dual cos(const Dual& x) { return {std::cos(x.v), -std::sin(x.v) * x.d}; }
inline Dual tanh(const Dual& x) { const double t = std::tanh(x.v); return {t, (1 - t * t) * x.d}; }
inline Dual abs(const Dual& x) { return x.v < 0 ? -x : x; }
inline Dual erf(const Dual& x) {
  return {std::erf(x.v), 1.1283791670955126 * std::exp(-x.v * x.v) * x.d};  // 2/sqrt(pi) e^{-x^2}
}
inline Dual lgamma(const Dual& x) { return {std::lgamma(x.v), digamma(x.v) * x.d}; }
inline Dual digamma(const Dual& x) { return {digamma(x.v), trigamma(x.v) * x.d}; }
inline Dual trigamma(const Dual& x) { return {trigamma(x.v), tetragamma(x.v) * x.d}; }
inline Dual pow(const Dual& a, double b) { return {std::pow(a.v, b), b * std::pow(a.v, b - 1) * a.d}; }
// A term whose tangent is zero is skipped, not multiplied by 0: for a constant exponent
// (x^2.0, as the tape records pow(Var, double)) log(a) is NaN when a < 0, and NaN * 0 = NaN.
inline Dual pow(const Dual& a, const Dual& b) {
  const double p = std::pow(a.v, b.v);
  const double da = a.d == 0 ? 0 : b.v * std::pow(a.v, b.v - 1) * a.d;
  const double db = p == 0 || b.d == 0 ? 0 : p * std::log(a.v) * b.d;
  return {p, da + db};
}
inline Dual pow(double a, const Dual& b) {
  const double p = std::pow(a, b.v);
  return {p, p == 0 || b.d == 0 ? 0 : p * std::log(a) * b.d};
}
inline bool isfinite(const Dual& x) { return std::isfinite(x.v) && std::isfinite(x.d); }
inline bool isnan(const Dual& x) { return std::isnan(x.v) || std::isnan(x.d); }

}  // namespace tapegrad
