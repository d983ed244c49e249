#!/usr/bin/env Rscript
# Reference results for tapegrad's maximum-likelihood fits, computed with R.
#
# Usage:
#   Rscript tests/models/r_reference.R                      # print the numbers
#   Rscript tests/models/r_reference.R examples/data        # ... and write the CSVs there
#   Rscript tests/models/r_reference.R examples/data tests/models/r_reference.hpp
#                                                           # ... and (re)write the C++ header
# Pass "-" as the data directory to skip writing the CSVs but still write the header.
#
# Needs only base R and the recommended package nnet.
#
# Fits (parameter order everywhere: intercept first, then features in formula order):
#   a. Gaussian    lm(mpg ~ wt + hp, mtcars)
#   b. Bernoulli   glm(am ~ wt + hp, binomial, mtcars)
#   c. Categorical multinom(Species ~ Sepal.Length, iris), reference class setosa;
#                  order: versicolor (Intercept), versicolor Sepal.Length,
#                         virginica (Intercept), virginica Sepal.Length.
#                  nnet's estimates are polished with Newton iterations on the exact
#                  multinomial log-likelihood (analytic gradient and Hessian), and the
#                  SEs are sqrt(diag(solve(-Hessian))) at the polished estimates.
#   d. Poisson     glm(breaks ~ wool + tension, poisson, warpbreaks)
#
# Note: lm's standard errors use sigma^2 = RSS/(n-p); the MLE's use sigma^2_MLE = RSS/n,
# i.e. lm's SEs times sqrt((n-p)/n).  The SE of sigma_MLE itself is sigma_MLE/sqrt(2n).

suppressPackageStartupMessages(library(nnet))

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1 && args[1] != "-") args[1] else NA_character_
header_path <- if (length(args) >= 2) args[2] else NA_character_

f17 <- function(x) sprintf("%.17g", x)
show <- function(name, x) {
  cat(sprintf("%-34s %s\n", name, paste(f17(x), collapse = "  ")))
}

# ---------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------
mtcars_num <- mtcars[, c("mpg", "cyl", "disp", "hp", "drat", "wt", "qsec",
                         "vs", "am", "gear", "carb")]
rownames(mtcars_num) <- NULL

iris_df <- data.frame(Sepal.Length = iris$Sepal.Length,
                      Sepal.Width = iris$Sepal.Width,
                      Petal.Length = iris$Petal.Length,
                      Petal.Width = iris$Petal.Width,
                      Species = as.character(iris$Species),
                      stringsAsFactors = FALSE)

wb_mm <- model.matrix(~ wool + tension, warpbreaks)
warp_df <- data.frame(breaks = warpbreaks$breaks,
                      woolB = unname(wb_mm[, "woolB"]),
                      tensionM = unname(wb_mm[, "tensionM"]),
                      tensionH = unname(wb_mm[, "tensionH"]))

# Completely separable logistic data: 40 points, classes split by the line x1 + x2 = 0,
# with points closer than 0.25 to the line dropped (drawn until 40 are kept) so that the
# separation survives rounding and is unambiguous.
set.seed(1)
sep_n <- 40
x1 <- numeric(0); x2 <- numeric(0)
while (length(x1) < sep_n) {
  a <- round(rnorm(1), 4); b <- round(rnorm(1), 4)
  if (abs(a + b) >= 0.25) { x1 <- c(x1, a); x2 <- c(x2, b) }
}
separable_df <- data.frame(x1 = x1, x2 = x2, y = as.integer(x1 + x2 > 0))
stopifnot(all(separable_df$y[separable_df$x1 + separable_df$x2 > 0] == 1),
          all(separable_df$y[separable_df$x1 + separable_df$x2 < 0] == 0),
          sum(separable_df$y) > 5, sum(1 - separable_df$y) > 5)

if (!is.na(out_dir)) {
  dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
  # write.table writes doubles at full (round-trip) precision.
  write.csv(mtcars_num, file.path(out_dir, "mtcars.csv"), row.names = FALSE)
  write.csv(iris_df, file.path(out_dir, "iris.csv"), row.names = FALSE)
  write.csv(warp_df, file.path(out_dir, "warpbreaks.csv"), row.names = FALSE)
  write.csv(separable_df, file.path(out_dir, "separable.csv"), row.names = FALSE)
  cat("wrote CSVs to", out_dir, "\n")
}

cat(R.version.string, "\n\n")

