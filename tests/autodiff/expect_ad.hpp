#pragma once
// One helper checks any scalar function generic in its type, at many points (Stan's expect_ad):
//   1. its value is the same with T = double, T = Var and T = HVar;
//   2. the tape's gradient equals finite differences (the public check API);
//   3. the exact Hessian equals finite differences of the exact gradient, and H v equals
//      hessian_vector.
// Adding an op test is one line: expect_ad("exp", [](const auto& x) { using std::exp; return exp(x[0]); }, {{0.5}, {-2}});

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tapegrad/autodiff.hpp"

namespace tapegrad_test {

struct AdTolerances {
  double value = 1e-14;     // double vs Var vs HVar: the same arithmetic, so near rounding
  double gradient = 1e-7;   // vs Richardson central differences
  double hessian = 1e-6;    // vs differences of the exact gradient
};

template <class F>
void expect_ad(const std::string& op, F f, const std::vector<std::vector<double>>& points, AdTolerances tol = {}) {
  for (const std::vector<double>& p : points) {
    const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size()));
    INFO("op " << op << " at x = [" << x.transpose() << "]");
    const double plain = static_cast<double>(tapegrad::detail::call_with(f, p));
    const auto first = tapegrad::gradient(f, x);
    const auto second = tapegrad::value_gradient_hessian(f, x);
    CHECK(first.value == Approx(plain).epsilon(tol.value).margin(tol.value));
    CHECK(second.value == Approx(plain).epsilon(tol.value).margin(tol.value));
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      CHECK(second.gradient[i] == Approx(first.gradient[i]).epsilon(1e-13).margin(1e-13));
    }

    tapegrad::CheckOptions options;
    options.rel_tol = tol.gradient;
    options.abs_tol = tol.gradient;
    const tapegrad::CheckReport g = tapegrad::check_gradient(f, x, options);
    INFO(g.table());
    CHECK(g.passed);

    options.rel_tol = tol.hessian;
    options.abs_tol = tol.hessian;
    const tapegrad::CheckReport h = tapegrad::check_hessian(f, x, options);
    INFO(h.table());
    CHECK(h.passed);

    const Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(x.size(), 0.5, -1.0);
    const Eigen::VectorXd hv = tapegrad::hessian_vector(f, x, v);
    const Eigen::VectorXd expected = second.hessian * v;
    for (Eigen::Index i = 0; i < x.size(); ++i) CHECK(hv[i] == Approx(expected[i]).epsilon(1e-12).margin(1e-12));
  }
}

// Invalid input throws E on the double path and on the Var path.
template <class E, class F>
void expect_throws_both(F f, const std::vector<double>& point) {
  const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(point.data(), static_cast<Eigen::Index>(point.size()));
  CHECK_THROWS_AS(static_cast<double>(tapegrad::detail::call_with(f, point)), E);
  CHECK_THROWS_AS(tapegrad::gradient(f, x), E);
}

}  // namespace tapegrad_test
