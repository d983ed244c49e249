// Linear regression on real, unscaled data (MASS's Boston: tax in the hundreds, nox below 1)
// with the DEFAULT fit section, against R's lm (r_boston.hpp), and the units of a feature.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "models/r_boston.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"

using namespace tapegrad::models;
namespace ref = tapegrad::models::r_reference::boston;

namespace {

Experiment boston() {
  return load_experiment(load_config(std::string(TAPEGRAD_SOURCE_DIR) + "/tests/data/boston/config.json"));
}

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

}  // namespace

TEST_CASE("Boston: medv on 13 unscaled columns with the default fit section matches lm to 1e-8", "[fit][r]") {
  Experiment e = boston();
  REQUIRE(e.config.fit.optimizer.method == "auto");
  const FitResults r = fit(e);
  INFO(r.message);
  REQUIRE(r.succeeded());
  CHECK(r.iterations <= 20);
  REQUIRE(r.parameters.size() == ref::num_coefficients + 1);  // and sigma
  for (int j = 0; j < ref::num_coefficients; ++j) {
    const auto& p = r.parameters[static_cast<std::size_t>(j)];
    INFO(p.name << ": " << p.value << " +- " << p.std_error << " vs lm " << ref::coefficients[j] << " +- "
                << ref::se_mle[j]);
    CHECK(relative(p.value, ref::coefficients[j]) < 1e-8);
    CHECK(relative(p.std_error, ref::se_mle[j]) < 1e-6);
  }
  CHECK(relative(r.parameters.back().value, std::sqrt(ref::rss / ref::n)) < 1e-8);  // sigma^2 = RSS / n
  CHECK(relative(r.log_likelihood, ref::loglik) < 1e-10);
}

TEST_CASE("Boston: a feature in other units changes its coefficient and standard error by exactly that factor",
          "[fit]") {
  Experiment plain = boston();
  const FitResults reference = fit(plain);
  REQUIRE(reference.succeeded());
  const std::size_t tax = 9;  // column 9 of the features: tax, in the hundreds
  REQUIRE(plain.data.feature_names[tax] == "tax");
  for (double factor : {1000.0, 1e-3}) {
    INFO("tax times " << factor);
    Experiment e = boston();
    e.data.features.col(static_cast<Eigen::Index>(tax)) *= factor;
    const FitResults r = fit(e);
    INFO(r.message);
    REQUIRE(r.succeeded());
    CHECK(r.iterations == reference.iterations);
    for (std::size_t j = 0; j < r.parameters.size(); ++j) {
      const double scale = j == tax + 1 ? 1 / factor : 1.0;  // parameter 0 is the intercept
      INFO(r.parameters[j].name);
      CHECK(relative(r.parameters[j].value, scale * reference.parameters[j].value) < 1e-10);
      // infer() inverts the Hessian scaled to unit diagonal, so the standard errors follow too.
      CHECK(relative(r.parameters[j].std_error, scale * reference.parameters[j].std_error) < 1e-10);
    }
  }
}
