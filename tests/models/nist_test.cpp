// The field's accuracy test: NIST StRD nonlinear regression problems (tests/data/nist), each a
// Gaussian likelihood with the model as its mean and sigma free, fitted by fit_iid with DEFAULT
// options from both of NIST's starting points. Every run must reach the certified parameters to
// 6 digits (LRE >= 6) and the certified residual sum of squares to 6 digits.
#include <catch2/catch.hpp>

#include "models/nist.hpp"

namespace nist = tapegrad::testing::nist;

namespace {

nist::Problem load(const std::string& name) {
  return nist::read_problem(std::string(TAPEGRAD_SOURCE_DIR) + "/tests/data/nist/" + name + ".dat", name);
}

}  // namespace

TEST_CASE("the NIST reader gets starts, certified values and data", "[nist]") {
  const nist::Problem p = load("MGH09");
  REQUIRE(p.certified.size() == 4);
  CHECK(p.start1 == std::vector<double>{25, 39, 41.5, 39});
  CHECK(p.start2 == std::vector<double>{0.25, 0.39, 0.415, 0.39});
  CHECK(p.certified[0] == 1.9280693458E-01);
  CHECK(p.certified_sd[3] == 9.0025542308E-02);
  CHECK(p.certified_rss == 3.0750560385E-04);
  REQUIRE(p.y.size() == 11);
  CHECK(p.y.front() == 1.957000E-01);
  CHECK(p.x.back() == 6.250000E-02);
  // Each model reproduces NIST's RSS at the certified values (so the models are typed right).
  for (const std::string& name : nist::problem_names()) {
    const nist::Problem q = load(name);
    INFO(name);
    CHECK(nist::lre(nist::residual_sum_of_squares(q, q.certified), q.certified_rss) > 7);
  }
}

TEST_CASE("NIST StRD: default options reach 6 digits in every parameter and the RSS from both starts", "[nist]") {
  for (const std::string& name : nist::problem_names()) {
    const nist::Problem p = load(name);
    for (int start = 1; start <= 2; ++start) {
      tapegrad::models::OptimizerOptions options;  // the defaults
      // MGH17 from start 1 (b = 50, 150, -100, 1, 2) crawls along the curved valley where the two
      // exponentials nearly coincide (b4 ~ b5): 1074 trust-region iterations, beyond the default
      // 1000. With the defaults it must say so; with 2000 it must get there.
      const bool long_valley = name == "MGH17" && start == 1;
      if (long_valley) {
        const nist::Run limited = nist::fit(p, p.start1, options);
        CHECK(limited.fit.optimizer.status == tapegrad::models::OptimizerStatus::max_iterations);
        CHECK_FALSE(limited.fit.succeeded());
        options.max_iterations = 2000;
      }
      const nist::Run run = nist::fit(p, start == 1 ? p.start1 : p.start2, options);
      INFO(name << " start " << start << ": " << run.fit.optimizer.message << "; worst LRE " << run.worst_lre
                << ", RSS LRE " << run.rss_lre);
      CHECK(run.fit.optimizer.method == "trust_region");
      CHECK(run.fit.optimizer.status == tapegrad::models::OptimizerStatus::converged);
      CHECK(run.worst_lre >= 6);
      CHECK(run.rss_lre >= 6);
    }
  }
}

TEST_CASE("fit_iid's inference probes points outside the density's domain without throwing", "[nist]") {
  // Where L-BFGS stops far from the MLE, infer() probes points where the mean or exp(log_sigma)
  // leaves the density's domain. That used to escape fit_iid as normal_lpdf's std::domain_error.
  tapegrad::models::OptimizerOptions options;
  options.method = "lbfgs";
  for (const std::string& name : nist::problem_names()) {
    const nist::Problem p = load(name);
    INFO(name);
    CHECK_NOTHROW(nist::fit(p, p.start1, options));
    CHECK_NOTHROW(nist::fit(p, p.start2, options));
  }
}
