// Minimising KL(p_data || p_model) and minimising the cross-entropy H(p_data, p_model) over the
// logits z of p_model = softmax(z) are the same problem: the engine's gradients are equal (both
// softmax(z) - p_data) and the values differ by the constant H(p_data). KL is not symmetric.
//
//   ./kl_vs_cross_entropy [OUTPUT_DIR]      (default runs/kl_vs_cross_entropy; exit 1 on a failed claim)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <tapegrad/models/plot.hpp>

#include "kl_vs_cross_entropy/kl_vs_cross_entropy.hpp"

namespace ex = examples::kl_vs_cross_entropy;

namespace {

std::string format_vector(const std::vector<double>& v, const char* format = "% .4f") {
  std::string s = "(";
  char buf[64];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, format, v[i]);
    s += (i ? ", " : "") + std::string(buf);
  }
  return s + ")";
}

std::string format_vector(const Eigen::VectorXd& v, const char* format = "% .4f") {
  return format_vector(std::vector<double>(v.data(), v.data() + v.size()), format);
}

Eigen::VectorXd softmax_minus_p(const std::vector<double>& z, const std::vector<double>& p) {
  const std::vector<double> q = ex::softmax(z);
  Eigen::VectorXd g(static_cast<Eigen::Index>(q.size()));
  for (std::size_t k = 0; k < q.size(); ++k) g[static_cast<Eigen::Index>(k)] = q[k] - p[k];
  return g;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out_dir = argc > 1 ? argv[1] : "runs/kl_vs_cross_entropy";
  const std::vector<double> p = ex::p_data();
  const double h_p = ex::entropy(p);
  bool ok = true;

  std::printf("p_data = %s   H(p_data) = %.15f nats\n\n", format_vector(p).c_str(), h_p);

  // 1. At random logits: equal gradients, both softmax(z) - p; values apart by exactly H(p).
  std::printf("At 5 random logit vectors z ~ N(0, 2^2) (seed 7):\n");
  std::printf("%-38s %10s %10s %12s %12s %12s\n", "z", "H(p,q)", "KL(p||q)", "H-KL-H(p)", "|gH - gKL|",
              "|gH-(q-p)|");
  double worst_diff = 0, worst_grad = 0, worst_formula = 0;
  for (const auto& z : ex::random_logits(5, p.size(), 2.0, 7)) {
    const ex::LossesAt l = ex::losses_at(p, z);
    const double diff = l.cross_entropy - l.kl - h_p;
    const double grad_gap = (l.grad_cross_entropy - l.grad_kl).cwiseAbs().maxCoeff();
    const double formula_gap = (l.grad_cross_entropy - softmax_minus_p(z, p)).cwiseAbs().maxCoeff();
    std::printf("%-38s %10.6f %10.6f %12.1e %12.1e %12.1e\n", format_vector(z, "% .3f").c_str(), l.cross_entropy, l.kl,
                diff, grad_gap, formula_gap);
    worst_diff = std::max(worst_diff, std::abs(diff));
    worst_grad = std::max(worst_grad, grad_gap);
    worst_formula = std::max(worst_formula, formula_gap);
  }
  std::printf("(q = softmax(z); gradients with respect to z from the engine; gaps are max-abs over k)\n");
  std::printf("worst: |H - KL - H(p)| = %.1e, |grad H - grad KL| = %.1e, |grad H - (q - p)| = %.1e\n\n", worst_diff,
              worst_grad, worst_formula);
  ok = ok && worst_diff < 1e-12 && worst_grad < 1e-14 && worst_formula < 1e-14;

  // 2. Extreme logits: the stable form stays finite, the textbook form does not.
  const std::vector<double> z_big = {1000, -1000, 0, 500};
  const ex::LossesAt big = ex::losses_at(p, z_big);
  std::printf("Extreme logits z = %s:\n", format_vector(z_big, "%.0f").c_str());
  std::printf("  naive  -sum p log(exp(z_k)/sum exp(z_j)) = %g\n", ex::naive_cross_entropy(p, z_big));
  std::printf("  stable H(p,q) via log_softmax            = %.6f  (= 0.25*2000 + 0.15*1000 + 0.10*500)\n",
              big.cross_entropy);
  std::printf("  stable KL(p||q)                          = %.6f  (= H(p,q) - H(p))\n", big.kl);
  std::printf("  grad H = %s\n  grad KL= %s\n  q - p  = %s\n\n", format_vector(big.grad_cross_entropy).c_str(),
              format_vector(big.grad_kl).c_str(), format_vector(softmax_minus_p(z_big, p)).c_str());
  ok = ok && std::isfinite(big.cross_entropy) && std::isfinite(big.kl) && big.grad_cross_entropy.allFinite();

  // 3. KL is not symmetric.
  const std::vector<double> q = {0.10, 0.20, 0.30, 0.40};
  const double kl_pq = ex::kl_probabilities(p, q), kl_qp = ex::kl_probabilities(q, p);
  std::printf("KL is not symmetric: p = %s, q = %s\n", format_vector(p, "%.2f").c_str(), format_vector(q, "%.2f").c_str());
  std::printf("  KL(p||q) = %.6f   KL(q||p) = %.6f   difference %.6f\n\n", kl_pq, kl_qp, kl_pq - kl_qp);
  ok = ok && std::abs(kl_pq - kl_qp) > 1e-3;

  // 4. Plot along the line z(t) = t d: the two curves are parallel, H(p) apart, with equal slopes.
  const std::vector<double> d = {1.0, -1.0, 0.5, 0.0};
  tapegrad::models::Series ce{"H(p_data, softmax(z))", {}, {}}, kl{"KL(p_data || softmax(z))", {}, {}},
      gap{"H - KL = H(p_data)", {}, {}};
  tapegrad::models::Series dce{"d/dt H", {}, {}}, dkl{"d/dt KL", {}, {}, true};
  for (int i = 0; i <= 80; ++i) {
    const double t = -4.0 + 0.1 * i;
    std::vector<double> z(d.size());
    for (std::size_t k = 0; k < d.size(); ++k) z[k] = t * d[k];
    const ex::LossesAt l = ex::losses_at(p, z);
    const Eigen::Map<const Eigen::VectorXd> dv(d.data(), static_cast<Eigen::Index>(d.size()));
    for (auto* s : {&ce, &kl, &gap, &dce, &dkl}) s->x.push_back(t);
    ce.y.push_back(l.cross_entropy);
    kl.y.push_back(l.kl);
    gap.y.push_back(l.cross_entropy - l.kl);
    dce.y.push_back(l.grad_cross_entropy.dot(dv));  // directional derivative: grad . d
    dkl.y.push_back(l.grad_kl.dot(dv));
  }
  tapegrad::models::Figure figure;
  figure.title = "Cross-entropy and KL along z = t (1, -1, 0.5, 0)";
  figure.panels.push_back({"values: parallel, H(p_data) apart", "t", "nats", false, {ce, kl, gap}});
  figure.panels.push_back({"slopes from the engine: identical", "t", "d/dt", false, {dce, dkl}});
  const auto plot = tapegrad::models::plot_svg(figure, out_dir + "/kl_vs_cross_entropy");
  std::printf("plot: %s\n", plot.svg.empty() ? ("(none: " + plot.note + ")").c_str() : plot.svg.c_str());
  std::printf("data: %s\n", plot.data.c_str());

  std::printf("\nclaims %s\n", ok ? "hold" : "FAILED");
  return ok ? 0 : 1;
}
