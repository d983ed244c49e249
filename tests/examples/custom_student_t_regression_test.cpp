// Example 7b (examples/custom_student_t_regression): a Student-t family written in C++, registered
// under a name and used from the shipped JSON config. Its log-likelihood at the estimate equals the
// t density written out by hand; it is robust where least squares is pulled by the outliers.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>

#include <tapegrad/models/experiment.hpp>
#include <tapegrad/models/fit.hpp>
#include <tapegrad/models/model_check.hpp>

#include "custom_student_t_regression/custom_student_t_regression.hpp"
#include "example_paths.hpp"

namespace ex = examples::custom_student_t_regression;
namespace m = tapegrad::models;

namespace {

double value_of(const m::FitResults& r, const std::string& name) {
  for (const auto& p : r.parameters)
    if (p.name == name) return p.value;
  FAIL("no parameter " << name);
  return 0;
}

double se_of(const m::FitResults& r, const std::string& name) {
  for (const auto& p : r.parameters)
    if (p.name == name) return p.std_error;
  FAIL("no parameter " << name);
  return 0;
}

}  // namespace

TEST_CASE("custom_student_t_regression: the shipped data is what the simulation writes", "[examples]") {
  std::ifstream in(tapegrad::testing::example_file("custom_student_t_regression", "data.csv"));
  REQUIRE(in);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == ex::simulate_csv());
}

TEST_CASE("custom_student_t_regression: the registered family fits from the config, robust to outliers",
          "[examples]") {
  ex::register_student_t();
  const m::ExperimentConfig config = m::load_config(tapegrad::testing::example_config("custom_student_t_regression"));
  m::Experiment t_experiment = m::load_experiment(config);
  const m::FitResults t = m::fit(t_experiment);
  REQUIRE(t.succeeded());
  REQUIRE(t.inference == m::Inference::standard_errors);
  CHECK(t.family == "student_t");
  const double a = value_of(t, "linear0.bias[0]"), b = value_of(t, "linear0.weight[0,x]"), sigma = value_of(t, "sigma");

  // log L by hand: sum_i log t_4((y_i - a - b x_i) / sigma) - log sigma.
  const double nu = 4;
  const double log_c = std::lgamma((nu + 1) / 2) - std::lgamma(nu / 2) - 0.5 * std::log(nu * M_PI);
  double ll = 0;
  const m::Dataset& data = t_experiment.data;
  for (Eigen::Index i = 0; i < data.target.size(); ++i) {
    const double z = (data.target[i] - a - b * data.features(i, 0)) / sigma;
    ll += log_c - std::log(sigma) - (nu + 1) / 2 * std::log1p(z * z / nu);
  }
  CHECK(t.log_likelihood == Approx(ll).epsilon(1e-12));

  // Robust: the t slope is within 3 standard errors of the truth; least squares is not, and is
  // off by more than 10 times as much.
  m::Experiment ols_experiment = m::load_experiment(ex::with_gaussian(config));
  const m::FitResults ols = m::fit(ols_experiment);
  REQUIRE(ols.succeeded());
  const double t_off = std::abs(b - ex::kTrueSlope), ols_off = std::abs(value_of(ols, "linear0.weight[0,x]") - ex::kTrueSlope);
  CHECK(t_off < 3 * se_of(t, "linear0.weight[0,x]"));
  CHECK(ols_off > 3 * se_of(ols, "linear0.weight[0,x]"));
  CHECK(ols_off > 10 * t_off);
  CHECK(t.log_likelihood > ols.log_likelihood);

  // The family's gradient passes the finite-difference check at the start and random points.
  CHECK(m::check_model(t_experiment).passed);
}
