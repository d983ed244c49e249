// `mpirun -np 2 tapegrad fit CONFIG`: each rank reads its own half of the rows, the ranks' sums
// are combined, and the estimates equal the single-process fit; a bad row in one rank's half
// stops every rank with that rank's message and exit status 2, never a hang. Built when CMake
// found MPI (CI installs OpenMPI).
#ifdef TAPEGRAD_MPIEXEC
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

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "temp_dir.hpp"

namespace {

std::string logistic_csv(std::size_t n) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::ostringstream csv;
  csv.precision(17);
  csv << "x1,x2,y\n";
  for (std::size_t i = 0; i < n; ++i) {
    const double x1 = unit(rng), x2 = unit(rng);
    csv << x1 << "," << x2 << "," << (uniform(rng) < 1 / (1 + std::exp(-(0.4 + x1 - 0.7 * x2))) ? 1 : 0) << "\n";
  }
  return csv.str();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `tapegrad fit` on `ranks` ranks (120 s at most: a hang fails the test); returns the exit status.
int mpirun_fit(const tapegrad::testing::TempDir& dir, const std::string& config, const std::string& output,
               int ranks = 2) {
  // OpenMPI keeps some memory to the end on purpose: a sanitized build's leak check stays off
  // for the ranks (the test program itself keeps it on).
  const std::string command = "ASAN_OPTIONS=detect_leaks=0 timeout 120 " + std::string(TAPEGRAD_MPIEXEC) +
                              " --allow-run-as-root --oversubscribe -np " + std::to_string(ranks) + " " + TAPEGRAD_CLI + " fit " + dir.path(config) +
                              " --output " + dir.path(output) + " --no-plot > " + dir.path("stdout.txt") + " 2> " +
                              dir.path("stderr.txt");
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const char* kConfig = R"({"name": "mpi", "data": {"csv": "data.csv", "target": "y"},
  "model": [{"type": "linear", "units": 1}, {"type": "sigmoid"}], "likelihood": {"family": "bernoulli"},
  "fit": {"tolerance": 1e-12, "threads": 1}})";

}  // namespace

TEST_CASE("mpirun -np 2: each rank fits its half of the rows, the estimates equal the single-process fit",
          "[cli][mpi]") {
  tapegrad::testing::TempDir dir;
  dir.write("data.csv", logistic_csv(5000));
  dir.write("config.json", kConfig);
  const int status = mpirun_fit(dir, "config.json", "out");
  INFO(read_file(dir.path("stderr.txt")));
  REQUIRE(status == 0);
  const nlohmann::json r = nlohmann::json::parse(read_file(dir.path("out/results.json")));
  CHECK(r["processes"] == 2);
  CHECK(r["n_observations"] == 5000);

  tapegrad::models::Experiment single = tapegrad::models::load_experiment(tapegrad::models::load_config(dir.path("config.json")));
  const tapegrad::models::FitResults s = tapegrad::models::fit(single);
  REQUIRE(s.succeeded());
  CHECK(std::abs(r["log_likelihood"].get<double>() - s.log_likelihood) <= 1e-10 * std::abs(s.log_likelihood));
  REQUIRE(r["parameters"].size() == s.parameters.size());
  for (std::size_t j = 0; j < s.parameters.size(); ++j) {
    const auto& p = r["parameters"][j];
    INFO(s.parameters[j].name);
    CHECK(p["name"] == s.parameters[j].name);
    // Sums in another order only, both to max |gradient| < 1e-12: 1e-10 relative.
    CHECK(std::abs(p["value"].get<double>() - s.parameters[j].value) <= 1e-10 * std::abs(s.parameters[j].value));
    CHECK(std::abs(p["std_error"].get<double>() - s.parameters[j].std_error) <= 1e-10 * s.parameters[j].std_error);
  }
  // Rank 0 alone prints the summary.
  const std::string out = read_file(dir.path("stdout.txt"));
  CHECK(out.find("Estimate") == out.rfind("Estimate"));
}

