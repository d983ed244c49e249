// fit_iid: a per-observation log-density written by hand gets the optimizers, the exact-Hessian
// standard errors and the singular / no-finite-MLE analysis. Expected values are closed forms.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include <tapegrad/models/iid_likelihood.hpp>

namespace m = tapegrad::models;

namespace {

std::vector<double> normal_sample(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> draw(3.0, 2.0);
  std::vector<double> y(n);
  for (double& v : y) v = draw(rng);
  return y;
}

}  // namespace

TEST_CASE("fit_iid: a normal sample's MLE is the mean and sqrt(RSS/n), with closed-form standard errors", "[models]") {
  const std::vector<double> y = normal_sample(500, 3);
  // theta = (mu, log sigma): log p(y_i) = -log sigma - log(2 pi)/2 - (y_i - mu)^2 / (2 sigma^2).
  auto log_p = [&y](const auto& th, std::size_t i) {
    using std::exp;
    const auto z = (y[i] - th[0]) * exp(-th[1]);
    return -th[1] - 0.9189385332046727 - 0.5 * z * z;
  };
  m::OptimizerOptions options;
  options.tolerance = 1e-12;
  for (const std::string method : {"lbfgs", "newton"}) {
    options.method = method;
    const m::IidFit fit = m::fit_iid(log_p, y.size(), Eigen::Vector2d(0, 0), options, {"mu", "log_sigma"});
    REQUIRE(fit.succeeded());
    double mean = 0, rss = 0;
    for (double v : y) mean += v / 500;
    for (double v : y) rss += (v - mean) * (v - mean);
    const double sigma = std::sqrt(rss / 500);
    CHECK(fit.estimate[0] == Approx(mean).epsilon(1e-10));
    CHECK(std::exp(fit.estimate[1]) == Approx(sigma).epsilon(1e-10));
    // Observed information at the MLE: diag(n / sigma^2, 2n) for (mu, log sigma).
    CHECK(fit.std_error[0] == Approx(sigma / std::sqrt(500.0)).epsilon(1e-8));
    CHECK(fit.std_error[1] == Approx(1 / std::sqrt(1000.0)).epsilon(1e-8));
    const double ll = -500 * (std::log(sigma) + 0.9189385332046727 + 0.5);
    CHECK(fit.log_likelihood == Approx(ll).epsilon(1e-12));
    CHECK(fit.aic == Approx(4 - 2 * ll).epsilon(1e-12));
  }
}

TEST_CASE("IidObjective: a mini-batch is the mean NLL over its rows, adam on mini-batches finds the MLE", "[models]") {
  const std::vector<double> y = normal_sample(200, 8);
  auto log_p = [&y](const auto& th, std::size_t i) { return -0.5 * tapegrad::square(y[i] - th[0]); };
  m::IidObjective<decltype(log_p)> objective(log_p, 1, y.size());
  const Eigen::VectorXd at = Eigen::VectorXd::Constant(1, 1.5);
  Eigen::VectorXd g;
  const std::vector<std::size_t> rows = {3, 17, 17, 150};
  const double value = objective.batch_value_gradient(at, rows, g);
  double expected = 0, expected_g = 0;
  for (std::size_t i : rows) {
    expected += 0.5 * (y[i] - 1.5) * (y[i] - 1.5) / 4;
    expected_g += -(y[i] - 1.5) / 4;
  }
  CHECK(value == Approx(expected).epsilon(1e-14));
  CHECK(g[0] == Approx(expected_g).epsilon(1e-14));

  m::OptimizerOptions options;
  options.method = "adam";
  options.batch_size = 20;
  options.learning_rate = 0.01;
  options.max_iterations = 300;
  const m::IidFit fit = m::fit_iid(log_p, y.size(), Eigen::VectorXd::Zero(1), options);
  double mean = 0;
  for (double v : y) mean += v / 200;
  // A constant step on noisy batches hovers around the minimum: within 0.01 of the mean (the
  // standard error of the mean here is 0.14), from a start 3 away.
  CHECK(fit.optimizer.status != m::OptimizerStatus::diverged);
  CHECK(fit.estimate[0] == Approx(mean).margin(0.01));
}

