// A heteroscedastic Gaussian regression written by hand (custom_heteroscedastic_gaussian.hpp):
// the mean a + b x and the log noise level c + d x are both linear in x. Fitted by maximum
// likelihood (L-BFGS on the tape's exact gradient), standard errors from the inverse of the
// tape's exact Hessian, the gradient proved against finite differences.
//
//   build/examples/custom_heteroscedastic_gaussian      (exit status 1 if the fit or a check fails)

#include <cstdio>
#include <iostream>

#include "custom_heteroscedastic_gaussian/custom_heteroscedastic_gaussian.hpp"

namespace ex = examples::custom_heteroscedastic_gaussian;

int main() {
  const ex::Data data = ex::simulate();  // n = 2000
  // The check differentiates the log-likelihood itself, a total over the rows. Each row is
  // judged against the finite difference's own error, so the total, the mean and the MLE (where
  // the gradient is ~0) are all judged alike.
  auto loglik = [&](const auto& theta) { return ex::log_likelihood(theta, data); };

  const Eigen::VectorXd start = ex::naive_start(data);
  const tapegrad::models::IidFit fit = ex::fit(data, start);
  std::printf("heteroscedastic Gaussian regression, n = %zu\n", data.x.size());
  std::printf("%s\n\n", fit.optimizer.message.c_str());

  const char* names[] = {"a", "b", "c", "d"};
  std::printf("%-4s %10s %12s %12s %9s %14s\n", "", "true", "estimate", "std. error", "z value", "(est-true)/se");
  for (int j = 0; j < 4; ++j) {
    const double truth = ex::true_theta()[j];
    std::printf("%-4s %10.3f %12.6f %12.6f %9.2f %14.2f\n", names[j], truth, fit.estimate[j], fit.std_error[j],
                fit.estimate[j] / fit.std_error[j], (fit.estimate[j] - truth) / fit.std_error[j]);
  }
  std::printf("(mean: a + b x; log sigma: c + d x)\n\n");

  tapegrad::CheckOptions options;
  options.names = {"a", "b", "c", "d"};
  const tapegrad::CheckReport at_start = tapegrad::check_gradient(loglik, start, options);
  const tapegrad::CheckReport at_estimate = tapegrad::check_gradient(loglik, fit.estimate, options);
  std::cout << "gradient of log L against finite differences, at the start:\n" << at_start << "\n";
  std::cout << "at the estimate, where the gradient is ~0:\n" << at_estimate;

  const bool ok = fit.succeeded() && at_start.passed && at_estimate.passed;
  return ok ? 0 : 1;
}
