// The tapegrad command end to end, run in-process: exit statuses, files written, --quiet.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tapegrad/cli/app.hpp"
#include "temp_dir.hpp"
#include "example_paths.hpp"

namespace fs = std::filesystem;

using tapegrad::testing::example_config;

namespace {

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  args.insert(args.begin(), "tapegrad");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int status = tapegrad::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {status, out.str(), err.str()};
}


using tapegrad::testing::TempDir;

}  // namespace

TEST_CASE("tapegrad fit prints the summary, writes results.json and the loss history, exits 0", "[cli]") {
  TempDir dir;
  const Run r = run({"fit", example_config("mtcars_logistic"), "--output", dir.dir(), "--no-plot"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("Std. Error") && Catch::Contains("Pr(>|z|)") && Catch::Contains("linear0.weight[0,wt]") &&
                        Catch::Contains("AIC") && Catch::Contains("BIC") && Catch::Contains("converged: yes"));
  std::ifstream in(dir.path("results.json"));
  const nlohmann::json results = nlohmann::json::parse(in);
  for (const char* key : {"log_likelihood", "n_observations", "n_parameters", "aic", "bic", "converged", "iterations", "parameters"})
    CHECK(results.contains(key));
  CHECK(results["n_observations"] == 32);
  CHECK(results["parameters"][1]["name"] == "linear0.weight[0,wt]");
  CHECK(results["parameters"][1]["std_error"].is_number());
  CHECK(fs::exists(dir.path("loss_history.csv")));
  CHECK_FALSE(fs::exists(dir.path("loss.svg")));
}

TEST_CASE("tapegrad fit --quiet prints the summary only", "[cli]") {
  TempDir dir;
  const Run r = run({"fit", example_config("mtcars_gaussian"), "--output", dir.dir(), "--quiet", "--no-plot"});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::Contains("sigma") && !Catch::Contains("wrote"));
}

TEST_CASE("tapegrad fit on separated classes exits 1, names the diverging parameters, keeps the results", "[cli]") {
  TempDir dir;
  const Run r = run({"fit", example_config("separable_logistic"), "--output", dir.dir(), "--no-plot"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("no finite maximum-likelihood estimate") && Catch::Contains("linear0.weight[0,x1]"));
  std::ifstream in(dir.path("results.json"));
  const nlohmann::json results = nlohmann::json::parse(in);
  CHECK(results["converged"] == false);
  CHECK(results["inference"] == "no_finite_mle");
  CHECK(results["parameters"][1]["std_error"].is_null());
}

TEST_CASE("tapegrad check prints the per-parameter table and exits 0 when every entry passes", "[cli]") {
  const Run r = run({"check", example_config("iris_softmax"), "--points", "2"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("linear0.weight[1,Sepal.Length]") && Catch::Contains("random point 2") &&
                        Catch::Contains("PASSED"));
  // One summary line per point (the starting point and 2 random ones), not the table's and another.
  std::size_t summaries = 0;
  for (std::size_t at = r.out.find("PASS: "); at != std::string::npos; at = r.out.find("PASS: ", at + 1)) ++summaries;
  CHECK(summaries == 3);
}

TEST_CASE("bad input exits 2 with a message naming the file", "[cli]") {
  SECTION("a missing config") {
    const Run r = run({"fit", "no/such/config.json"});
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("no/such/config.json") && Catch::Contains("no such file"));
  }
  SECTION("a bad key") {
    TempDir dir;
    const std::string config = dir.path("c.json");
    std::ofstream(config) << R"({"data": {"csv": "x.csv", "target": "y"}, "model": [{"type": "linear", "units": 0}],
                                 "likelihood": {"family": "gaussian"}})";
    const Run r = run({"fit", config});
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("c.json: /model/0/units: expected an integer in [1, 1000000], found 0"));
  }
  SECTION("no subcommand, or an unknown option") {
    CHECK(run({}).status == 2);
    CHECK(run({"fit", example_config("mtcars_logistic"), "--frobnicate"}).status == 2);
  }
}
