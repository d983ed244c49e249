// ModelObjective with threads: the full-data value, gradient and Hessian as sums over shards of
// the rows, equal to the one-piece result to rounding and bitwise repeatable per thread count;
// fits with fit.threads give the single-thread estimates.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/objective.hpp"
#include "temp_dir.hpp"

using namespace tapegrad::models;

namespace {

// A logistic regression data set of n rows and 3 features, seeded.
std::string logistic_csv(std::size_t n) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::ostringstream csv;
  csv.precision(17);
  csv << "x1,x2,x3,y\n";
  for (std::size_t i = 0; i < n; ++i) {
    const double x1 = unit(rng), x2 = unit(rng), x3 = unit(rng);
    const double eta = 0.3 + 1.2 * x1 - 0.8 * x2 + 0.1 * x3;
    const double y = std::uniform_real_distribution<double>(0, 1)(rng) < 1 / (1 + std::exp(-eta)) ? 1 : 0;
    csv << x1 << "," << x2 << "," << x3 << "," << y << "\n";
  }
  return csv.str();
}

ExperimentConfig logistic_config(const tapegrad::testing::TempDir& dir, std::size_t n, std::size_t threads) {
  dir.write("data.csv", logistic_csv(n));
  nlohmann::json j = {{"name", "threads"},
                      {"data", {{"csv", "data.csv"}, {"target", "y"}}},
                      {"model", {{{"type", "linear"}, {"units", 1}}, {{"type", "sigmoid"}}}},
                      {"likelihood", {{"family", "bernoulli"}}},
                      {"fit", {{"tolerance", 1e-11}, {"threads", threads}}}};
  return parse_config(j, dir.dir());
}

}  // namespace

TEST_CASE("fit.threads: the shard count follows the threads and the rows", "[models][threads]") {
  CHECK(shard_count(100000, 2) == 2);
  CHECK(shard_count(100000, 1) == 1);
  CHECK(shard_count(kMinRowsPerShard * 3 - 1, 8) == 2);  // too few rows for more shards
  CHECK(shard_count(32, 2) == 1);
  CHECK(shard_count(100000, 0) >= 1);  // 0: every hardware thread
  tapegrad::testing::TempDir dir;
  CHECK(logistic_config(dir, 10, 3).fit.threads == 3);
}

TEST_CASE("ModelObjective over shards equals the one-piece objective and repeats bitwise", "[models][threads]") {
  tapegrad::testing::TempDir dir;
  const Experiment e = load_experiment(logistic_config(dir, 4000, 1));
  ModelObjective one(*e.model, e.data, 1);
  REQUIRE(one.shards() == 1);
  Eigen::VectorXd x(4);
  x << 0.1, 0.5, -0.3, 0.2;
  Eigen::VectorXd g1, g;
  const double v1 = one.value_gradient(x, g1);
  const Eigen::MatrixXd h1 = one.hessian(x);
  for (std::size_t threads : {2u, 3u, 5u}) {
    INFO("threads " << threads);
    ModelObjective sharded(*e.model, e.data, threads);
    REQUIRE(sharded.shards() == threads);
    const double v = sharded.value_gradient(x, g);
    // Only the order of the additions differs: 1e-12 relative.
    CHECK(std::abs(v - v1) <= 1e-12 * std::abs(v1));
    CHECK((g - g1).cwiseAbs().maxCoeff() <= 1e-12 * g1.cwiseAbs().maxCoeff());
    const Eigen::MatrixXd h = sharded.hessian(x);
    CHECK((h - h1).cwiseAbs().maxCoeff() <= 1e-12 * h1.cwiseAbs().maxCoeff());
    Eigen::VectorXd g_again;
    CHECK(sharded.value_gradient(x, g_again) == v);
    CHECK(g_again == g);
    CHECK(sharded.hessian(x) == h);
  }
}