# ---------------------------------------------------------------------------
# a. Gaussian: lm(mpg ~ wt + hp, mtcars)
# ---------------------------------------------------------------------------
g_fit <- lm(mpg ~ wt + hp, data = mtcars)
g_n <- nobs(g_fit)
g_p <- length(coef(g_fit))
g_rss <- sum(residuals(g_fit)^2)
g_coef <- unname(coef(g_fit))
g_se_lm <- unname(sqrt(diag(vcov(g_fit))))
g_se_mle <- g_se_lm * sqrt((g_n - g_p) / g_n)
g_sigma_lm <- sqrt(g_rss / (g_n - g_p))
g_sigma_mle <- sqrt(g_rss / g_n)
g_sigma_mle_se <- g_sigma_mle / sqrt(2 * g_n)
g_ll <- as.numeric(logLik(g_fit))
g_df <- attr(logLik(g_fit), "df")
g_aic <- AIC(g_fit)
g_bic <- BIC(g_fit)
# Cross-check the MLE SEs from first principles: sigma^2_MLE * (X'X)^-1.
g_X <- model.matrix(g_fit)
stopifnot(max(abs(sqrt(diag(g_sigma_mle^2 * solve(crossprod(g_X)))) - g_se_mle)) < 1e-12)
stopifnot(abs(g_ll - sum(dnorm(mtcars$mpg, fitted(g_fit), g_sigma_mle, log = TRUE))) < 1e-10)

cat("== a. Gaussian: lm(mpg ~ wt + hp, mtcars) ==\n")
show("n", g_n)
show("coef (Intercept, wt, hp)", g_coef)
show("se_lm  (RSS/(n-p))", g_se_lm)
show("se_mle (RSS/n)", g_se_mle)
show("rss", g_rss)
show("sigma_lm = sqrt(RSS/(n-p))", g_sigma_lm)
show("sigma_mle = sqrt(RSS/n)", g_sigma_mle)
show("se(sigma_mle) = sigma/sqrt(2n)", g_sigma_mle_se)
show("logLik", g_ll)
show("logLik df", g_df)
show("AIC", g_aic)
show("BIC", g_bic)
cat("\n")

# ---------------------------------------------------------------------------
# b. Bernoulli: glm(am ~ wt + hp, binomial, mtcars)
# ---------------------------------------------------------------------------
ctl <- glm.control(epsilon = 1e-15, maxit = 100)
b_fit <- glm(am ~ wt + hp, family = binomial, data = mtcars, control = ctl)
stopifnot(b_fit$converged)
b_tab <- coef(summary(b_fit))
b_n <- nobs(b_fit)
b_coef <- unname(b_tab[, 1])
b_se <- unname(b_tab[, 2])
b_z <- unname(b_tab[, 3])
b_pv <- unname(b_tab[, 4])
b_ll <- as.numeric(logLik(b_fit))
b_aic <- AIC(b_fit)
b_bic <- BIC(b_fit)
b_X <- model.matrix(b_fit)
b_grad <- crossprod(b_X, mtcars$am - fitted(b_fit))

cat("== b. Bernoulli: glm(am ~ wt + hp, binomial, mtcars) ==\n")
show("n", b_n)
show("iterations", b_fit$iter)
show("coef (Intercept, wt, hp)", b_coef)
show("se", b_se)
show("z", b_z)
show("p (two-sided normal)", b_pv)
show("logLik", b_ll)
show("AIC", b_aic)
show("BIC", b_bic)
show("max |score| at estimate", max(abs(b_grad)))
cat("\n")

# ---------------------------------------------------------------------------
# c. Categorical: multinom(Species ~ Sepal.Length, iris), reference setosa
# ---------------------------------------------------------------------------
m_fit <- multinom(Species ~ Sepal.Length, data = iris, maxit = 10000,
                  reltol = 1e-16, abstol = 1e-300, Hess = TRUE, trace = FALSE)
m_n <- nrow(iris)
# theta order: versicolor (Int), versicolor slope, virginica (Int), virginica slope
m_theta_nnet <- as.vector(t(coef(m_fit)))
m_se_nnet <- unname(as.vector(t(summary(m_fit)$standard.errors)))
m_ll_nnet <- as.numeric(logLik(m_fit))

m_X <- cbind(1, iris$Sepal.Length)
m_Y <- cbind(iris$Species == "versicolor", iris$Species == "virginica") * 1
K <- ncol(m_Y); P <- ncol(m_X)

