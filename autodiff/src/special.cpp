#include "tapegrad/autodiff/special.hpp"

#include <cmath>
#include <limits>

namespace tapegrad {
namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Below this the functions have poles at 0, -1, -2, ...
bool is_pole(double x) { return x <= 0 && x == std::floor(x); }
}  // namespace

double digamma(double x) {
  if (std::isnan(x) || is_pole(x)) return kNaN;
  if (x < 0) return digamma(1 - x) - kPi / std::tan(kPi * x);  // reflection
  double shift = 0;
  while (x < 10) {  // psi(x) = psi(x + 1) - 1/x
    shift -= 1 / x;
    x += 1;
  }
  // Asymptotic series: log x - 1/(2x) - sum B_2k / (2k x^2k); error < 1e-16 for x >= 10.
  const double r = 1 / (x * x);
  const double series =
      r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132 - r * (691.0 / 32760))))));
  return shift + std::log(x) - 0.5 / x - series;
}

double trigamma(double x) {
  if (std::isnan(x) || is_pole(x)) return kNaN;
  if (x < 0) {  // psi1(1 - x) + psi1(x) = pi^2 / sin^2(pi x)
    const double s = std::sin(kPi * x);
    return -trigamma(1 - x) + kPi * kPi / (s * s);
  }
  double shift = 0;
  // From 20 up the first omitted term, B_14 / x^15, is below 1e-18 of the result (from 10 up
  // it would be 1e-14).
  while (x < 20) {  // psi1(x) = psi1(x + 1) + 1/x^2
    shift += 1 / (x * x);
    x += 1;
  }
  const double r = 1 / (x * x);
  // 1/x + 1/(2x^2) + sum B_2k / x^(2k+1)
  const double series =
      r * (1.0 / 6 - r * (1.0 / 30 - r * (1.0 / 42 - r * (1.0 / 30 - r * (5.0 / 66 - r * (691.0 / 2730))))));
  return shift + 1 / x + 0.5 * r + series / x;
}

double tetragamma(double x) {
  if (std::isnan(x) || is_pole(x)) return kNaN;
  if (x < 0) {  // d/dx of trigamma's reflection: psi2(x) = psi2(1 - x) - 2 pi^3 cos(pi x) / sin^3(pi x)
    const double s = std::sin(kPi * x);
    return tetragamma(1 - x) - 2 * kPi * kPi * kPi * std::cos(kPi * x) / (s * s * s);
  }
  double shift = 0;
  // From 20 up the first omitted term, 15 B_14 / x^16, is below 1e-17 of the result.
  while (x < 20) {  // psi2(x) = psi2(x + 1) - 2/x^3
    shift -= 2 / (x * x * x);
    x += 1;
  }
  const double r = 1 / (x * x);
  // -1/x^2 - 1/x^3 - sum (2k+1) B_2k / x^(2k+2)
  const double series =
      r * (0.5 - r * (1.0 / 6 - r * (1.0 / 6 - r * (3.0 / 10 - r * (5.0 / 6 - r * (691.0 / 210))))));
  return shift - r - r / x - series * r;
}

}  // namespace tapegrad
