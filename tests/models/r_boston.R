# Reference numbers for MASS's Boston housing data: lm(medv ~ ., data = Boston).
# Run from the project root:
#   Rscript tests/models/r_boston.R tests/data/boston/boston.csv tests/models/r_boston.hpp
# Writes the data (as MASS ships it) and the header of reference numbers (%.17g).
args <- commandArgs(trailingOnly = TRUE)
library(MASS)
write.csv(Boston, args[1], row.names = FALSE, quote = FALSE)
fit <- lm(medv ~ ., data = Boston)
n <- nrow(Boston)
p <- length(coef(fit))
rss <- sum(residuals(fit)^2)
se_lm <- summary(fit)$coefficients[, 2]
se_mle <- se_lm * sqrt((n - p) / n)
num <- function(v) paste(sprintf("    %.17g", v), collapse = ",\n")
out <- c(
  "#pragma once",
  "",
  "// Reference results recorded from R. These numbers are FACTS produced by",
  paste0("//   ", R.version.string, " (MASS ", packageVersion("MASS"), ")"),
  "// by the script tests/models/r_boston.R, run as",
  "//   Rscript tests/models/r_boston.R tests/data/boston/boston.csv tests/models/r_boston.hpp",
  "// Do not edit by hand; re-run the script instead. Values printed with %.17g.",
  "// lm(medv ~ ., data = MASS::Boston): intercept first, then the columns in the CSV's order.",
  "// se_mle = lm's standard errors * sqrt((n - p) / n) (sigma^2 = RSS / n).",
  "",
  "namespace tapegrad::models::r_reference::boston {",
  sprintf("inline constexpr int n = %d;", n),
  sprintf("inline constexpr int num_coefficients = %d;", p),
  sprintf("inline constexpr double coefficients[%d] = {\n%s\n};", p, num(coef(fit))),
  sprintf("inline constexpr double se_mle[%d] = {\n%s\n};", p, num(se_mle)),
  sprintf("inline constexpr double rss = %.17g;", rss),
  sprintf("inline constexpr double loglik = %.17g;", as.numeric(logLik(fit))),
  "}  // namespace tapegrad::models::r_reference::boston"
)
writeLines(out, args[2])