m_loglik <- function(theta) {
  B <- matrix(theta, nrow = P)              # column k = coefficients of class k
  eta <- m_X %*% B
  m <- pmax(apply(eta, 1, max), 0)
  lse <- m + log(exp(-m) + rowSums(exp(eta - m)))
  sum(m_Y * eta) - sum(lse)
}
m_probs <- function(theta) {
  B <- matrix(theta, nrow = P)
  eta <- m_X %*% B
  m <- pmax(apply(eta, 1, max), 0)
  e <- exp(eta - m)
  e / (exp(-m) + rowSums(e))
}
m_grad <- function(theta) {
  pr <- m_probs(theta)
  as.vector(crossprod(m_X, m_Y - pr))       # stacked class by class
}
m_hess <- function(theta) {
  pr <- m_probs(theta)
  H <- matrix(0, K * P, K * P)
  for (k in 1:K) for (l in 1:K) {
    w <- pr[, k] * ((k == l) - pr[, l])
    H[(k - 1) * P + 1:P, (l - 1) * P + 1:P] <- -crossprod(m_X, w * m_X)
  }
  H
}

# Check analytic gradient against a central difference at nnet's estimate.
num_grad <- sapply(seq_along(m_theta_nnet), function(j) {
  h <- 1e-6; e <- replace(numeric(length(m_theta_nnet)), j, h)
  (m_loglik(m_theta_nnet + e) - m_loglik(m_theta_nnet - e)) / (2 * h)
})
stopifnot(max(abs(num_grad - m_grad(m_theta_nnet))) < 1e-4)

# Newton polishing.
# Iterate until a Newton step no longer shrinks (i.e. it is at rounding level), and keep
# the iterate with the smallest score (the last steps are rounding noise, ~1e-12).
theta <- m_theta_nnet
best <- theta; best_g <- max(abs(m_grad(theta)))
m_newton_steps <- numeric(0)
for (it in 1:50) {
  step <- -solve(m_hess(theta), m_grad(theta))
  m_newton_steps <- c(m_newton_steps, max(abs(step)))
  theta <- theta + step
  g <- max(abs(m_grad(theta)))
  if (g < best_g) { best <- theta; best_g <- g }
  if (it >= 3 && m_newton_steps[it] >= m_newton_steps[it - 1]) break
}
m_theta <- best
m_newton_iter <- it
# Second opinion: BFGS from nnet's estimate with the analytic gradient.
m_bfgs <- optim(m_theta_nnet, function(t) -m_loglik(t), function(t) -m_grad(t),
                method = "BFGS", control = list(reltol = 1e-16, maxit = 10000))
m_H <- m_hess(m_theta)
m_se <- sqrt(diag(solve(-m_H)))
m_ll <- m_loglik(m_theta)
m_k <- length(m_theta)
m_aic <- -2 * m_ll + 2 * m_k
m_bic <- -2 * m_ll + log(m_n) * m_k
# nnet's own (exact, information-matrix) Hessian evaluated at the polished estimates,
# as an independent cross-check of the SEs.  Its order is versicolor:(Int),
# versicolor:Sepal.Length, virginica:(Int), virginica:Sepal.Length, same as theta.
m_fit_pol <- m_fit
pr_pol <- m_probs(m_theta)
m_fit_pol$fitted.values <- cbind(1 - rowSums(pr_pol), pr_pol)
m_fit_pol$wts[c(5, 6, 8, 9)] <- m_theta   # wts: per class (unit bias, Int, slope)
stopifnot(max(abs(as.vector(t(coef(m_fit_pol))) - m_theta)) == 0)
m_se_nnet_hess_pol <- unname(sqrt(diag(solve(nnet:::multinomHess(m_fit_pol, m_X)))))

cat("== c. Categorical: multinom(Species ~ Sepal.Length, iris), ref = setosa ==\n")
cat("   order: versicolor(Int), versicolor(Sepal.Length), virginica(Int), virginica(Sepal.Length)\n")
show("n", m_n)
show("nnet convergence code", m_fit$convergence)
show("coef nnet", m_theta_nnet)
show("se   nnet (summary)", m_se_nnet)
show("logLik nnet", m_ll_nnet)
show("max |score| at nnet estimate", max(abs(m_grad(m_theta_nnet))))
show("Newton iterations", m_newton_iter)
show("Newton max |step| per iteration", m_newton_steps)
show("coef polished (Newton)", m_theta)
show("coef polished - nnet", m_theta - m_theta_nnet)
show("max |score| at polished", max(abs(m_grad(m_theta))))
show("est. error |H^-1 score| at polished", max(abs(solve(m_hess(m_theta), m_grad(m_theta)))))
show("coef BFGS - Newton", m_bfgs$par - m_theta)
show("max |score| at BFGS (flat: weak)", max(abs(m_grad(m_bfgs$par))))
show("se polished (exact Hessian)", m_se)
show("se polished - se nnet", m_se - m_se_nnet)
show("se via nnet Hessian at polished", m_se_nnet_hess_pol)
show("logLik polished", m_ll)
show("logLik polished - nnet", m_ll - m_ll_nnet)
show("AIC", m_aic)
show("AIC (R, nnet fit)", AIC(m_fit))
show("BIC", m_bic)
cat("\n")

