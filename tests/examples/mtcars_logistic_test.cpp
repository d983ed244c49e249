// The flagship example's claim: the Bernoulli likelihood is binary cross-entropy (logistic
// regression), fitted from a config through the one model mechanism. The cross-entropy is
// written out here by hand, from the data file, independently of the library's densities.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "tapegrad/autodiff/drivers.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/csv.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/objective.hpp"
#include "example_paths.hpp"

using namespace tapegrad::models;

using tapegrad::testing::example_config;
using tapegrad::testing::example_data;

namespace {


// Mean binary cross-entropy of am given p = 1 / (1 + exp(-(b0 + b1 wt + b2 hp))).
double mtcars_bce(double b0, double b1, double b2) {
  CsvRequest request{example_data("mtcars.csv"), "am", {"wt", "hp"}};
  const CsvTable t = read_csv(request);
  double sum = 0;
  for (Eigen::Index i = 0; i < t.target.size(); ++i) {
    const double p = 1 / (1 + std::exp(-(b0 + b1 * t.features(i, 0) + b2 * t.features(i, 1))));
    const double y = t.target[i];
    sum -= y * std::log(p) + (1 - y) * std::log(1 - p);
  }
  return sum / static_cast<double>(t.target.size());
}

}  // namespace

TEST_CASE("logistic regression's negative log-likelihood is the binary cross-entropy", "[examples]") {
  Experiment e = load_experiment(load_config(example_config("mtcars_logistic")));
  ModelObjective objective(*e.model, e.data);
  // At the estimate and at arbitrary parameters: NLL / n = mean BCE (to rounding).
  const FitResults r = fit(e);
  REQUIRE(r.succeeded());
  const double b0 = r.parameters[0].value, b1 = r.parameters[1].value, b2 = r.parameters[2].value;
  CHECK(-r.log_likelihood / 32 == Approx(mtcars_bce(b0, b1, b2)).epsilon(1e-12));
  for (const Eigen::Vector3d& theta : {Eigen::Vector3d(1, -0.5, 0.01), Eigen::Vector3d(-3, 2, -0.02)}) {
    Eigen::VectorXd g;
    CHECK(objective.value_gradient(theta, g) == Approx(mtcars_bce(theta[0], theta[1], theta[2])).epsilon(1e-12));
  }
}
