// The NIST StRD table (bench/README.md): each problem in tests/data/nist fitted as a Gaussian
// likelihood (sigma free) by fit_iid from both starts, with the default options and with L-BFGS;
// prints the LRE of the worst parameter, of the RSS, and the iterations, as a Markdown table.
//   build/bench/bench_nist_table <source dir>
#include <cstdio>
#include <string>

#include "models/nist.hpp"

namespace nist = tapegrad::testing::nist;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_nist_table <tapegrad source dir>\n");
    return 2;
  }
  const std::string dir = std::string(argv[1]) + "/tests/data/nist/";
  std::printf("| problem | start | default: worst LRE | RSS LRE | iterations | lbfgs: worst LRE | RSS LRE | iterations |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  int solved[2] = {0, 0};
  for (const std::string& name : nist::problem_names()) {
    const nist::Problem p = nist::read_problem(dir + name + ".dat", name);
    for (int start = 1; start <= 2; ++start) {
      std::printf("| %s | %d |", name.c_str(), start);
      int k = 0;
      for (const char* method : {"auto", "lbfgs"}) {
        tapegrad::models::OptimizerOptions options;
        options.method = method;
        const nist::Run run = nist::fit(p, start == 1 ? p.start1 : p.start2, options);
        const bool converged = run.fit.optimizer.status == tapegrad::models::OptimizerStatus::converged;
        solved[k++] += run.worst_lre >= 6 && run.rss_lre >= 6 && converged;
        std::printf(" %.1f | %.1f | %d%s |", run.worst_lre, run.rss_lre, run.fit.optimizer.iterations,
                    converged ? "" : (" (" + tapegrad::models::to_string(run.fit.optimizer.status) + ")").c_str());
      }
      std::printf("\n");
    }
  }
  std::printf("\nLRE >= 6 in every parameter and the RSS, converged: default %d/20, lbfgs %d/20\n", solved[0], solved[1]);
}