TEST_CASE("fit_iid: a parameter the likelihood cannot see is reported singular, without standard errors", "[models]") {
  const std::vector<double> y = normal_sample(50, 4);
  // Only a + b enters: the direction (1, -1) is flat.
  auto log_p = [&y](const auto& th, std::size_t i) { return -0.5 * tapegrad::square(y[i] - (th[0] + th[1])); };
  const m::IidFit fit = m::fit_iid(log_p, y.size(), Eigen::Vector2d(0, 0), {}, {"a", "b"});
  CHECK(fit.optimizer.status == m::OptimizerStatus::converged);
  CHECK(fit.inference == m::Inference::singular);
  CHECK_FALSE(fit.succeeded());
  CHECK(std::isnan(fit.std_error[0]));
  CHECK(fit.inference_note.find("a, b") != std::string::npos);
}

namespace {

// y_i = 3 exp(-0.4 x_i) + noise (sd 0.05), x_i = 0..39: a nonlinear mean.
struct DecayData {
  std::vector<double> x, y;
  DecayData() {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> noise(0.0, 0.05);
    for (int i = 0; i < 40; ++i) {
      x.push_back(i);
      y.push_back(3 * std::exp(-0.4 * i) + noise(rng));
    }
  }
};

}  // namespace

TEST_CASE("fit_iid: a Gaussian with a nonlinear mean and sigma = exp(log_sigma) survives trial points where exp "
          "underflows or overflows",
          "[models]") {
  const DecayData d;
  // theta = (a, k, log_sigma): y_i ~ N(a exp(-k x_i), exp(log_sigma)). normal_lpdf throws
  // std::domain_error for sigma = 0 (exp underflow) or mu NaN/inf, which a trial point can hit.
  auto log_p = [&d](const auto& th, std::size_t i) {
    using std::exp;
    using tapegrad::exp;
    return tapegrad::normal_lpdf(d.y[i], th[0] * exp(-th[1] * d.x[i]), exp(th[2]));
  };
  // A start far from the MLE: log_sigma = 5 and a rate of 2; the first steps overshoot.
  int refused = 0;
  auto counting = [&](const auto& th, std::size_t i) {
    try {
      return log_p(th, i);
    } catch (const std::domain_error&) {
      ++refused;
      throw;
    }
  };
  for (const std::string method : {"auto", "lbfgs", "newton", "trust_region_cg"}) {
    INFO(method);
    m::OptimizerOptions options;
    options.method = method;
    options.max_iterations = 5000;
    m::IidFit fit;
    REQUIRE_NOTHROW(fit = m::fit_iid(counting, d.x.size(), Eigen::Vector3d(1, 2, 5), options, {"a", "k", "log_sigma"}));
    INFO(fit.optimizer.message);
    CHECK(fit.optimizer.status == m::OptimizerStatus::converged);
    CHECK(fit.estimate[0] == Approx(3).epsilon(0.05));
    CHECK(fit.estimate[1] == Approx(0.4).epsilon(0.05));
    CHECK(std::exp(fit.estimate[2]) == Approx(0.05).epsilon(0.3));
  }
  CHECK(refused > 0);  // trial points did fall outside the density's domain, and were rejected

  // log_sigma = 720 at the start: exp overflows to inf, the density refuses, the fit cannot start.
  try {
    m::fit_iid(log_p, d.x.size(), Eigen::Vector3d(3, 0.4, 720), {}, {"a", "k", "log_sigma"});
    FAIL("fit_iid started at log_sigma = 720");
  } catch (const m::StartingPointError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("cannot start") && Catch::Contains("sigma must be positive") &&
                                          Catch::Contains("log_sigma = 720"));
    CHECK_THAT(e.reason(), Catch::Contains("normal_lpdf"));
  }
}

TEST_CASE("fit_iid: a likelihood without parameters is evaluated, converged, AIC = BIC = -2 log L", "[models]") {
  const std::vector<double> y = normal_sample(30, 9);
  // N(3, 2^2) fixed: nothing to estimate.
  auto log_p = [&y](const auto&, std::size_t i) { return -std::log(2.0) - 0.9189385332046727 - 0.125 * (y[i] - 3) * (y[i] - 3); };
  double ll = 0;
  for (double v : y) ll += -std::log(2.0) - 0.9189385332046727 - 0.125 * (v - 3) * (v - 3);
  for (const std::string method : {"lbfgs", "newton"}) {
    m::OptimizerOptions options;
    options.method = method;
    const m::IidFit fit = m::fit_iid(log_p, y.size(), Eigen::VectorXd(0), options);
    CHECK(fit.succeeded());
    CHECK(fit.converged);
    CHECK(fit.estimate.size() == 0);
    CHECK(fit.log_likelihood == Approx(ll).epsilon(1e-13));
    CHECK(fit.aic == Approx(-2 * ll).epsilon(1e-13));
    CHECK(fit.bic == Approx(-2 * ll).epsilon(1e-13));
  }
}