TEST_CASE("mpirun -np 2: a bad row in the second rank's half stops both ranks with its message", "[cli][mpi]") {
  tapegrad::testing::TempDir dir;
  std::string csv = logistic_csv(2000);
  // Data row 1800 (line 1801) sits in rank 1's half.
  std::size_t at = 0;
  for (int line = 1; line < 1801; ++line) at = csv.find('\n', at) + 1;
  csv.replace(at, csv.find(',', at) - at, "oops");
  dir.write("data.csv", csv);
  dir.write("config.json", kConfig);
  const int status = mpirun_fit(dir, "config.json", "out");
  const std::string err = read_file(dir.path("stderr.txt"));
  INFO(err);
  CHECK(status == 2);
  CHECK(err.find("rank 1: ") != std::string::npos);
  CHECK(err.find("line 1801, column \"x1\" (1): expected a number, found \"oops\"") != std::string::npos);
  CHECK_FALSE(std::ifstream(dir.path("out/results.json")).good());
}

TEST_CASE("mpirun: CR-only line ends and more ranks than rows give the single-process fit", "[cli][mpi]") {
  tapegrad::testing::TempDir dir;
  // CR-only line ends: every rank used to read the whole file (n multiplied by the ranks).
  std::string csv = logistic_csv(40);
  for (char& c : csv)
    if (c == '\n') c = '\r';
  dir.write("data.csv", csv);
  dir.write("config.json", kConfig);
  tapegrad::models::Experiment single =
      tapegrad::models::load_experiment(tapegrad::models::load_config(dir.path("config.json")));
  const tapegrad::models::FitResults s = tapegrad::models::fit(single);
  REQUIRE(s.n_observations == 40);
  const int status = mpirun_fit(dir, "config.json", "out", 3);
  INFO(read_file(dir.path("stderr.txt")));
  REQUIRE(status == (s.succeeded() ? 0 : 1));
  const nlohmann::json r = nlohmann::json::parse(read_file(dir.path("out/results.json")));
  CHECK(r["n_observations"] == 40);
  CHECK(std::abs(r["log_likelihood"].get<double>() - s.log_likelihood) <= 1e-8 * std::abs(s.log_likelihood));

  // 6 ranks for 4 rows: two ranks hold none.
  dir.write("four.csv", "x,y\n1,2.2\n2,3.9\n3,6.3\n4,7.7\n");
  dir.write("four.json", R"({"name": "four", "data": {"csv": "four.csv", "target": "y"},
    "model": [{"type": "linear", "units": 1}], "likelihood": {"family": "gaussian", "sigma": "learned"},
    "fit": {"tolerance": 1e-12, "threads": 1}})");
  tapegrad::models::Experiment four_single =
      tapegrad::models::load_experiment(tapegrad::models::load_config(dir.path("four.json")));
  const tapegrad::models::FitResults f = tapegrad::models::fit(four_single);
  REQUIRE(f.succeeded());
  REQUIRE(mpirun_fit(dir, "four.json", "four_out", 6) == 0);
  const nlohmann::json four = nlohmann::json::parse(read_file(dir.path("four_out/results.json")));
  CHECK(four["n_observations"] == 4);
  CHECK(four["processes"] == 6);
  CHECK(std::abs(four["log_likelihood"].get<double>() - f.log_likelihood) <= 1e-8 * std::abs(f.log_likelihood));
}

TEST_CASE("mpirun: a file ending in an unclosed quote is refused as by one process", "[cli][mpi]") {
  tapegrad::testing::TempDir dir;
  dir.write("data.csv", logistic_csv(30) + "1,\"2,1\n");
  dir.write("config.json", kConfig);
  const int status = mpirun_fit(dir, "config.json", "out", 3);
  const std::string err = read_file(dir.path("stderr.txt"));
  INFO(err);
  CHECK(status == 2);
  CHECK(err.find("line 32: a quoted field starting here is not closed before the end of the file") != std::string::npos);
}
#endif
