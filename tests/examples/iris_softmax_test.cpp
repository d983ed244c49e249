// The softmax example's claim: the categorical likelihood is the cross-entropy with one-hot
// targets (softmax regression), fitted from a config through the one model mechanism. The
// cross-entropy is written out here by hand, independently of the library's densities.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/csv.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "example_paths.hpp"

using namespace tapegrad::models;

using tapegrad::testing::example_config;
using tapegrad::testing::example_data;

namespace {


}  // namespace

TEST_CASE("softmax regression's negative log-likelihood is the cross-entropy with one-hot targets", "[examples]") {
  Experiment e = load_experiment(load_config(example_config("iris_softmax")));
  const FitResults r = fit(e);
  REQUIRE(r.succeeded());
  // Logits: setosa 0 (the reference), versicolor b[0] + w[0] x, virginica b[1] + w[1] x.
  CsvRequest request{example_data("iris.csv"), "Species", {"Sepal.Length"}, true};
  const CsvTable t = read_csv(request);
  double cross_entropy = 0;
  for (Eigen::Index i = 0; i < t.features.rows(); ++i) {
    const double x = t.features(i, 0);
    const double z[3] = {0, r.parameters[0].value + r.parameters[2].value * x, r.parameters[1].value + r.parameters[3].value * x};
    const std::string& label = t.target_text[static_cast<std::size_t>(i)];
    const int k = label == "setosa" ? 0 : label == "versicolor" ? 1 : 2;
    // One-hot target: only the true class's -log softmax(z)_k counts.
    cross_entropy -= z[k] - std::log(std::exp(z[0]) + std::exp(z[1]) + std::exp(z[2]));
  }
  CHECK(-r.log_likelihood == Approx(cross_entropy).epsilon(1e-12));
}
