// The private SIMD exp (autodiff/src/exp_array.hpp) against std::exp: within 2 ulp over the
// whole range the densities use it on, exact at 0, 0 where exp is subnormal, NaN kept, and every
// array length (the odd tail goes through the same kernel).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <vector>

#include "exp_array.hpp"

using tapegrad::detail::exp_array;
using tapegrad::detail::kExpArrayLow;

namespace {

// |a - b| in units of the last place of b.
double ulps(double a, double b) {
  if (a == b) return 0;
  return std::fabs(a - b) / (std::nextafter(std::fabs(b), INFINITY) - std::fabs(b));
}

double worst_ulps(const std::vector<double>& x) {
  std::vector<double> y(x.size());
  exp_array(x.data(), y.data(), static_cast<std::ptrdiff_t>(x.size()));
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, ulps(y[i], std::exp(x[i])));
  return worst;
}

}  // namespace

TEST_CASE("exp_array: within 2 ulp of std::exp from log(DBL_MIN) to 709", "[exp_array]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> wide(kExpArrayLow, 709.0), unit(-1.0, 1.0);
  std::vector<double> x;
  for (int i = 0; i < 200000; ++i) x.push_back(wide(rng));
  for (int i = 0; i < 200000; ++i) x.push_back(unit(rng));
  for (int e = -60; e <= 0; ++e) {  // tiny arguments, where e^x = 1 + x must not lose x
    x.push_back(-std::ldexp(1.0, e));
    x.push_back(std::ldexp(1.0, e));
  }
  for (int k = -1021; k <= 1022; ++k) x.push_back(k * std::log(2.0));  // the ends of every reduction interval
  CHECK(worst_ulps(x) <= 2.0);
}

TEST_CASE("exp_array: exact values, underflow to 0, NaN kept", "[exp_array]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> x{0.0, -0.0, -INFINITY, -709.0, -1000.0, nan, kExpArrayLow};
  std::vector<double> y(x.size());
  exp_array(x.data(), y.data(), static_cast<std::ptrdiff_t>(x.size()));
  CHECK(y[0] == 1.0);
  CHECK(y[1] == 1.0);
  CHECK(y[2] == 0.0);
  CHECK(y[3] == 0.0);  // exp(-709) = 1.2e-309 is subnormal: 0, an absolute error below 2.3e-308
  CHECK(y[4] == 0.0);
  CHECK(std::isnan(y[5]));
  CHECK(ulps(y[6], std::exp(kExpArrayLow)) <= 2.0);
}

TEST_CASE("exp_array: every length, in place", "[exp_array]") {
  for (std::ptrdiff_t n = 0; n <= 9; ++n) {
    std::vector<double> x(static_cast<std::size_t>(n) + 1, 123.0);  // one guard element past the end
    for (std::ptrdiff_t i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = -0.37 * static_cast<double>(i);
    std::vector<double> expected(x.begin(), x.begin() + n);
    exp_array(x.data(), x.data(), n);
    for (std::ptrdiff_t i = 0; i < n; ++i) CHECK(ulps(x[static_cast<std::size_t>(i)], std::exp(expected[static_cast<std::size_t>(i)])) <= 2.0);
    CHECK(x[static_cast<std::size_t>(n)] == 123.0);
  }
}
