// Fits of the shipped examples against R's lm/glm/nnet::multinom (numbers recorded as facts in
// r_reference.hpp), separation, non-identifiability and the optimizers on real models.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "models/r_reference.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/model_check.hpp"
#include "example_paths.hpp"

using namespace tapegrad::models;
namespace ref = tapegrad::models::r_reference;

using tapegrad::testing::example_config;

namespace {


FitResults fit_example(const std::string& name, void (*edit)(ExperimentConfig&) = nullptr) {
  ExperimentConfig config = load_config(example_config(name));
  if (edit) edit(config);
  Experiment experiment = load_experiment(config);
  return fit(experiment);
}

double relative(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

// R's tolerances from the issue: estimates 1e-6 relative, log-likelihood 1e-8, standard errors 1e-4.
void expect_matches_r(const FitResults& r, const double* estimates, const double* std_errors, const int* order,
                      int count, double loglik, double aic, double bic) {
  REQUIRE(r.succeeded());
  REQUIRE(r.inference == Inference::standard_errors);
  for (int j = 0; j < count; ++j) {
    const auto& p = r.parameters[static_cast<std::size_t>(j)];
    INFO(p.name << ": " << p.value << " +- " << p.std_error << " vs R " << estimates[order[j]] << " +- "
                << std_errors[order[j]]);
    CHECK(relative(p.value, estimates[order[j]]) < 1e-6);
    CHECK(relative(p.std_error, std_errors[order[j]]) < 1e-4);
  }
  CHECK(std::abs(r.log_likelihood - loglik) < 1e-8 * std::abs(loglik));
  CHECK(std::abs(r.aic - aic) < 1e-7 * aic);
  CHECK(std::abs(r.bic - bic) < 1e-7 * bic);
}

}  // namespace

TEST_CASE("gaussian regression of mpg on wt and hp matches lm, with MLE standard errors", "[fit][r]") {
  const FitResults r = fit_example("mtcars_gaussian");
  const int order[] = {0, 1, 2};
  namespace g = ref::gaussian_mtcars;
  // lm's standard errors use RSS/(n-p); the MLE's (what the inverse observed information gives) RSS/n.
  expect_matches_r(r, g::coefficients, g::se_mle, order, 3, g::loglik, g::aic, g::bic);
  REQUIRE(r.parameters.back().name == "sigma");
  CHECK(relative(r.parameters.back().value, g::sigma_mle) < 1e-6);  // sigma^2 = RSS / n
  CHECK(relative(r.parameters.back().value * r.parameters.back().value, g::rss / g::n) < 1e-6);
  CHECK(relative(r.parameters.back().std_error, g::sigma_mle_se) < 1e-4);
  CHECK(r.n_parameters == 4);
}

TEST_CASE("gaussian with sigma held fixed has no sigma parameter and the MSE minimiser", "[fit]") {
  const FitResults r = fit_example("mtcars_gaussian", [](ExperimentConfig& c) { c.likelihood.options["sigma"] = 3.0; });
  REQUIRE(r.n_parameters == 3);
  for (int j = 0; j < 3; ++j)
    CHECK(relative(r.parameters[static_cast<std::size_t>(j)].value, ref::gaussian_mtcars::coefficients[j]) < 1e-6);
  // With sigma fixed, the standard errors scale with it: se = se_mle * 3 / sigma_mle.
  CHECK(relative(r.parameters[1].std_error, ref::gaussian_mtcars::se_mle[1] * 3 / ref::gaussian_mtcars::sigma_mle) < 1e-4);
}

TEST_CASE("logistic regression of am on wt and hp matches glm", "[fit][r]") {
  const FitResults r = fit_example("mtcars_logistic");
  const int order[] = {0, 1, 2};
  namespace b = ref::bernoulli_mtcars;
  expect_matches_r(r, b::coefficients, b::se, order, 3, b::loglik, b::aic, b::bic);
  CHECK(r.gradient_max < 1e-8);
  CHECK(r.parameters[1].name == "linear0.weight[0,wt]");
}

TEST_CASE("Newton with the exact Hessian converges on the logistic regression in at most 15 iterations", "[fit]") {
  const FitResults r = fit_example("mtcars_logistic", [](ExperimentConfig& c) { c.fit.optimizer.method = "newton"; });
  REQUIRE(r.converged);
  CHECK(r.iterations <= 15);
  CHECK(r.gradient_max < 1e-8);
  CHECK(relative(r.parameters[1].value, ref::bernoulli_mtcars::coefficients[1]) < 1e-6);
}

TEST_CASE("softmax regression with a reference class matches nnet::multinom", "[fit][r]") {
  const FitResults r = fit_example("iris_softmax");
  // Ours: bias[0], bias[1], weight[0,.], weight[1,.]; R: versicolor (intercept, slope), virginica (...).
  const int order[] = {0, 2, 1, 3};
  namespace c = ref::categorical_iris;
  expect_matches_r(r, c::coefficients, c::se, order, 4, c::loglik, c::aic, c::bic);
}

TEST_CASE("poisson regression of warpbreaks matches glm, log y! included", "[fit][r]") {
  const FitResults r = fit_example("warpbreaks_poisson");
  const int order[] = {0, 1, 2, 3};
  namespace p = ref::poisson_warpbreaks;
  expect_matches_r(r, p::coefficients, p::se, order, 4, p::loglik, p::aic, p::bic);
}

TEST_CASE("an over-parameterised softmax is reported singular, without standard errors", "[fit]") {
  const FitResults r = fit_example("iris_softmax", [](ExperimentConfig& c) {
    c.likelihood.options.erase("reference_class");
    c.model[0].options["units"] = 3;
  });
  CHECK(r.converged);
  CHECK(r.inference == Inference::singular);
  CHECK(r.flat_parameters.size() >= 3);
  for (const auto& p : r.parameters) CHECK(std::isnan(p.std_error));
  // The log-likelihood is that of the identified model all the same.
  CHECK(std::abs(r.log_likelihood - ref::categorical_iris::loglik) < 1e-6);
}

TEST_CASE("separated classes: no finite MLE, the diverging parameters named, no standard errors", "[fit]") {
  SECTION("iris on both sepal features (setosa is linearly separable)") {
    const FitResults r = fit_example("iris_separation");
    CHECK_FALSE(r.succeeded());
    CHECK(r.inference == Inference::no_finite_mle);
    CHECK_FALSE(r.diverging_parameters.empty());
    for (const auto& p : r.parameters) CHECK(std::isnan(p.std_error));
  }
  SECTION("iris on all four features, softmax without a reference class (flat and separated at once)") {
    const FitResults r = fit_example("iris_separation", [](ExperimentConfig& c) {
      c.data.features = {"Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"};
      c.likelihood.options.erase("reference_class");
      c.model[0].options["units"] = 3;
    });
    CHECK(r.inference == Inference::no_finite_mle);
    CHECK_FALSE(r.succeeded());
  }
  SECTION("a logistic regression whose classes a line splits") {
    const FitResults r = fit_example("separable_logistic");
    CHECK_FALSE(r.succeeded());
    CHECK(r.inference == Inference::no_finite_mle);
    CHECK(std::find(r.diverging_parameters.begin(), r.diverging_parameters.end(), "linear0.weight[0,x1]") !=
          r.diverging_parameters.end());
  }
  SECTION("with Newton as well") {
    const FitResults r = fit_example("separable_logistic", [](ExperimentConfig& c) { c.fit.optimizer.method = "newton"; });
    CHECK(r.inference == Inference::no_finite_mle);
  }
}

TEST_CASE("adam and sgd on mini-batches approach the MLE, the same seed gives the same fit", "[fit]") {
  auto adam = [](ExperimentConfig& c) {
    c.fit.optimizer.method = "adam";
    c.fit.optimizer.batch_size = 8;
    c.fit.optimizer.learning_rate = 0.01;
    c.fit.optimizer.max_iterations = 2000;
    c.fit.optimizer.tolerance = 1e-4;
    c.fit.optimizer.seed = 7;
  };
  const FitResults a = fit_example("warpbreaks_poisson", adam);
  const FitResults b = fit_example("warpbreaks_poisson", adam);
  REQUIRE(a.parameters.size() == b.parameters.size());
  for (std::size_t j = 0; j < a.parameters.size(); ++j) CHECK(a.parameters[j].value == b.parameters[j].value);
  INFO("adam's log-likelihood " << a.log_likelihood);
  // Mini-batch noise keeps the last iterate near, not at, the maximum.
  CHECK(std::abs(a.log_likelihood - ref::poisson_warpbreaks::loglik) < 0.5);
}

TEST_CASE("not converging within max_iterations is reported as a failure", "[fit]") {
  const FitResults r = fit_example("mtcars_logistic", [](ExperimentConfig& c) { c.fit.optimizer.max_iterations = 3; });
  CHECK_FALSE(r.converged);
  CHECK_FALSE(r.succeeded());
  CHECK(r.status == OptimizerStatus::max_iterations);
  CHECK(r.iterations == 3);
}

TEST_CASE("a small MLP fits through the same mechanism", "[fit]") {
  const FitResults r = fit_example("mtcars_logistic", [](ExperimentConfig& c) {
    c.model = {{"linear", {{"type", "linear"}, {"units", 3}}, "/model/0"},
               {"tanh", {{"type", "tanh"}}, "/model/1"},
               {"linear", {{"type", "linear"}, {"units", 1}}, "/model/2"},
               {"sigmoid", {{"type", "sigmoid"}}, "/model/3"}};
    c.fit.optimizer.max_iterations = 200;
    c.fit.standard_errors = false;
  });
  CHECK(r.n_parameters == 3 * 3 + 4);
  CHECK(r.parameters[0].name == "linear0.bias[0]");
  CHECK(r.parameters[12].name == "linear2.weight[0,2]");
  // Training lowered the loss; whether it finds the best local maximum is not this test's business.
  REQUIRE(r.history.size() > 1);
  CHECK(r.history.back().value < r.history.front().value);
}

TEST_CASE("the model gradient check passes on every shipped example and on an MLP", "[fit][check]") {
  for (const char* name : {"mtcars_logistic", "mtcars_gaussian", "iris_softmax", "warpbreaks_poisson"}) {
    INFO(name);
    const Experiment e = load_experiment(load_config(example_config(name)));
    const ModelCheckResults r = check_model(e);
    CHECK(r.passed);
    CHECK(r.points.size() == 4);
  }
  ExperimentConfig config = load_config(example_config("iris_softmax"));
  config.model = {{"linear", {{"type", "linear"}, {"units", 4}}, "/model/0"},
                  {"relu", {{"type", "relu"}}, "/model/1"},
                  {"linear", {{"type", "linear"}, {"units", 2}}, "/model/2"},
                  {"softmax", {{"type", "softmax"}}, "/model/3"}};
  const Experiment e = load_experiment(config);
  CHECK(check_model(e).passed);
}

TEST_CASE("a diverging fit stops with a message and keeps the last finite parameters", "[fit]") {
  // Plain gradient steps of size 50 on a Poisson log-rate overflow exp() within a few steps.
  const FitResults r = fit_example("warpbreaks_poisson", [](ExperimentConfig& c) {
    c.fit.optimizer.method = "sgd";
    c.fit.optimizer.learning_rate = 50;
    c.fit.optimizer.batch_size = 54;
    c.fit.optimizer.max_iterations = 100;
  });
  CHECK(r.status == OptimizerStatus::diverged);
  CHECK_FALSE(r.succeeded());
  CHECK(r.inference == Inference::not_computed);
  for (const auto& p : r.parameters) CHECK(std::isfinite(p.value));
  CHECK_THAT(r.message, Catch::Contains("last finite"));
}
