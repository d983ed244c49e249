// ModelObjective::hessian_vector (exact, forward-over-reverse) against the full Hessian, and
// trust_region_cg, which runs on those products, on a real model against R.
#include <catch2/catch.hpp>
#include <cmath>

#include "example_paths.hpp"
#include "models/r_reference.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/objective.hpp"

using namespace tapegrad::models;

TEST_CASE("ModelObjective::hessian_vector is H v, on 1 and 2 threads", "[objective]") {
  for (const char* example : {"mtcars_logistic", "iris_softmax", "mtcars_gaussian"}) {
    INFO(example);
    Experiment e = load_experiment(load_config(tapegrad::testing::example_config(example)));
    for (std::size_t threads : {1, 2}) {
      ModelObjective f(*e.model, e.data, threads);
      const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(f.dimension(), -0.3, 0.2);
      const Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(f.dimension(), 1.0, -2.0);
      const Eigen::VectorXd expected = f.hessian(x) * v;
      const Eigen::VectorXd hv = f.hessian_vector(x, v);
      CHECK((hv - expected).cwiseAbs().maxCoeff() <= 1e-12 * expected.cwiseAbs().maxCoeff());
    }
  }
}

TEST_CASE("trust_region_cg fits the logistic regression as glm does", "[fit][r]") {
  ExperimentConfig config = load_config(tapegrad::testing::example_config("mtcars_logistic"));
  config.fit = FitConfig{};
  config.fit.optimizer.method = "trust_region_cg";
  Experiment e = load_experiment(config);
  const FitResults r = fit(e);
  INFO(r.message);
  REQUIRE(r.succeeded());
  namespace b = tapegrad::models::r_reference::bernoulli_mtcars;
  for (int j = 0; j < 3; ++j)
    CHECK(std::abs(r.parameters[static_cast<std::size_t>(j)].value - b::coefficients[j]) <
          1e-6 * std::abs(b::coefficients[j]));
}
