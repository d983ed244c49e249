// Fits a config through the installed library and checks an exact gradient: exit 0 when both work.
#include <cmath>
#include <iostream>
#include <tapegrad/autodiff.hpp>
#include <tapegrad/models/experiment.hpp>
#include <tapegrad/models/fit.hpp>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto experiment = tapegrad::models::load_experiment(tapegrad::models::load_config(argv[1]));
  const auto results = tapegrad::models::fit(experiment);
  const auto [value, gradient] = tapegrad::gradient([](const auto& x) { return x[0] * x[0]; }, Eigen::VectorXd::Ones(1));
  std::cout << results.parameters[1].name << " = " << results.parameters[1].value << "\n";
  return results.succeeded() && std::abs(gradient[0] - 2) < 1e-15 && value == 1 ? 0 : 1;
}
