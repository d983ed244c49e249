#pragma once

// Reference results recorded from R. These numbers are FACTS produced by
//   R version 4.2.2 Patched (2022-11-10 r83330) (nnet 7.3.18)
// by the script tests/models/r_reference.R, run as
//   Rscript tests/models/r_reference.R examples/data tests/models/r_reference.hpp
// Do not edit by hand; re-run the script instead. Values printed with %.17g.
//
// Data: examples/data/{mtcars,iris,warpbreaks}.csv (exported by the same script).
// examples/data/separable.csv (same script, set.seed(1)) is completely separated by the
// line x1 + x2 = 0 (y = 1 above it), so it has no finite MLE and no reference numbers here.
// Parameter order everywhere: intercept first, then the features in formula order.
//
// Standard errors: lm's SEs use sigma^2 = RSS/(n-p) (the unbiased estimate); the
// maximum-likelihood SEs use sigma^2_MLE = RSS/n, i.e. se_mle = se_lm * sqrt((n-p)/n).
// The MLE SE of sigma_MLE itself is sigma_MLE / sqrt(2n) (inverse Fisher information).
// logLik values are the full log-likelihoods as R's logLik() reports them (Gaussian:
// with the 2*pi and sigma terms, df = 4 counting sigma; Poisson: including -sum log(y!)).
// AIC = -2 logLik + 2 df, BIC = -2 logLik + log(n) df.

namespace tapegrad::models::r_reference {

// ---- a. Gaussian: lm(mpg ~ wt + hp, data = mtcars) -------------------------
// order: (Intercept), wt, hp
namespace gaussian_mtcars {
inline constexpr int n = 32;
// number of regression coefficients p (sigma not counted)
inline constexpr int num_coefficients = 3;
inline constexpr double coefficients[3] = {
    37.227270116447201,
    -3.8778307424046821,
    -0.031772946982161002
};
// lm's standard errors: sigma^2 = RSS/(n-p)
inline constexpr double se_lm[3] = {
    1.5987875379993941,
    0.63273349437739523,
    0.0090297096758557224
};
// MLE standard errors: sigma^2_MLE = RSS/n (= se_lm * sqrt((n-p)/n))
inline constexpr double se_mle[3] = {
    1.5220003917357696,
    0.60234434120733238,
    0.0085960275128926407
};
// residual sum of squares
inline constexpr double rss = 195.04775474146638;
// sqrt(RSS/(n-p)), lm's residual standard error
inline constexpr double sigma_lm = 2.5934117772265668;
// sqrt(RSS/n), the maximum-likelihood sigma
inline constexpr double sigma_mle = 2.4688544581791012;
// MLE standard error of sigma_mle = sigma_mle / sqrt(2n)
inline constexpr double sigma_mle_se = 0.30860680727238765;
// logLik(fit), full Gaussian log-likelihood at sigma_mle
inline constexpr double loglik = -74.326169412820661;
// df of logLik(fit): 3 coefficients + sigma
inline constexpr int loglik_df = 4;
inline constexpr double aic = 156.65233882564132;
inline constexpr double bic = 162.51528243684024;
}  // namespace gaussian_mtcars

// ---- b. Bernoulli: glm(am ~ wt + hp, family = binomial, data = mtcars) -----
// order: (Intercept), wt, hp. glm.control(epsilon = 1e-15, maxit = 100).
namespace bernoulli_mtcars {
inline constexpr int n = 32;
inline constexpr double coefficients[3] = {
    18.866298717204096,
    -8.0834751824446283,
    0.036255596082216547
};
// sqrt(diag(inverse Fisher information)) (dispersion fixed at 1)
inline constexpr double se[3] = {
    7.443558060205274,
    3.0686751130546961,
    0.017734153650769347
};
// Wald z = coefficient / se
inline constexpr double z[3] = {
    2.5345807159169,
    -2.6341906147236216,
    2.0443939302760974
};
// two-sided normal p-values, 2 * pnorm(-|z|)
inline constexpr double p_value[3] = {
    0.011258198716613689,
    0.0084338125997070225,
    0.040914646459029938
};
inline constexpr double loglik = -5.0295552361334934;
inline constexpr int loglik_df = 3;
inline constexpr double aic = 16.059110472266987;
inline constexpr double bic = 20.456318180666166;
}  // namespace bernoulli_mtcars

// ---- c. Categorical: nnet::multinom(Species ~ Sepal.Length, data = iris) ---
// Reference class: setosa. Parameter order (exactly):
//   [0] versicolor (Intercept), [1] versicolor Sepal.Length,
//   [2] virginica  (Intercept), [3] virginica  Sepal.Length.
// multinom(maxit = 10000, reltol = 1e-16, abstol = 1e-300, Hess = TRUE), then polished
// by Newton iterations on the exact multinomial log-likelihood (analytic gradient and
// Hessian). SEs = sqrt(diag(solve(-Hessian))) at the polished estimates, which is what
// summary(multinom) reports (it inverts nnet's exact Hessian).
// Polishing moved the estimates by at most 5.9e-07 (max |change|); the nnet
// SEs differ from the polished ones by at most 9.8e-08. At the polished estimates the
// max |score| is 2e-13 and the Newton error estimate max |H^-1 score| is 6.3e-13.
namespace categorical_iris {
inline constexpr int n = 150;
inline constexpr int num_classes = 3;
inline constexpr double coefficients[4] = {
    -26.081936036747877,
    4.8156910935021759,
    -38.759001231518511,
    6.8463985951995161
};
inline constexpr double se[4] = {
    4.8892729150782568,
    0.90683797034713776,
    5.6906751191338634,
    1.0222226576711617
};
// multinom's own estimates before polishing (for reference)
inline constexpr double coefficients_nnet_unpolished[4] = {
    -26.081936446235158,
    4.8156911678606455,
    -38.75900181886454,
    6.846398702017316
};
// summary(multinom)$standard.errors before polishing
inline constexpr double se_nnet_unpolished[4] = {
    4.8892730060942045,
    0.90683798706131002,
    5.6906752166529566,
    1.0222226755382928
};
inline constexpr double loglik = -91.033966394828553;
inline constexpr int loglik_df = 4;
inline constexpr double aic = 190.06793278965711;
inline constexpr double bic = 202.11047396604212;
}  // namespace categorical_iris

// ---- d. Poisson: glm(breaks ~ wool + tension, family = poisson, data = warpbreaks)
// order: (Intercept), woolB, tensionM, tensionH (treatment coding, as in warpbreaks.csv)
namespace poisson_warpbreaks {
inline constexpr int n = 54;
inline constexpr double coefficients[4] = {
    3.6919631449407966,
    -0.2059884426386217,
    -0.3213204316006118,
    -0.5184884965115607
};
inline constexpr double se[4] = {
    0.045410794342557848,
    0.051571242783575215,
    0.060265916695220391,
    0.063959519395746886
};
// full log-likelihood, including -sum(log(y!))
inline constexpr double loglik = -242.52798320897887;
// sum(lfactorial(breaks)), to compare kernels without log(y!)
inline constexpr double sum_log_factorial_y = 3838.9901269896468;
inline constexpr int loglik_df = 4;
inline constexpr double aic = 493.05596641795773;
inline constexpr double bic = 501.01190260421481;
}  // namespace poisson_warpbreaks

}  // namespace tapegrad::models::r_reference
