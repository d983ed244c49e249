// Ctrl-C (SIGINT) or SIGTERM during `tapegrad fit`: the fit stops after its current iteration
// and writes the best parameters so far, marked interrupted and not converged; during the
// standard errors it stops between two Hessian columns and writes the estimate without them;
// under mpirun every rank stops. Exit status 1. Run as separate processes (the signal goes to
// them, not to the test program).
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"
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

// ---------------------------------------------------------------------------------------------
// SIGTERM as SIGINT; interrupts during the standard errors; under mpirun.

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Waits (30 s at most) until the file `path` contains `text`.
bool wait_for_text(const std::string& path, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// A one-hidden-layer network on 20,000 rows: 162 parameters, so the Hessian for the standard
// errors is 162 sweeps over the data (seconds), each evaluation tens of milliseconds.
void write_network(const tapegrad::testing::TempDir& dir, int max_iterations) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::ostringstream csv;
  csv << "x0,x1,x2,x3,x4,x5,x6,x7,y\n";
  for (int i = 0; i < 20000; ++i) {
    double x[8];
    for (double& v : x) v = unit(rng);
    for (double v : x) csv << v << ",";
    csv << x[0] + x[1] - x[2] + 0.5 * x[3] * x[4] + unit(rng) << "\n";
  }
  dir.write("data.csv", csv.str());
  dir.write("config.json", R"({"name": "network", "data": {"csv": "data.csv", "target": "y"},
    "model": [{"type": "linear", "units": 16}, {"type": "tanh"}, {"type": "linear", "units": 1}],
    "likelihood": {"family": "gaussian"},
    "fit": {"optimizer": "lbfgs", "max_iterations": )" + std::to_string(max_iterations) +
                                R"(, "tolerance": 1e-300, "threads": 1}})");
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("SIGTERM during tapegrad fit stops it like SIGINT: the best parameters so far, marked", "[cli]") {
  tapegrad::testing::TempDir dir;
  write_network(dir, 100000000);
  const pid_t pid = tapegrad::testing::spawn({TAPEGRAD_CLI, "fit", "config.json", "--output", dir.path("out"), "--no-plot"},
                                             dir.path("out.txt"), dir.path("err.txt"), dir.dir());
  REQUIRE(wait_for_text(dir.path("err.txt"), "  iteration "));  // a progress line: fitting for a second
  const auto signalled = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  const int status = tapegrad::testing::wait_for(pid, 60);
  const double took = seconds_since(signalled);
  INFO(read_text(dir.path("err.txt")));
  REQUIRE(status >= 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(took < 2.0);  // one iteration: a few evaluations of tens of milliseconds
  const nlohmann::json r = nlohmann::json::parse(read_text(dir.path("out/results.json")));
  CHECK(r["status"] == "interrupted");
  CHECK(r["interrupted"] == true);
  CHECK(r["converged"] == false);
  CHECK(r["iterations"].get<int>() > 0);
  for (const auto& p : r["parameters"]) CHECK(std::isfinite(p["value"].get<double>()));
}

TEST_CASE("an interrupt during the standard errors returns at once and writes the estimate without them", "[cli]") {
  for (const int signal : {SIGINT, SIGTERM}) {
    INFO("signal " << signal);
    tapegrad::testing::TempDir dir;
    write_network(dir, 3);
    const pid_t pid = tapegrad::testing::spawn({TAPEGRAD_CLI, "fit", "config.json", "--output", dir.path("out")},
                                               dir.path("out.txt"), dir.path("err.txt"), dir.dir());
    REQUIRE(wait_for_text(dir.path("err.txt"), "the Hessian of 162 parameters at the estimate"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // some columns into the Hessian
    const auto signalled = std::chrono::steady_clock::now();
    ::kill(pid, signal);
    const int status = tapegrad::testing::wait_for(pid, 60);
    const double took = seconds_since(signalled);
    const std::string err = read_text(dir.path("err.txt"));
    INFO(err);
    REQUIRE(status >= 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    // One Hessian column (a sweep over 20,000 rows) and the writing: well under the seconds
    // the whole Hessian takes; 1.5 s leaves room for a loaded machine.
    CHECK(took < 1.5);
    const nlohmann::json r = nlohmann::json::parse(read_text(dir.path("out/results.json")));
    CHECK(r["interrupted"] == true);
    CHECK(r["status"] == "max_iterations");  // what the optimizer did is kept as it was
    CHECK(r["iterations"] == 3);
    CHECK(r["inference"] == "not_computed");
    CHECK(r["inference_note"].get<std::string>().find("standard errors were interrupted") != std::string::npos);
    REQUIRE(r["parameters"].size() == 162);
    for (const auto& p : r["parameters"]) {
      CHECK(std::isfinite(p["value"].get<double>()));
      CHECK(p["std_error"].is_null());
    }
    CHECK(std::filesystem::exists(dir.path("out/loss.svg")));
    CHECK(err.find("standard errors were interrupted") != std::string::npos);
  }
}

#ifdef TAPEGRAD_MPIEXEC
namespace {

// The pids of the processes whose parent is `parent`, with their OMPI_COMM_WORLD_RANK.
std::vector<std::pair<pid_t, int>> ranks_of(pid_t parent) {
  std::vector<std::pair<pid_t, int>> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_text(entry.path().string() + "/stat");
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    char state = 0;
    long ppid = 0;
    fields >> state >> ppid;
    if (ppid != parent) continue;
    const std::string environ = read_text(entry.path().string() + "/environ");
    const std::string key = std::string("OMPI_COMM_WORLD_RANK=");
    const std::size_t at = environ.find(key);
    if (at != std::string::npos) out.emplace_back(std::stoi(name), std::atoi(environ.c_str() + at + key.size()));
  }
  return out;
}

}  // namespace

TEST_CASE("mpirun -np 2: an interrupt to mpirun, or to one rank, stops both ranks and rank 0 writes the result",
          "[cli][mpi]") {
  for (const bool one_rank : {false, true}) {
    INFO((one_rank ? "SIGTERM to rank 1 only" : "SIGINT to mpirun"));
    tapegrad::testing::TempDir dir;
    write_network(dir, 100000000);
    const pid_t pid = tapegrad::testing::spawn({TAPEGRAD_MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-np", "2",
                                                TAPEGRAD_CLI, "fit", "config.json", "--output", dir.path("out"), "--no-plot"},
                                               dir.path("out.txt"), dir.path("err.txt"), dir.dir());
    REQUIRE(wait_for_text(dir.path("err.txt"), "  iteration "));
    if (one_rank) {
      pid_t rank1 = -1;
      for (const auto& [child, rank] : ranks_of(pid))
        if (rank == 1) rank1 = child;
      REQUIRE(rank1 > 0);
      ::kill(rank1, SIGTERM);
    } else {
      ::kill(pid, SIGINT);
    }
    const int status = tapegrad::testing::wait_for(pid, 60);  // a hang fails here
    INFO(read_text(dir.path("err.txt")));
    REQUIRE(status >= 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    const nlohmann::json r = nlohmann::json::parse(read_text(dir.path("out/results.json")));
    CHECK(r["status"] == "interrupted");
    CHECK(r["interrupted"] == true);
    CHECK(r["processes"] == 2);
    CHECK(r["iterations"].get<int>() > 0);
    for (const auto& p : r["parameters"]) CHECK(std::isfinite(p["value"].get<double>()));
  }
}
#endif
