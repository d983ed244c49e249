// A Poisson regression log-likelihood written by hand (custom_poisson_regression.hpp: a loop
// over observations, generic in T), fitted by maximum likelihood: L-BFGS on the tape's exact
// gradient, standard errors from the inverse of the tape's exact Hessian, and the gradient
// proved against finite differences at the start and at the estimate.
//
//   build/examples/custom_poisson_regression      (exit status 1 if the fit or a check fails)

#include <cmath>
#include <cstdio>
#include <iostream>

#include "custom_poisson_regression/custom_poisson_regression.hpp"

namespace ex = examples::custom_poisson_regression;

int main() {
  const ex::Data data = ex::simulate();  // n = 400, true a = 0.5, b = 0.8
  // The check differentiates the log-likelihood itself, a total over the rows. Each row is
  // judged against the finite difference's own error, so the total, the mean and the MLE (where
  // the gradient is ~0) are all judged alike.
  auto loglik = [&](const auto& theta) { return ex::log_likelihood(theta, data); };

  const Eigen::VectorXd start = Eigen::VectorXd::Zero(2);
  const tapegrad::models::IidFit fit = ex::fit(data, start);
  std::printf("Poisson regression, n = %zu (true a = 0.5, b = 0.8)\n", data.x.size());
  std::printf("%s\n\n", fit.optimizer.message.c_str());

  const char* names[] = {"a", "b"};
  std::printf("%-4s %12s %12s %9s\n", "", "estimate", "std. error", "z value");
  for (int j = 0; j < 2; ++j) {
    std::printf("%-4s %12.6f %12.6f %9.2f\n", names[j], fit.estimate[j], fit.std_error[j],
                fit.estimate[j] / fit.std_error[j]);
  }
  std::printf("log-likelihood %.6f   AIC %.4f   BIC %.4f\n\n", fit.log_likelihood, fit.aic, fit.bic);

  tapegrad::CheckOptions options;
  options.names = {"a", "b"};
  const tapegrad::CheckReport at_start = tapegrad::check_gradient(loglik, start, options);
  const tapegrad::CheckReport at_estimate = tapegrad::check_gradient(loglik, fit.estimate, options);
  std::cout << "gradient of log L against finite differences, at the start (0, 0):\n" << at_start << "\n";
  std::cout << "at the estimate, where the gradient is ~0:\n" << at_estimate;

  const bool ok = fit.succeeded() && at_start.passed && at_estimate.passed;
  return ok ? 0 : 1;
}
