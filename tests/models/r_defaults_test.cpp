// The R reference fits of the shipped examples with their `fit` section left out (the defaults:
// trust_region for these few parameters), against R (r_reference.hpp): estimates to 1e-8,
// standard errors to 1e-6, in a handful of iterations.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "example_paths.hpp"
#include "models/r_reference.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"

using namespace tapegrad::models;
namespace ref = tapegrad::models::r_reference;

namespace {

FitResults fit_with_defaults(const std::string& example) {
  ExperimentConfig config = load_config(tapegrad::testing::example_config(example));
  config.fit = FitConfig{};  // as if the config had no "fit" section
  Experiment experiment = load_experiment(config);
  return fit(experiment);
}

void expect_matches(const std::string& example, const double* estimates, const double* std_errors, const int* order,
                    int count) {
  const FitResults r = fit_with_defaults(example);
  INFO(example << ": " << r.message);
  REQUIRE(r.succeeded());
  CHECK(r.iterations <= 10);
  for (int j = 0; j < count; ++j) {
    const auto& p = r.parameters[static_cast<std::size_t>(j)];
    INFO(p.name << ": " << p.value << " +- " << p.std_error << " vs R " << estimates[order[j]]);
    CHECK(std::abs(p.value - estimates[order[j]]) < 1e-8 * std::abs(estimates[order[j]]));
    CHECK(std::abs(p.std_error - std_errors[order[j]]) < 1e-6 * std_errors[order[j]]);
  }
}

}  // namespace

TEST_CASE("the R reference fits agree with R with the default fit section", "[fit][r]") {
  const int three[] = {0, 1, 2}, four[] = {0, 1, 2, 3}, softmax[] = {0, 2, 1, 3};
  expect_matches("mtcars_gaussian", ref::gaussian_mtcars::coefficients, ref::gaussian_mtcars::se_mle, three, 3);
  expect_matches("mtcars_logistic", ref::bernoulli_mtcars::coefficients, ref::bernoulli_mtcars::se, three, 3);
  expect_matches("iris_softmax", ref::categorical_iris::coefficients, ref::categorical_iris::se, softmax, 4);
  expect_matches("warpbreaks_poisson", ref::poisson_warpbreaks::coefficients, ref::poisson_warpbreaks::se, four, 4);
}
