// The checks behind expect_ad.hpp, compiled once for every op test.
#include "autodiff/expect_ad.hpp"

namespace tapegrad_test {

void expect_ad(const std::string& op, const AdFunction& f, const Points& points, const AdTolerance& tol) {
  print_full_precision();
  REQUIRE_FALSE(points.empty());
  for (const std::vector<double>& point : points) {
    INFO("op " << op << " at " << describe_point(point));
    const Eigen::VectorXd x = as_vector(point);

    // (a) values on the three paths.
    const double value = static_cast<double>(tapegrad::detail::call_with(f, point));
    const tapegrad::GradientResult first = tapegrad::gradient(f, x);
    const tapegrad::HessianResult second = tapegrad::value_gradient_hessian(f, x);
    CAPTURE(value, first.value, second.value);
    CHECK(std::isfinite(value));
    CHECK(close_rel(first.value, value, tol.value_rel));
    CHECK(close_rel(second.value, value, tol.value_rel));

    // (b) the gradient against finite differences; the HVar sweep's gradient against the Var one.
    const tapegrad::CheckReport grad = tapegrad::check_gradient(f, x, tol.gradient);
    INFO("gradient check:\n" << grad.table());
    CHECK(grad.passed);
    CHECK(close_rel(second.gradient, first.gradient, tol.exact_rel));

    if (!tol.second_order) continue;
    // (c) the Hessian against finite differences of the gradient, and H v in one sweep.
    const tapegrad::CheckReport hess = tapegrad::check_hessian(f, x, tol.hessian);
    INFO("Hessian check:\n" << hess.table());
    CHECK(hess.passed);
    Eigen::VectorXd v(x.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = 0.7 - 1.1 * static_cast<double>(i);  // any direction
    const Eigen::VectorXd hv = tapegrad::hessian_vector(f, x, v);
    const Eigen::VectorXd h_times_v = second.hessian * v;
    CAPTURE(hv.transpose(), h_times_v.transpose());
    CHECK(hv.allFinite());
    // Rounding relative to the terms summed, |H| |v|, not to a result that may cancel to 0; plus
    // |g| |v|: tangents such as (a - f)' = v_a - f' cancel at the scale of the gradient.
    const double scale = (second.hessian.cwiseAbs() * v.cwiseAbs()).lpNorm<Eigen::Infinity>() +
                         second.gradient.lpNorm<Eigen::Infinity>() * v.lpNorm<Eigen::Infinity>();
    CHECK((hv - h_times_v).lpNorm<Eigen::Infinity>() <= tol.exact_rel * scale);
  }
}

void expect_derivatives(const std::string& op, const AdFunction& f, const std::vector<double>& point, double value,
                        const std::vector<double>& gradient, const Points& hessian, double rel) {
  print_full_precision();
  INFO("op " << op << " at " << describe_point(point));
  REQUIRE(gradient.size() == point.size());
  const Eigen::VectorXd x = as_vector(point);
  const double on_double = static_cast<double>(tapegrad::detail::call_with(f, point));
  const tapegrad::GradientResult first = tapegrad::gradient(f, x);
  const tapegrad::HessianResult second = tapegrad::value_gradient_hessian(f, x);
  CAPTURE(value, on_double, first.value, second.value);
  CHECK(close_rel(on_double, value, rel));
  CHECK(close_rel(first.value, value, rel));
  CHECK(close_rel(second.value, value, rel));
  for (std::size_t i = 0; i < gradient.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    CAPTURE(i, gradient[i], first.gradient[k], second.gradient[k]);
    CHECK(close_rel(first.gradient[k], gradient[i], rel));
    CHECK(close_rel(second.gradient[k], gradient[i], rel));
  }
  if (hessian.empty()) return;
  REQUIRE(hessian.size() == point.size());
  for (std::size_t i = 0; i < hessian.size(); ++i) {
    REQUIRE(hessian[i].size() == point.size());
    for (std::size_t j = 0; j < hessian[i].size(); ++j) {
      const double got = second.hessian(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      CAPTURE(i, j, hessian[i][j], got);
      CHECK(close_rel(got, hessian[i][j], rel));
    }
  }
}

void expect_ad_throws(const std::string& op, const AdFunction& f, const Points& points, ThrowCheck check) {
  REQUIRE_FALSE(points.empty());
  for (const std::vector<double>& point : points) {
    INFO("op " << op << " at " << describe_point(point));
    const Eigen::VectorXd x = as_vector(point);
    check([&] { tapegrad::detail::call_with(f, point); });
    check([&] { tapegrad::gradient(f, x); });
    check([&] { tapegrad::hessian(f, x); });
  }
}

}  // namespace tapegrad_test
