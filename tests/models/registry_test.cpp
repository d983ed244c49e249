// A user's likelihood family and layer, written in C++ and registered under a name, get the
// whole machinery from a JSON config: validation, fitting, standard errors, gradient checks.
#include <catch2/catch.hpp>
#include <cmath>

#include "tapegrad/autodiff/densities.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/json_reader.hpp"
#include "tapegrad/models/model_check.hpp"

using namespace tapegrad;
using namespace tapegrad::models;

namespace {

// Student-t errors around the model's mean: nu from the config, sigma learned (log scale).
class StudentT final : public GenericFamily<StudentT> {
 public:
  explicit StudentT(double nu) : nu_(nu) {}
  std::string name() const override { return "student_t"; }
  std::vector<FamilyParameter> parameters() const override { return {{"sigma", true}}; }
  void initialise(Eigen::Ref<Eigen::VectorXd> theta, const Dataset&) const override { theta[0] = std::log(3.0); }
  template <class Real>
  BasicVar<Real> log_likelihood_impl(const BasicMatVar<Real>& mean, const Dataset& data, const ParamBlock<Real>& theta) const {
    return student_t_lpdf(data.target, nu_, mean, exp(theta[0]));
  }

 private:
  double nu_;
};

// Multiplies its input by one learned factor.
class Scale final : public GenericLayer<Scale> {
 public:
  std::string type() const override { return "scale"; }
  std::size_t parameter_count(Eigen::Index) const override { return 1; }
  std::vector<std::string> parameter_names(const std::string& prefix, const std::vector<std::string>&) const override {
    return {prefix + ".factor"};
  }
  void initialise(Eigen::Ref<Eigen::VectorXd> theta, Eigen::Index, bool, std::mt19937_64&) const override { theta[0] = 1; }
  template <class Real>
  BasicMatVar<Real> forward_impl(const BasicMatVar<Real>& in, const ParamBlock<Real>& theta) const {
    return scale(in, theta[0]);
  }
};

nlohmann::json mtcars_config(const std::string& family) {
  return nlohmann::json::parse(R"({
    "data": {"csv": "examples/data/mtcars.csv", "target": "mpg", "features": ["wt", "hp"]},
    "model": [{"type": "linear", "units": 1}],
    "likelihood": {"family": ")" + family + R"("},
    "fit": {"tolerance": 1e-9}})");
}

}  // namespace

TEST_CASE("a registered family is usable from a config: fit, standard errors, gradient check", "[registry]") {
  register_family("student_t", [](ObjectReader& options) -> std::unique_ptr<Family> {
    return std::make_unique<StudentT>(options.positive("nu", 4.0));
  });
  nlohmann::json config = mtcars_config("student_t");
  config["likelihood"]["nu"] = 5;
  Experiment e = load_experiment(parse_config(config, TAPEGRAD_SOURCE_DIR));
  CHECK(check_model(e).passed);
  const FitResults r = fit(e);
  INFO(r.message << "; " << r.inference_note);
  REQUIRE(r.succeeded());
  CHECK(r.family == "student_t");
  REQUIRE(r.parameters.size() == 4);
  CHECK(r.parameters[3].name == "sigma");
  CHECK(r.parameters[3].value > 0);
  for (const auto& p : r.parameters) CHECK(std::isfinite(p.std_error));
  // The family's own options are validated through the same reader.
  config["likelihood"]["nu"] = -1;
  CHECK_THROWS_WITH(parse_config(config, TAPEGRAD_SOURCE_DIR, "c.json"),
                    Catch::Contains("c.json: /likelihood/nu: expected a positive number, found -1"));
}

TEST_CASE("a registered layer is usable from a config and validated like the built-in ones", "[registry]") {
  register_layer("scale", [](ObjectReader&) -> std::unique_ptr<Layer> { return std::make_unique<Scale>(); });
  nlohmann::json config = mtcars_config("gaussian");
  config["model"].push_back({{"type", "scale"}});
  Experiment e = load_experiment(parse_config(config, TAPEGRAD_SOURCE_DIR));
  CHECK(e.model->parameter_names()[3] == "scale1.factor");
  CHECK(check_model(e).passed);
  config["model"][1]["factor"] = 2;
  CHECK_THROWS_WITH(parse_config(config, TAPEGRAD_SOURCE_DIR, "c.json"),
                    Catch::Contains("c.json: /model/1/factor: unknown key"));
}

// The classic user bug: a value taken off the tape (here sigma as a plain double) becomes a
// constant, so the recorded gradient misses its derivative. The gradient check must say so.
class DetachedSigma final : public GenericFamily<DetachedSigma> {
 public:
  std::string name() const override { return "detached_sigma"; }
  std::vector<FamilyParameter> parameters() const override { return {{"sigma", true}}; }
  template <class Real>
  BasicVar<Real> log_likelihood_impl(const BasicMatVar<Real>& mean, const Dataset& data, const ParamBlock<Real>& theta) const {
    const double sigma = std::exp(value_of(value_of(theta[0])));  // off the tape: wrong on purpose
    return normal_lpdf(data.target, mean, sigma) + 0.0 * theta[0];
  }
};

TEST_CASE("the gradient check catches a family whose parameter falls off the tape", "[registry][check]") {
  register_family("detached_sigma", [](ObjectReader&) -> std::unique_ptr<Family> { return std::make_unique<DetachedSigma>(); });
  const Experiment e = load_experiment(parse_config(mtcars_config("detached_sigma"), TAPEGRAD_SOURCE_DIR));
  const ModelCheckResults r = check_model(e);
  CHECK_FALSE(r.passed);
  // Only sigma's row fails; the mean's parameters are on the tape.
  for (const auto& row : r.points.front().report.rows) CHECK(row.passed == (row.name != "sigma"));
}

TEST_CASE("an unknown family or layer is refused with the registered names", "[registry]") {
  CHECK_THROWS_AS(parse_config(mtcars_config("studentt"), TAPEGRAD_SOURCE_DIR), InputError);
  CHECK_THROWS_WITH(parse_config(mtcars_config("gausian"), TAPEGRAD_SOURCE_DIR, "c.json"),
                    Catch::Contains("c.json: /likelihood/family:") && Catch::Contains("did you mean \"gaussian\"?"));
}