TEST_CASE("a fit on 2 threads gives the single-thread estimates, standard errors and log-likelihood",
          "[models][threads]") {
  tapegrad::testing::TempDir dir;
  Experiment e1 = load_experiment(logistic_config(dir, 3000, 1));
  Experiment e2 = load_experiment(logistic_config(dir, 3000, 2));
  const FitResults r1 = fit(e1), r2 = fit(e2);
  REQUIRE(r1.succeeded());
  REQUIRE(r2.succeeded());
  CHECK(r1.threads == 1);
  CHECK(r2.threads == 2);
  CHECK(std::abs(r2.log_likelihood - r1.log_likelihood) <= 1e-12 * std::abs(r1.log_likelihood));
  for (std::size_t j = 0; j < r1.parameters.size(); ++j) {
    INFO(r1.parameters[j].name);
    // Both converged to max |gradient| < 1e-11 on a well-conditioned problem: estimates agree
    // to 1e-10 relative (the optimizers see gradients that differ by rounding only).
    CHECK(r2.parameters[j].value == Approx(r1.parameters[j].value).epsilon(1e-10));
    CHECK(r2.parameters[j].std_error == Approx(r1.parameters[j].std_error).epsilon(1e-10));
  }
}

// linear + sigmoid + bernoulli is a GLM: the model hands W and b to the family's fused node, so
// the tape holds no N-sized arrays (tapegrad::bernoulli_logit_glm_lpmf); so is linear + gaussian
// (normal_id_glm_lpdf, sigma learned); a hidden layer is not.
TEST_CASE("a one-layer model records one GLM node whose tape does not grow with the rows", "[models]") {
  tapegrad::testing::TempDir dir;
  auto arena_bytes = [&](std::size_t n, bool hidden, const char* family = "bernoulli") {
    dir.write("data.csv", logistic_csv(n));
    const bool gaussian = std::string(family) == "gaussian";
    const nlohmann::json model =
        hidden     ? nlohmann::json::parse(R"([{"type": "linear", "units": 2}, {"type": "tanh"},
                                           {"type": "linear", "units": 1}, {"type": "sigmoid"}])")
        : gaussian ? nlohmann::json::parse(R"([{"type": "linear", "units": 1}])")
                   : nlohmann::json::parse(R"([{"type": "linear", "units": 1}, {"type": "sigmoid"}])");
    const nlohmann::json j = {{"name", "glm"},
                              {"data", {{"csv", "data.csv"}, {"target", "y"}}},
                              {"model", model},
                              {"likelihood", {{"family", family}}}};
    const Experiment e = load_experiment(parse_config(j, dir.dir()));
    tapegrad::ScopedTape tape;
    std::vector<tapegrad::Var> theta;
    for (std::size_t i = 0; i < e.model->parameter_count(); ++i) theta.emplace_back(0.1 * static_cast<double>(i));
    const tapegrad::Var ll = e.model->log_likelihood(theta, e.data);
    CHECK(std::isfinite(ll.value()));
    return tape.arena_bytes();
  };
  CHECK(arena_bytes(2000, false) == arena_bytes(8000, false));
  CHECK(arena_bytes(2000, false, "gaussian") == arena_bytes(8000, false, "gaussian"));
  CHECK(arena_bytes(8000, true) > arena_bytes(2000, true));
}

namespace {
// 600 rows, 3 features and three targets: y (0/1), count (Poisson) and cls (3 classes), seeded.
std::string glm_csv() {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::ostringstream csv;
  csv.precision(17);
  csv << "x1,x2,x3,y,count,cls\n";
  for (int i = 0; i < 600; ++i) {
    const double x1 = unit(rng), x2 = unit(rng), x3 = unit(rng);
    const double eta = 0.3 + 0.8 * x1 - 0.5 * x2;
    const int y = std::uniform_real_distribution<double>(0, 1)(rng) < 1 / (1 + std::exp(-eta)) ? 1 : 0;
    const int count = std::poisson_distribution<int>(std::exp(0.2 + 0.4 * x1 - 0.3 * x3))(rng);
    const int cls = x1 + 0.5 * unit(rng) > 0.5 ? 2 : x2 + 0.5 * unit(rng) > 0 ? 1 : 0;
    csv << x1 << "," << x2 << "," << x3 << "," << y << "," << count << "," << cls << "\n";
  }
  return csv.str();
}
}  // namespace