# ---------------------------------------------------------------------------
# d. Poisson: glm(breaks ~ wool + tension, poisson, warpbreaks)
# ---------------------------------------------------------------------------
p_fit <- glm(breaks ~ wool + tension, family = poisson, data = warpbreaks, control = ctl)
stopifnot(p_fit$converged)
p_tab <- coef(summary(p_fit))
p_n <- nobs(p_fit)
p_coef <- unname(p_tab[, 1])
p_se <- unname(p_tab[, 2])
p_ll <- as.numeric(logLik(p_fit))
p_aic <- AIC(p_fit)
p_bic <- BIC(p_fit)
stopifnot(abs(p_ll - sum(dpois(warpbreaks$breaks, fitted(p_fit), log = TRUE))) < 1e-9)
p_grad <- crossprod(model.matrix(p_fit), warpbreaks$breaks - fitted(p_fit))

cat("== d. Poisson: glm(breaks ~ wool + tension, poisson, warpbreaks) ==\n")
show("n", p_n)
show("iterations", p_fit$iter)
show("coef (Int, woolB, tensionM, tensionH)", p_coef)
show("se", p_se)
show("logLik (incl. -sum log y!)", p_ll)
show("sum lfactorial(y)", sum(lfactorial(warpbreaks$breaks)))
show("AIC", p_aic)
show("BIC", p_bic)
show("max |score| at estimate", max(abs(p_grad)))
cat("\n")

