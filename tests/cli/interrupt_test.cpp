// Ctrl-C during `tapegrad fit`: the fit stops after its current iteration and writes the best
// parameters so far, marked interrupted and not converged; exit status 1. Run as a separate
// process (the signal goes to it, not to the test program).
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "temp_dir.hpp"

TEST_CASE("SIGINT during tapegrad fit writes the best parameters so far, marked not converged", "[cli]") {
  tapegrad::testing::TempDir dir;
  std::mt19937_64 rng(1);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::ostringstream csv;
  csv << "x,y\n";
  for (int i = 0; i < 2000; ++i) {
    const double x = unit(rng);
    csv << x << "," << 1 + 2 * x + unit(rng) << "\n";
  }
  dir.write("data.csv", csv.str());
  // Adam with a tiny step and an impossible tolerance: it runs for minutes unless interrupted.
  dir.write("config.json", R"({"name": "slow", "data": {"csv": "data.csv", "target": "y"},
    "model": [{"type": "linear", "units": 1}], "likelihood": {"family": "gaussian", "sigma": 1},
    "fit": {"optimizer": "adam", "learning_rate": 1e-6, "batch_size": 100, "max_iterations": 100000000,
            "tolerance": 1e-300}})");
  // The signal comes 5 s in: loading 2000 rows takes milliseconds, so the fit is running (a
  // loaded machine can take a second or two to start the program).
  const std::string command = "timeout --foreground --preserve-status -s INT 5 " + std::string(TAPEGRAD_CLI) + " fit " + dir.path("config.json") +
                              " --output " + dir.path("out") + " --no-plot > " + dir.path("stdout.txt") + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream log_file(dir.path("stdout.txt"));
  const std::string log{std::istreambuf_iterator<char>(log_file), std::istreambuf_iterator<char>()};
  INFO(log);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  std::ifstream in(dir.path("out/results.json"));
  REQUIRE(in.good());
  const nlohmann::json r = nlohmann::json::parse(in);
  CHECK(r["status"] == "interrupted");
  CHECK(r["converged"] == false);
  CHECK(r["iterations"].get<int>() > 0);
  for (const auto& p : r["parameters"]) CHECK(std::isfinite(p["value"].get<double>()));
  CHECK(log.find("interrupted after") != std::string::npos);
}