// Standard errors of a GLM come from Model::glm_hessian: x^T diag(h) x in one pass over the rows
// (glm.hpp). It must be the Hessian the p forward-over-reverse sweeps give, on 1 and 2 threads;
// models it does not cover (a hidden layer) keep the sweeps.
TEST_CASE("a GLM's one-pass Hessian equals the forward-over-reverse sweeps'", "[models][threads]") {
  tapegrad::testing::TempDir dir;
  dir.write("data.csv", glm_csv());
  struct Case {
    const char* name;
    const char* target;
    nlohmann::json model, likelihood;
    bool one_pass;
  };
  const nlohmann::json linear1 = {{"type", "linear"}, {"units", 1}};
  const std::vector<Case> cases = {
      {"bernoulli", "y", {linear1, {{"type", "sigmoid"}}}, {{"family", "bernoulli"}}, true},
      {"bernoulli, no intercept", "y",
       {{{"type", "linear"}, {"units", 1}, {"bias", false}}, {{"type", "sigmoid"}}}, {{"family", "bernoulli"}}, true},
      {"poisson", "count", {linear1, {{"type", "exp"}}}, {{"family", "poisson"}}, true},
      // A one-element braced list is a copy of its element for some compilers: json::array says which.
      {"gaussian, sigma learned (log sigma in theta)", "count", nlohmann::json::array({linear1}), {{"family", "gaussian"}},
       true},
      {"gaussian, sigma fixed, no intercept", "count",
       nlohmann::json::array({{{"type", "linear"}, {"units", 1}, {"bias", false}}}), {{"family", "gaussian"}, {"sigma", 1.5}},
       true},
      {"gaussian after an identity layer", "count", {linear1, {{"type", "identity"}}}, {{"family", "gaussian"}}, true},
      {"categorical", "cls", {{{"type", "linear"}, {"units", 3}}, {{"type", "softmax"}}}, {{"family", "categorical"}}, true},
      {"categorical with a reference class", "cls", {{{"type", "linear"}, {"units", 2}}, {{"type", "softmax"}}},
       {{"family", "categorical"}, {"reference_class", 1}}, true},
      {"categorical with a reference class, no intercept", "cls",
       {{{"type", "linear"}, {"units", 2}, {"bias", false}}, {{"type", "softmax"}}},
       {{"family", "categorical"}, {"reference_class", 2}}, true},
      {"a hidden layer", "y",
       {{{"type", "linear"}, {"units", 2}}, {{"type", "tanh"}}, linear1, {{"type", "sigmoid"}}}, {{"family", "bernoulli"}},
       false},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const nlohmann::json j = {{"name", "hessian"},
                              {"data", {{"csv", "data.csv"}, {"target", c.target}, {"features", {"x1", "x2", "x3"}}}},
                              {"model", c.model},
                              {"likelihood", c.likelihood}};
    const Experiment e = load_experiment(parse_config(j, dir.dir()));
    const auto p = static_cast<Eigen::Index>(e.model->parameter_count());
    Eigen::VectorXd x(p);
    for (Eigen::Index i = 0; i < p; ++i) x[i] = 0.3 * std::sin(1.0 + static_cast<double>(i));
    auto f = [&](const std::vector<tapegrad::HVar>& theta) { return e.model->log_likelihood(theta, e.data); };
    const Eigen::MatrixXd sweeps = -tapegrad::hessian(f, x) / static_cast<double>(e.data.rows());
    CHECK(e.model->glm_hessian(x, e.data).has_value() == c.one_pass);
    for (std::size_t threads : {1u, 2u}) {
      INFO("threads " << threads);
      ModelObjective objective(*e.model, e.data, threads);
      const Eigen::MatrixXd h = objective.hessian(x);
      CHECK((h - sweeps).cwiseAbs().maxCoeff() <= 1e-12 * sweeps.cwiseAbs().maxCoeff());
    }
  }
}
