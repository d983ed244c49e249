// Example 6: MSE on binary classification. A logistic model y_hat = sigmoid(w x + b) trained
// with squared error gets gradient -(y - y_hat) y_hat (1 - y_hat) x, which vanishes when the
// sigmoid saturates; with binary cross-entropy it gets -(y - y_hat) x, which does not.
//
//   ./mse_vs_bce [OUTPUT_DIR]      (plots in OUTPUT_DIR, default runs/mse_vs_bce)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "mse_vs_bce/mse_vs_bce.hpp"
#include "tapegrad/models/plot.hpp"

namespace ex = examples::mse_vs_bce;
namespace plot = tapegrad::models;

namespace {

// Claim a, briefly (the test asserts it): the engine's dL/dw against the closed forms.
void print_gradient_check() {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  double worst[2] = {0, 0};
  for (int i = 0; i < 1000; ++i) {
    const double w = u(rng), b = u(rng), x = u(rng), y = (rng() & 1) ? 1.0 : 0.0;
    const double y_hat = tapegrad::sigmoid(w * x + b);
    const double closed[2] = {-(y - y_hat) * y_hat * (1 - y_hat) * x, -(y - y_hat) * x};
    const ex::Loss losses[2] = {ex::Loss::squared_error, ex::Loss::cross_entropy};
    for (int k = 0; k < 2; ++k) {
      Eigen::VectorXd theta(2);
      theta << w, b;
      const auto f = [&](const auto& th) { return ex::loss_at(losses[k], th, x, y); };
      const double engine = tapegrad::gradient(f, theta).gradient[0];
      worst[k] = std::max(worst[k], std::abs(engine - closed[k]) / std::max(std::abs(closed[k]), 1e-300));
    }
  }
  std::printf("a. dL/dw from the engine against the closed forms, 1000 random (w, b, x, y), |z| <= 6:\n"
              "   MSE  -(y - y_hat) y_hat (1 - y_hat) x   max relative error %.1e\n"
              "   BCE  -(y - y_hat) x                     max relative error %.1e\n\n",
              worst[0], worst[1]);
}

// Claim b: |dL/dz| against z for y = 1, printed at a few z and plotted on [-10, 10].
void slope_table(const std::string& dir) {
  std::printf("b. |dL/dz| for y = 1 (the label is 1; z < 0 is wrong, z << 0 confidently wrong):\n"
              "   %6s  %10s  %12s  %12s\n", "z", "y_hat", "MSE", "BCE");
  for (double z : {-10.0, -5.0, 0.0, 5.0})
    std::printf("   %6.0f  %10.3e  %12.4e  %12.4e\n", z, tapegrad::sigmoid(z),
                std::abs(ex::loss_slope(ex::Loss::squared_error, z, 1)),
                std::abs(ex::loss_slope(ex::Loss::cross_entropy, z, 1)));
  // Why the logit form: at z = -1000 sigmoid(z) underflows to 0 and -log(0) = inf.
  std::printf("   at z = -1000: BCE = %g with dL/dz = %g (stable form); -log(sigmoid(z)) = %g (naive form)\n\n",
              ex::cross_entropy(-1000.0, 1), ex::loss_slope(ex::Loss::cross_entropy, -1000.0, 1),
              -std::log(tapegrad::sigmoid(-1000.0)));

  plot::Series mse{"MSE: y_hat (1 - y_hat)^2", {}, {}}, bce{"BCE: 1 - y_hat", {}, {}};
  for (int i = 0; i <= 400; ++i) {
    const double z = -10.0 + 0.05 * i;
    mse.x.push_back(z);
    mse.y.push_back(std::abs(ex::loss_slope(ex::Loss::squared_error, z, 1)));
    bce.x.push_back(z);
    bce.y.push_back(std::abs(ex::loss_slope(ex::Loss::cross_entropy, z, 1)));
  }
  plot::Figure figure;
  figure.title = "|dL/dz| for a positive example (y = 1), y_hat = sigmoid(z)";
  figure.panels.push_back({"linear scale", "z", "|dL/dz|", false, {mse, bce}});
  figure.panels.push_back({"log scale", "z", "|dL/dz|", true, {mse, bce}});
  const plot::PlotResult r = plot::plot_svg(figure, dir + "/gradient");
  std::printf("   plot: %s\n\n", r.svg.empty() ? (r.data + " (" + r.note + ")").c_str() : r.svg.c_str());
}

plot::Series loss_series(const char* title, const std::vector<double>& loss, std::size_t count) {
  plot::Series s{title, {}, {}};
  for (std::size_t k = 0; k < std::min(count, loss.size()); ++k) {
    s.x.push_back(static_cast<double>(k));
    s.y.push_back(loss[k]);
  }
  return s;
}

// Claim c: the same gradient descent from a confidently wrong start.
void training(const std::string& dir) {
  const ex::Setup setup;
  const ex::Data data = ex::make_data(setup.n, setup.seed);
  std::printf("c. gradient descent from a saturated start: %d points, x ~ N(+2, 1) for y = 1 and N(-2, 1)\n"
              "   for y = 0 (seed %llu); start w = %g, b = %g, so z = w x + b is about -8 for the positives and\n"
              "   +8 for the negatives; learning rate %g, %d steps, gradients from the engine.\n",
              setup.n, static_cast<unsigned long long>(setup.seed), setup.start[0], setup.start[1],
              setup.learning_rate, setup.steps);

  // A longer run of the same descent shows where the squared error leaves its plateau.
  const int long_steps = 6 * setup.steps;
  const ex::Trace mse = ex::gradient_descent(ex::Loss::squared_error, data, setup.start, setup.learning_rate, long_steps);
  const ex::Trace bce = ex::gradient_descent(ex::Loss::cross_entropy, data, setup.start, setup.learning_rate, long_steps);
  const auto n = static_cast<std::size_t>(setup.steps);
  std::printf("   %4s  %12s  %12s  %12s  %14s  %14s\n", "", "start loss", "end loss", "end / start", "start accuracy",
              "end accuracy");
  const auto row = [&](const char* label, const ex::Trace& t) {
    std::printf("   %4s  %12.6f  %12.6f  %12.4f  %14.3f  %14.3f\n", label, t.loss[0], t.loss[n], t.loss[n] / t.loss[0],
                t.accuracy[0], t.accuracy[n]);
  };
  row("MSE", mse);
  row("BCE", bce);

  const auto escaped = std::find_if(mse.accuracy.begin(), mse.accuracy.end(), [](double a) { return a >= 0.5; });
  if (escaped != mse.accuracy.end())
    std::printf("   a plateau, not a wall: continuing, MSE reaches accuracy >= 0.5 only at step %td "
                "(loss %.4f at step %d)\n",
                escaped - mse.accuracy.begin(), mse.loss.back(), long_steps);
  else
    std::printf("   continuing to step %d, MSE is still below accuracy 0.5 (loss %.4f)\n", long_steps, mse.loss.back());

  plot::Figure figure;
  char title[128];
  std::snprintf(title, sizeof title, "mean loss, gradient descent from a confidently wrong start (learning rate %g)",
                setup.learning_rate);
  figure.title = title;
  figure.panels.push_back({"the same " + std::to_string(setup.steps) + " steps", "step", "mean loss", true,
                           {loss_series("MSE", mse.loss, n + 1), loss_series("BCE", bce.loss, n + 1)}});
  figure.panels.push_back({"continued to step " + std::to_string(long_steps), "step", "mean loss", true,
                           {loss_series("MSE", mse.loss, mse.loss.size()), loss_series("BCE", bce.loss, bce.loss.size())}});
  const plot::PlotResult r = plot::plot_svg(figure, dir + "/loss");
  std::printf("   plot: %s\n", r.svg.empty() ? (r.data + " (" + r.note + ")").c_str() : r.svg.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "runs/mse_vs_bce";
  try {
    std::printf("MSE against BCE on a sigmoid output: y_hat = sigmoid(z), z = w x + b\n\n");
    print_gradient_check();
    slope_table(dir);
    training(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mse_vs_bce: %s\n", e.what());
    return 1;
  }
  return 0;
}
