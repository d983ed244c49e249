#pragma once
// A likelihood family written in C++ and registered under a name, so that a JSON config can use
// it like a built-in one: the same fit, standard errors, summary, gradient check and plot.
//
//   y_i ~ mean_i + sigma * t_nu,   mean_i from the config's model (here a + b x_i),
//   sigma learned (optimised as log sigma), nu fixed by the config ("nu": 4 by default).
//
// Heavy tails make the fit robust: a few gross outliers barely move it, while least squares
// (the gaussian family) is pulled towards them. Used by main.cpp and by
// tests/examples/custom_student_t_regression_test.cpp.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <tapegrad/autodiff/densities.hpp>
#include <tapegrad/models/config.hpp>
#include <tapegrad/models/family.hpp>
#include <tapegrad/models/json_reader.hpp>

namespace examples::custom_student_t_regression {

namespace models = tapegrad::models;

// The family: log t_nu(y_i | mean_i, sigma), summed by the engine's vectorised density (one
// tape node for all rows). One template serves both the gradient (Real = double) and the
// Hessian (Real = Dual) passes; GenericFamily turns it into the two virtual overrides.
class StudentT final : public models::GenericFamily<StudentT> {
 public:
  explicit StudentT(double nu) : nu_(nu) {}
  std::string name() const override { return "student_t"; }
  // The model must give one mean per row; say how to fix the config otherwise.
  void check_output(const models::ModelShape& shape, const models::Dataset&) const override {
    if (shape.units != 1)
      models::fail_at(shape.config_file, shape.last_layer_path,
                  "student_t needs 1 output column (one mean per observation), but the model gives " +
                      std::to_string(shape.units) + "; set the last linear layer's units to 1");
  }
  // The family's own parameter, after the model's; log_scale: optimised as log sigma, reported as sigma.
  std::vector<models::FamilyParameter> parameters() const override { return {{"sigma", true}}; }
  // Start sigma at the spread of y (the model's mean starts at 0).
  void initialise(Eigen::Ref<Eigen::VectorXd> theta, const models::Dataset& data) const override {
    const double mean = data.target.mean();
    const double var = (data.target.array() - mean).square().mean();
    theta[0] = var > 0 && std::isfinite(var) ? 0.5 * std::log(var) : 0.0;
  }
  template <class Real>
  tapegrad::BasicVar<Real> log_likelihood_impl(const tapegrad::BasicMatVar<Real>& mean, const models::Dataset& data,
                                               const models::ParamBlock<Real>& theta) const {
    using std::exp;
    return tapegrad::student_t_lpdf(data.target, nu_, mean, exp(theta[0]));
  }

 private:
  double nu_;
};

// Makes "student_t" usable as "likelihood": {"family": "student_t", "nu": 4} (nu optional).
// Call it before loading a config that names the family: parse_config refuses unknown names.
inline void register_student_t() {
  models::register_family("student_t", [](models::ObjectReader& options) -> std::unique_ptr<models::Family> {
    return std::make_unique<StudentT>(options.positive("nu", 4.0));
  });
}

// ---- the data: a straight line with Gaussian noise and a few gross outliers ----

constexpr double kTrueIntercept = 1.0;
constexpr double kTrueSlope = 0.5;
constexpr double kNoiseSd = 0.5;
constexpr int kRows = 100;
constexpr int kOutliers = 5;  // at high x (leverage), 12 below the line: 24 noise sds

// "x,y" rows, printed to 6 decimals: the text of data.csv.
inline std::string simulate_csv(std::uint64_t seed = 20240607) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> x_dist(0.0, 10.0);
  std::uniform_real_distribution<double> x_outlier(8.0, 10.0);
  std::normal_distribution<double> noise(0.0, kNoiseSd);
  std::string csv = "x,y\n";
  char line[64];
  for (int i = 0; i < kRows; ++i) {
    const bool outlier = i % (kRows / kOutliers) == kRows / kOutliers - 1;  // every 20th row
    const double x = outlier ? x_outlier(rng) : x_dist(rng);
    const double y = kTrueIntercept + kTrueSlope * x + noise(rng) - (outlier ? 12.0 : 0.0);
    std::snprintf(line, sizeof line, "%.6f,%.6f\n", x, y);
    csv += line;
  }
  return csv;
}

// Writes simulate_csv() to `path` unless the file is there already; returns whether it wrote.
inline bool ensure_data(const std::string& path) {
  if (std::ifstream(path)) return false;
  std::ofstream out(path);
  out << simulate_csv();
  if (!out) throw std::runtime_error("cannot write " + path);
  return true;
}

// The same experiment with least squares in place of the t family (for the comparison).
inline models::ExperimentConfig with_gaussian(models::ExperimentConfig config) {
  config.name += "-least-squares";
  config.likelihood.type = "gaussian";
  config.likelihood.options = {{"family", "gaussian"}};  // sigma learned
  return config;
}

}  // namespace examples::custom_student_t_regression
