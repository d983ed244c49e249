#pragma once

// Reference results recorded from R. These numbers are FACTS produced by
//   R version 4.2.2 Patched (2022-11-10 r83330) (MASS 7.3.58.2)
// by the script tests/models/r_boston.R, run as
//   Rscript tests/models/r_boston.R tests/data/boston/boston.csv tests/models/r_boston.hpp
// Do not edit by hand; re-run the script instead. Values printed with %.17g.
// lm(medv ~ ., data = MASS::Boston): intercept first, then the columns in the CSV's order.
// se_mle = lm's standard errors * sqrt((n - p) / n) (sigma^2 = RSS / n).

namespace tapegrad::models::r_reference::boston {
inline constexpr int n = 506;
inline constexpr int num_coefficients = 14;
inline constexpr double coefficients[14] = {
    36.459488385090204,
    -0.10801135783679608,
    0.046420458366880933,
    0.020558626367069347,
    2.6867338193448775,
    -17.766611228300199,
    3.8098652068092069,
    0.00069222464034473098,
    -1.4755668456002535,
    0.30604947898517154,
    -0.012334593916574245,
    -0.95274723170730014,
    0.0093116832737938932,
    -0.52475837785548984
};
inline constexpr double se_mle[14] = {
    5.032362378570479,
    0.032407150999921093,
    0.013536223879714707,
    0.060638990733442109,
    0.84957706374575737,
    3.7665307475094711,
    0.4121031250300688,
    0.013025756129399707,
    0.19667612499078829,
    0.065422166112931099,
    0.003708148304439482,
    0.12900420456095504,
    0.0026485466872513777,
    0.050008762197301264
};
inline constexpr double rss = 11078.784577954963;
inline constexpr double loglik = -1498.8042970377737;
}  // namespace tapegrad::models::r_reference::boston
