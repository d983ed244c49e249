// IID turns a product into a sum. The likelihood of independent observations is a product of
// densities; its log is a sum of log-densities. The product underflows to 0 within a few hundred
// points, the sum does not; and a sum can be estimated from random mini-batches without bias,
// value and gradient alike.
//
//   build/examples/iid_product_to_sum [OUTPUT_DIR]   (default runs/iid_product_to_sum)

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <tapegrad/models/plot.hpp>

#include "iid_product_to_sum/iid_product_to_sum.hpp"

using namespace examples::iid_product_to_sum;
namespace plot = tapegrad::models;

namespace {

// Every batch count up to 200, then every 25th: enough points to draw, not 20,000 of them.
bool plotted(std::size_t k) { return k <= 200 || k % 25 == 0; }

// A panel: the running mean of the batch estimates, the full value, and full +- 2 sd / sqrt(k).
plot::Panel running_panel(const std::string& title, const std::string& ylabel, const std::vector<double>& estimates,
                          double full, double sd) {
  const std::vector<double> run = running_mean(estimates);
  plot::Series mean_line{"running mean of batch estimates", {}, {}};
  plot::Series full_line{"full-data value", {}, {}};
  plot::Series upper{"full +- 2 sd/sqrt(k)", {}, {}};
  plot::Series lower{"", {}, {}};
  for (std::size_t k = 1; k <= run.size(); ++k) {
    if (!plotted(k)) continue;
    const double x = static_cast<double>(k);
    mean_line.x.push_back(x);
    mean_line.y.push_back(run[k - 1]);
    full_line.x.push_back(x);
    full_line.y.push_back(full);
    upper.x.push_back(x);
    upper.y.push_back(full + 2 * sd / std::sqrt(x));
    lower.x.push_back(x);
    lower.y.push_back(full - 2 * sd / std::sqrt(x));
  }
  return {title, "number of batches k", ylabel, false, {mean_line, full_line, upper, lower}};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out = argc > 1 ? argv[1] : "runs/iid_product_to_sum";
  const Data d = make_data();  // n = 2000, seed 7: y = 1 + 2x + N(0, 1)
  const Eigen::VectorXd theta = evaluation_point();
  const std::size_t n = d.size();

  std::printf("IID turns a product into a sum: n = %zu points y_i = 1 + 2 x_i + N(0, 1), seed 7;\n", n);
  std::printf("model p(y_i) = N(y_i | a + b x_i, sigma), evaluated at (a, b, sigma) = (%g, %g, %g).\n\n", theta[0],
              theta[1], theta[2]);

  // 1. The product and the sum.
  const Underflow u = find_underflow(theta, d);
  std::printf("1. log of the product against the sum of logs, over the first n points\n");
  std::printf("   %6s %24s %22s %22s\n", "n", "prod p(y_i)", "log(prod p(y_i))", "sum log p(y_i)");
  for (std::size_t k : {std::size_t{1}, std::size_t{10}, std::size_t{100}, u.first_subnormal - 1, u.first_subnormal,
                        u.first_zero - 1, u.first_zero, n}) {
    const double product = product_of_densities(theta, d, k);
    std::printf("   %6zu %24.6e %22.10f %22.10f\n", k, product, std::log(product), sum_of_log_densities(theta, d, k));
  }
  std::printf("   The product leaves the normal doubles at n = %zu (subnormal: fewer digits) and is exactly 0 from\n"
              "   n = %zu on; the sum of log-densities stays finite (%.4f at n = %zu).\n\n",
              u.first_subnormal, u.first_zero, sum_of_log_densities(theta, d, n), n);

  // 2. Mini-batch estimates of the full loss and gradient.
  const std::size_t m = 32, batches = 20000;
  const tapegrad::GradientResult full = full_loss_gradient(theta, d);
  const MinibatchStudy s = run_minibatches(theta, d, m, batches);
  const std::vector<Eigen::VectorXd> point_g = point_gradients(theta, d);
  std::printf("2. Mini-batches: %zu batches of m = %zu (without replacement, seed 1); estimate (n/m) sum_B l_i,\n"
              "   l_i = -log p(y_i); full loss = -sum_i log p(y_i). Gradients by tapegrad::gradient.\n",
              batches, m);
  std::printf("   %-12s %14s %14s %10s %10s %12s %12s\n", "", "full data", "batch mean", "std.err", "z", "sd (batch)",
              "sd theory");
  auto row = [&](const char* name, const std::vector<double>& est, double full_value, double sd_theory) {
    const MeanSe ms = mean_se(est);
    std::printf("   %-12s %14.4f %14.4f %10.4f %10.2f %12.3f %12.3f\n", name, full_value, ms.mean, ms.se,
                (ms.mean - full_value) / ms.se, ms.se * std::sqrt(static_cast<double>(est.size())), sd_theory);
  };
  row("loss", s.loss, full.value, batch_sd_theory(point_losses(theta, d), m));
  const char* names[] = {"d/da", "d/db", "d/dsigma"};
  for (Eigen::Index j = 0; j < 3; ++j)
    row(names[j], component(s.grad, j), full.gradient[j], batch_sd_theory(component(point_g, j), m));
  std::printf("   z = (batch mean - full) / std.err: unbiased estimates put it within a few units of 0.\n\n");

  plot::Figure figure;
  figure.title = "Mini-batch estimates (m = 32 of n = 2000) average to the full-data loss and gradient";
  figure.panels.push_back(running_panel("loss = -sum log p(y_i)", "loss", s.loss, full.value,
                                        batch_sd_theory(point_losses(theta, d), m)));
  figure.panels.push_back(running_panel("gradient d loss / db", "d loss / db", component(s.grad, 1), full.gradient[1],
                                        batch_sd_theory(component(point_g, 1), m)));
  const plot::PlotResult r = plot::plot_svg(figure, out + "/running_mean");
  std::printf("plot: %s\ndata: %s\n", r.svg.empty() ? ("(none: " + r.note + ")").c_str() : r.svg.c_str(), r.data.c_str());
  return 0;
}
