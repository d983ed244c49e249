// Peak memory of ONE tapegrad gradient of the Student-t loop at N = 1,000,000, read from
// getrusage (maxrss) after the data are generated and after the gradient; its own program so
// that no other library's code or allocations are counted. Compared with the tape's own byte
// count and with Adept 2's published design (12 bytes per operand, 8 per statement).
//
//   bench_peers_rss [N]

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include <tapegrad/autodiff.hpp>

#include "student_t_loglik.hpp"

namespace {

double max_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000000;
  const peers::StudentTData& d = peers::student_t_data(n);
  const std::vector<double> t = peers::student_t_theta();
  const Eigen::VectorXd theta = Eigen::Map<const Eigen::VectorXd>(t.data(), 4);
  const double before = max_rss_mb();
  auto f = [&](const auto& th) { return peers::student_t_loglik(th, d); };
  const tapegrad::GradientResult r = tapegrad::gradient(f, theta);
  const double after = max_rss_mb();

  // The same recording on a tape of our own, for its counters.
  tapegrad::ScopedTape tape;
  std::vector<tapegrad::Var> th(t.begin(), t.end());
  const tapegrad::Var ll = peers::student_t_loglik(th, d);
  const double stmts = static_cast<double>(tape.n_statements()), ops = static_cast<double>(tape.n_operands());
  const double tape_mb = static_cast<double>(tape.bytes_used()) / 1e6;
  const double adept_mb = (12 * ops + 8 * stmts) / 1e6;

  std::printf("Student-t, N = %d: one tapegrad::gradient (value %.10g, check %.10g)\n", n, r.value, ll.value());
  std::printf("  peak RSS after the data: %.1f MiB; after the gradient: %.1f MiB; the gradient's share %.1f MiB "
              "(%.0f bytes per observation)\n", before, after, after - before, (after - before) * 1048576.0 / n);
  std::printf("  tape: %.0f statements, %.0f operands, %.1f MB (%.1f bytes per observation, adjoints included)\n",
              stmts, ops, tape_mb, tape_mb * 1e6 / n);
  std::printf("  Adept 2's design for the same statements and operands (12 B/operand + 8 B/statement): %.1f MB "
              "(%.1f bytes per observation)\n", adept_mb, adept_mb * 1e6 / n);
  return 0;
}