# ---------------------------------------------------------------------------
# Optional: write the C++ header with these numbers.
# ---------------------------------------------------------------------------
if (!is.na(header_path)) {
  L <- character(0)
  add <- function(...) L <<- c(L, paste0(...))
  arr <- function(name, x, comment = NULL) {
    if (!is.null(comment)) add("// ", comment)
    add(sprintf("inline constexpr double %s[%d] = {", name, length(x)))
    add(paste0("    ", f17(x), ifelse(seq_along(x) < length(x), ",", ""), collapse = "\n"))
    add("};")
  }
  val <- function(name, x, comment = NULL, type = "double") {
    if (!is.null(comment)) add("// ", comment)
    v <- if (type == "double") f17(x) else sprintf("%d", as.integer(x))
    add(sprintf("inline constexpr %s %s = %s;", type, name, v))
  }
  rv <- R.version.string
  add("#pragma once")
  add("")
  add("// Reference results recorded from R. These numbers are FACTS produced by")
  add("//   ", rv, " (nnet ", as.character(packageVersion("nnet")), ")")
  add("// by the script tests/models/r_reference.R, run as")
  add("//   Rscript tests/models/r_reference.R examples/data tests/models/r_reference.hpp")
  add("// Do not edit by hand; re-run the script instead. Values printed with %.17g.")
  add("//")
  add("// Data: examples/data/{mtcars,iris,warpbreaks}.csv (exported by the same script).")
  add("// examples/data/separable.csv (same script, set.seed(1)) is completely separated by the")
  add("// line x1 + x2 = 0 (y = 1 above it), so it has no finite MLE and no reference numbers here.")
  add("// Parameter order everywhere: intercept first, then the features in formula order.")
  add("//")
  add("// Standard errors: lm's SEs use sigma^2 = RSS/(n-p) (the unbiased estimate); the")
  add("// maximum-likelihood SEs use sigma^2_MLE = RSS/n, i.e. se_mle = se_lm * sqrt((n-p)/n).")
  add("// The MLE SE of sigma_MLE itself is sigma_MLE / sqrt(2n) (inverse Fisher information).")
  add("// logLik values are the full log-likelihoods as R's logLik() reports them (Gaussian:")
  add("// with the 2*pi and sigma terms, df = 4 counting sigma; Poisson: including -sum log(y!)).")
  add("// AIC = -2 logLik + 2 df, BIC = -2 logLik + log(n) df.")
  add("")
  add("namespace tapegrad::models::r_reference {")
  add("")
  add("// ---- a. Gaussian: lm(mpg ~ wt + hp, data = mtcars) -------------------------")
  add("// order: (Intercept), wt, hp")
  add("namespace gaussian_mtcars {")
  val("n", g_n, type = "int")
  val("num_coefficients", g_p, "number of regression coefficients p (sigma not counted)", type = "int")
  arr("coefficients", g_coef)
  arr("se_lm", g_se_lm, "lm's standard errors: sigma^2 = RSS/(n-p)")
  arr("se_mle", g_se_mle, "MLE standard errors: sigma^2_MLE = RSS/n (= se_lm * sqrt((n-p)/n))")
  val("rss", g_rss, "residual sum of squares")
  val("sigma_lm", g_sigma_lm, "sqrt(RSS/(n-p)), lm's residual standard error")
  val("sigma_mle", g_sigma_mle, "sqrt(RSS/n), the maximum-likelihood sigma")
  val("sigma_mle_se", g_sigma_mle_se, "MLE standard error of sigma_mle = sigma_mle / sqrt(2n)")
  val("loglik", g_ll, "logLik(fit), full Gaussian log-likelihood at sigma_mle")
  val("loglik_df", g_df, "df of logLik(fit): 3 coefficients + sigma", type = "int")
  val("aic", g_aic)
  val("bic", g_bic)
  add("}  // namespace gaussian_mtcars")
  add("")
  add("// ---- b. Bernoulli: glm(am ~ wt + hp, family = binomial, data = mtcars) -----")
  add("// order: (Intercept), wt, hp. glm.control(epsilon = 1e-15, maxit = 100).")
  add("namespace bernoulli_mtcars {")
  val("n", b_n, type = "int")
  arr("coefficients", b_coef)
  arr("se", b_se, "sqrt(diag(inverse Fisher information)) (dispersion fixed at 1)")
  arr("z", b_z, "Wald z = coefficient / se")
  arr("p_value", b_pv, "two-sided normal p-values, 2 * pnorm(-|z|)")
  val("loglik", b_ll)
  val("loglik_df", length(b_coef), type = "int")
  val("aic", b_aic)
  val("bic", b_bic)
  add("}  // namespace bernoulli_mtcars")
  add("")
  add("// ---- c. Categorical: nnet::multinom(Species ~ Sepal.Length, data = iris) ---")
  add("// Reference class: setosa. Parameter order (exactly):")
  add("//   [0] versicolor (Intercept), [1] versicolor Sepal.Length,")
  add("//   [2] virginica  (Intercept), [3] virginica  Sepal.Length.")
  add("// multinom(maxit = 10000, reltol = 1e-16, abstol = 1e-300, Hess = TRUE), then polished")
  add("// by Newton iterations on the exact multinomial log-likelihood (analytic gradient and")
  add("// Hessian). SEs = sqrt(diag(solve(-Hessian))) at the polished estimates, which is what")
  add("// summary(multinom) reports (it inverts nnet's exact Hessian).")
  add(sprintf("// Polishing moved the estimates by at most %.2g (max |change|); the nnet", max(abs(m_theta - m_theta_nnet))))
  add(sprintf("// SEs differ from the polished ones by at most %.2g. At the polished estimates the", max(abs(m_se - m_se_nnet))))
  add(sprintf("// max |score| is %.2g and the Newton error estimate max |H^-1 score| is %.2g.",
              max(abs(m_grad(m_theta))), max(abs(solve(m_hess(m_theta), m_grad(m_theta))))))
  add("namespace categorical_iris {")
  val("n", m_n, type = "int")
  val("num_classes", 3, type = "int")
  arr("coefficients", m_theta)
  arr("se", m_se)
  arr("coefficients_nnet_unpolished", m_theta_nnet, "multinom's own estimates before polishing (for reference)")
  arr("se_nnet_unpolished", m_se_nnet, "summary(multinom)$standard.errors before polishing")
  val("loglik", m_ll)
  val("loglik_df", m_k, type = "int")
  val("aic", m_aic)
  val("bic", m_bic)
  add("}  // namespace categorical_iris")
  add("")
  add("// ---- d. Poisson: glm(breaks ~ wool + tension, family = poisson, data = warpbreaks)")
  add("// order: (Intercept), woolB, tensionM, tensionH (treatment coding, as in warpbreaks.csv)")
  add("namespace poisson_warpbreaks {")
  val("n", p_n, type = "int")
  arr("coefficients", p_coef)
  arr("se", p_se)
  val("loglik", p_ll, "full log-likelihood, including -sum(log(y!))")
  val("sum_log_factorial_y", sum(lfactorial(warpbreaks$breaks)), "sum(lfactorial(breaks)), to compare kernels without log(y!)")
  val("loglik_df", length(p_coef), type = "int")
  val("aic", p_aic)
  val("bic", p_bic)
  add("}  // namespace poisson_warpbreaks")
  add("")
  add("}  // namespace tapegrad::models::r_reference")
  writeLines(L, header_path)
  cat("wrote", header_path, "\n")
}
