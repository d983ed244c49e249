// The finite-difference check on real likelihoods (check.hpp): exact gradients and Hessians
// PASS with default options at the start, at the MLE and off it, on totals and means alike; the
// bugs people write into gradients by hand FAIL wherever they change the gradient by more than
// the finite difference's own error.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "autodiff/realistic_likelihoods.hpp"

namespace {

namespace r = tapegrad_test::realistic;

struct Point {
  std::string name;
  Eigen::VectorXd x;
};

template <class Model>
std::vector<Point> points(const Model& m) {
  const std::vector<double> s = m.start();
  const Eigen::VectorXd start = Eigen::Map<const Eigen::VectorXd>(s.data(), static_cast<Eigen::Index>(s.size()));
  const Eigen::VectorXd mle = r::mle(m, start);
  Eigen::VectorXd off = mle;
  for (Eigen::Index j = 0; j < off.size(); ++j) off[j] += j % 2 ? -0.05 : 0.05;
  return {{"start", start}, {"MLE", mle}, {"off the MLE", off}};
}

// The log-likelihood over the first `rows` rows, times `scale` (1: the total; -1/n: the mean NLL).
template <class Model>
auto loglik(const Model& m, double scale, std::size_t rows) {
  return [&m, scale, rows](const auto& th) {
    using T = typename std::decay_t<decltype(th)>::value_type;
    return T(scale) * r::total<Model, T>(m, th, rows);
  };
}

template <class Model>
void check_likelihood(const Model& m, bool hessian_everywhere) {
  const std::size_t n = m.size();
  for (const Point& p : points(m)) {
    for (const double scale : {1.0, -1.0 / static_cast<double>(n)}) {
      INFO("at " << p.name << (scale == 1 ? ", the total" : ", the mean negative log-likelihood"));
      const auto f = loglik(m, scale, n);
      const auto as_double = tapegrad::detail::as_double_function(f);
      const Eigen::VectorXd g = tapegrad::gradient(f, p.x).gradient;

      // The exact gradient: PASS.
      const tapegrad::CheckReport exact = tapegrad::check_gradient(f, p.x);
      INFO(exact.table());
      CHECK(exact.passed);

      // A loop that skips the last observation: FAIL.
      const Eigen::VectorXd skipped = tapegrad::gradient(loglik(m, scale, n - 1), p.x).gradient;
      CHECK_FALSE(tapegrad::compare_gradient(as_double, p.x, skipped).passed);

      // Every partial off by 0.5%, and every partial evaluated where another parameter is 1e-3
      // away (each row is judged on its own, so one report holds each bug once per row).
      Eigen::VectorXd off_by = g * 1.005, stale = g;
      for (Eigen::Index i = 0; i < g.size(); ++i) {
        Eigen::VectorXd y = p.x;
        y[(i + 1) % y.size()] += 1e-3;
        stale[i] = tapegrad::gradient(f, y).gradient[i];
      }
      const tapegrad::CheckReport off_report = tapegrad::compare_gradient(as_double, p.x, off_by);
      const tapegrad::CheckReport stale_report = tapegrad::compare_gradient(as_double, p.x, stale);
      for (Eigen::Index i = 0; i < g.size(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        const double noticeable = 2 * exact.rows[k].allowed;  // a change this large must be caught
        CAPTURE(i, g[i], noticeable);
        if (p.name != "MLE") CHECK(std::abs(off_by[i] - g[i]) > noticeable);  // else 0.5% of ~0
        if (std::abs(off_by[i] - g[i]) > noticeable) CHECK_FALSE(off_report.rows[k].passed);
        CHECK(std::abs(stale[i] - g[i]) > noticeable);
        CHECK_FALSE(stale_report.rows[k].passed);
      }

      // (The Student-t's Hessian check, 4 x 32 gradients over 10^5 rows, runs once: at the MLE, on the total.)
      if (hessian_everywhere || (p.name == "MLE" && scale == 1)) {
        const tapegrad::CheckReport h = tapegrad::check_hessian(f, p.x);
        INFO(h.table());
        CHECK(h.passed);
      }
    }
  }
}

}  // namespace

TEST_CASE("check on real likelihoods: Weibull survival regression with a covariate of about 60", "[check]") {
  check_likelihood(r::Weibull(), true);
}

TEST_CASE("check on real likelihoods: Student-t regression over 100000 rows", "[check]") {
  check_likelihood(r::StudentT(), false);
}

TEST_CASE("check on real likelihoods: a two-component normal mixture", "[check]") {
  check_likelihood(r::Mixture(), true);
}
