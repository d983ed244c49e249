#pragma once
// NIST StRD nonlinear regression problems (tests/data/nist): the .dat reader, each problem's
// model written once (generic in the scalar type), and a fit as a Gaussian likelihood with the
// model as its mean and sigma = exp(log_sigma) free, by fit_iid. Shared by the test and the
// table program (bench/nist_table.cpp).
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tapegrad/autodiff.hpp"
#include "tapegrad/models/iid_likelihood.hpp"

namespace tapegrad::testing::nist {

// The ten problems shipped (file names without .dat).
inline const std::vector<std::string>& problem_names() {
  static const std::vector<std::string> names = {"Misra1a", "Chwirut2", "Lanczos3", "DanWood", "Kirby2",
                                                 "MGH17",   "ENSO",     "MGH09",    "Thurber", "BoxBOD"};
  return names;
}

struct Problem {
  std::string name;
  std::vector<double> start1, start2, certified, certified_sd;
  double certified_rss = 0;
  std::vector<double> y, x;
};

// Reads a NIST .dat file: the parameter lines "b1 = start1 start2 certified sd", the residual
// sum of squares, and the data from the line the header's "Data (lines A to B)" gives.
inline Problem read_problem(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  Problem p;
  p.name = name;
  const std::regex parameter(R"(^\s*b(\d+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$)");
  const std::regex rss(R"(^Residual Sum of Squares:\s+(\S+))");
  const std::regex data_lines(R"(^\s+Data\s+\(lines\s+(\d+)\s+to\s+(\d+)\))");
  std::size_t first = 0, last = 0;
  for (const std::string& line : lines) {
    std::smatch m;
    if (std::regex_search(line, m, parameter)) {
      p.start1.push_back(std::stod(m[2]));
      p.start2.push_back(std::stod(m[3]));
      p.certified.push_back(std::stod(m[4]));
      p.certified_sd.push_back(std::stod(m[5]));
    } else if (std::regex_search(line, m, rss)) {
      p.certified_rss = std::stod(m[1]);
    } else if (first == 0 && std::regex_search(line, m, data_lines)) {
      first = std::stoul(m[1]);
      last = std::stoul(m[2]);
    }
  }
  if (p.certified.empty() || first == 0 || last > lines.size()) throw std::runtime_error(path + ": not a NIST StRD file");
  for (std::size_t i = first; i <= last; ++i) {
    std::istringstream row(lines[i - 1]);
    double y = 0, x = 0;
    if (!(row >> y >> x)) throw std::runtime_error(path + ":" + std::to_string(i) + ": expected y and x");
    p.y.push_back(y);
    p.x.push_back(x);
  }
  return p;
}

// The model's mean at x, as each file states it. T is double, Var or HVar.
template <class T>
T mean(const std::string& name, const std::vector<T>& b, double x) {
  using std::cos;
  using std::exp;
  using std::pow;
  using std::sin;
  using tapegrad::cos;
  using tapegrad::exp;
  using tapegrad::sin;
  const double pi = 3.14159265358979323846;
  if (name == "Misra1a" || name == "BoxBOD") return b[0] * (1 - exp(-b[1] * x));
  if (name == "Chwirut2") return exp(-b[0] * x) / (b[1] + b[2] * x);
  if (name == "Lanczos3") return b[0] * exp(-b[1] * x) + b[2] * exp(-b[3] * x) + b[4] * exp(-b[5] * x);
  if (name == "DanWood") return b[0] * exp(b[1] * std::log(x));  // b1 x^b2, x > 0
  if (name == "Kirby2") return (b[0] + b[1] * x + b[2] * x * x) / (1 + b[3] * x + b[4] * x * x);
  if (name == "MGH17") return b[0] + b[1] * exp(-x * b[3]) + b[2] * exp(-x * b[4]);
  if (name == "ENSO")
    return b[0] + b[1] * std::cos(2 * pi * x / 12) + b[2] * std::sin(2 * pi * x / 12) + b[4] * cos(2 * pi * x / b[3]) +
           b[5] * sin(2 * pi * x / b[3]) + b[7] * cos(2 * pi * x / b[6]) + b[8] * sin(2 * pi * x / b[6]);
  if (name == "MGH09") return b[0] * (x * x + x * b[1]) / (x * x + x * b[2] + b[3]);
  if (name == "Thurber")
    return (b[0] + b[1] * x + b[2] * x * x + b[3] * x * x * x) / (1 + b[4] * x + b[5] * x * x + b[6] * x * x * x);
  throw std::invalid_argument("no model for NIST problem " + name);
}

inline double residual_sum_of_squares(const Problem& p, const std::vector<double>& b) {
  double rss = 0;
  for (std::size_t i = 0; i < p.y.size(); ++i) rss += std::pow(p.y[i] - mean(p.name, b, p.x[i]), 2);
  return rss;
}

// Log relative error: the number of digits agreeing with the certified value (11 at most).
inline double lre(double estimate, double certified) {
  const double error = std::abs(estimate - certified) / std::abs(certified);
  if (!std::isfinite(estimate)) return 0;
  return error == 0 ? 11.0 : std::clamp(-std::log10(error), 0.0, 11.0);
}

struct Run {
  tapegrad::models::IidFit fit;
  double worst_lre = 0;  // over the parameters b (sigma has no certified value of its own)
  double rss_lre = 0;
};

// theta = (b..., log_sigma), log p(y_i) = normal_lpdf(y_i, mean(x_i, b), exp(log_sigma)); the start
// is NIST's b with log_sigma = log sqrt(RSS(b) / n) there.
inline Run fit(const Problem& p, const std::vector<double>& start, const tapegrad::models::OptimizerOptions& options) {
  const std::size_t k = start.size(), n = p.y.size();
  Eigen::VectorXd theta0(static_cast<Eigen::Index>(k + 1));
  for (std::size_t j = 0; j < k; ++j) theta0[static_cast<Eigen::Index>(j)] = start[j];
  theta0[static_cast<Eigen::Index>(k)] = 0.5 * std::log(residual_sum_of_squares(p, start) / static_cast<double>(n));
  const std::string name = p.name;
  auto log_density = [&p, name, k](const auto& theta, std::size_t i) {
    using T = std::decay_t<decltype(theta[0])>;
    using std::exp;
    using tapegrad::exp;
    const std::vector<T> b(theta.begin(), theta.begin() + static_cast<std::ptrdiff_t>(k));
    return tapegrad::normal_lpdf(p.y[i], mean(name, b, p.x[i]), exp(theta[k]));
  };
  Run run;
  run.fit = tapegrad::models::fit_iid(log_density, n, theta0, options);
  std::vector<double> b(k);
  run.worst_lre = 11;
  for (std::size_t j = 0; j < k; ++j) {
    b[j] = run.fit.estimate[static_cast<Eigen::Index>(j)];
    run.worst_lre = std::min(run.worst_lre, lre(b[j], p.certified[j]));
  }
  run.rss_lre = lre(residual_sum_of_squares(p, b), p.certified_rss);
  return run;
}

}  // namespace tapegrad::testing::nist
