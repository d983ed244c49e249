// The tapegrad command end to end, run in-process: exit statuses, files written, --quiet.
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "tapegrad/cli/app.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/json_reader.hpp"
#include "tapegrad/models/layer.hpp"
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

TEST_CASE("numbers on the command line are read strictly: a bad one exits 2 naming the option and the text", "[cli]") {
  const std::string config = example_config("mtcars_logistic");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--seed", "-1"}, "--seed: expected a whole number in [0, 9223372036854775807], found \"-1\""},
      {{"--seed", "99999999999999999999999"},
       "--seed: expected a whole number in [0, 9223372036854775807], found \"99999999999999999999999\""},
      {{"--seed", "1.5"}, "--seed: expected a whole number in [0, 9223372036854775807], found \"1.5\""},
      {{"--seed", "0x10"}, "--seed: expected a whole number in [0, 9223372036854775807], found \"0x10\""},
      {{"--seed", ""}, "--seed: expected a whole number in [0, 9223372036854775807], found \"\""},
      {{"--seed", "7 "}, "--seed: expected a whole number in [0, 9223372036854775807], found \"7 \""},
      {{"--points", "1001"}, "--points: expected a whole number in [0, 1000], found \"1001\""},
      {{"--points", "-2"}, "--points: expected a whole number in [0, 1000], found \"-2\""},
      {{"--points", "1e3"}, "--points: expected a whole number in [0, 1000], found \"1e3\""},
      {{"--points", "3\n"}, "--points: expected a whole number in [0, 1000], found \"3\\n\""},
      {{"--points", std::string(100, '9')}, "--points: expected a whole number in [0, 1000], found \"" + std::string(60, '9') +
                                                "... (100 characters)\""},
  };
  for (const auto& [options, message] : cases) {
    std::vector<std::string> args = {"check", config};
    args.insert(args.end(), options.begin(), options.end());
    const Run r = run(args);
    INFO(options[0] << " " << options[1]);
    CHECK(r.status == 2);
    CHECK(r.err == "tapegrad: " + message + "\n");
    CHECK(r.out.empty());
  }
  // The limits themselves are accepted.
  const Run r = run({"check", config, "--points", "0", "--seed", "9223372036854775807"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("PASSED at 1 points"));
}

TEST_CASE("an empty --output is refused, not ignored", "[cli]") {
  for (const char* option : {"-o", "--output"}) {
    const Run r = run({"fit", example_config("mtcars_logistic"), option, "", "--no-plot"});
    CHECK(r.status == 2);
    CHECK(r.err == "tapegrad: --output: expected a folder, found an empty string\n");
    CHECK(r.out.empty());
  }
}

TEST_CASE("an argument CLI11 refuses is shown shortened and escaped, exit 2", "[cli]") {
  const Run r = run({"fit", example_config("mtcars_logistic"), "--x\n" + std::string(100000, 'x')});
  CHECK(r.status == 2);
  CHECK(r.err.size() < 600);
  CHECK(r.err.find("\\n") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 2);  // the message and the usage hint
}

namespace {

// A layer whose factory throws what its "throw" option names: how the command maps what
// escapes the library to an exit status is tested without needing the machine to run out of
// memory (which a sanitizer build reports as an error of its own).
void register_throwing_layer() {
  namespace m = tapegrad::models;
  m::register_layer("cli_test_throw", [](m::ObjectReader& options) -> std::unique_ptr<m::Layer> {
    const std::string what = options.string("throw");
    if (what == "bad_alloc") throw std::bad_alloc();
    if (what == "filesystem")
      throw fs::filesystem_error("cannot create directories", fs::path("/some/where"), std::make_error_code(std::errc::permission_denied));
    if (what == "logic") throw std::logic_error("an invariant broke");
    if (what == "fit") throw m::FitError("the fit failed");
    throw 42;
  });
}

Run run_throwing(const std::string& what) {
  register_throwing_layer();
  TempDir dir;
  const std::string config = dir.write("c.json", R"({"data": {"csv": "x.csv", "target": "y"},
      "model": [{"type": "cli_test_throw", "throw": ")" + what + R"("}], "likelihood": {"family": "gaussian"}})");
  return run({"fit", config, "--no-plot"});
}

}  // namespace

TEST_CASE("what escapes the library maps to the exit-status rule, with the stage named, never raw", "[cli]") {
  SECTION("out of memory: a limit of the input, exit 2") {
    const Run r = run_throwing("bad_alloc");
    CHECK(r.status == 2);
    CHECK(r.err == "tapegrad: out of memory while reading the config: the config, data or model is too large for this machine's "
                   "memory (fewer rows, features or parameters, or \"standard_errors\": false, may fit)\n");
  }
  SECTION("a filesystem error: a path, exit 2, without the library's raw text") {
    const Run r = run_throwing("filesystem");
    CHECK(r.status == 2);
    CHECK(r.err == "tapegrad: /some/where: Permission denied (while reading the config)\n");
  }
  SECTION("a FitError, exit 1") {
    const Run r = run_throwing("fit");
    CHECK(r.status == 1);
    CHECK(r.err == "tapegrad: the fit failed\n");
  }
  SECTION("any other exception: exit 1, named with the stage") {
    const Run r = run_throwing("logic");
    CHECK(r.status == 1);
    CHECK(r.err == "tapegrad: an invariant broke (while reading the config)\n");
  }
  SECTION("not even a std::exception: exit 1, still a sentence") {
    const Run r = run_throwing("int");
    CHECK(r.status == 1);
    CHECK(r.err == "tapegrad: unexpected error while reading the config\n");
  }
}

#ifdef TAPEGRAD_MPIEXEC
namespace {

// `mpirun -np 2 tapegrad ARGS`: the exit status, what went to stdout and to stderr.
Run mpirun(const TempDir& dir, const std::string& args) {
  const std::string command = "ASAN_OPTIONS=detect_leaks=0 timeout 120 " + std::string(TAPEGRAD_MPIEXEC) +
                              " --allow-run-as-root --oversubscribe -np 2 " + TAPEGRAD_CLI + " " + args + " > " +
                              dir.path("stdout.txt") + " 2> " + dir.path("stderr.txt");
  const int status = std::system(command.c_str());
  const auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(dir.path("stdout.txt")), read(dir.path("stderr.txt"))};
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("mpirun -np 2 tapegrad check prints the report once and every rank exits alike", "[cli][mpi]") {
  TempDir dir;
  SECTION("a passing check: exit 0, one report") {
    const Run r = mpirun(dir, "check " + example_config("mtcars_logistic") + " --points 1");
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(occurrences(r.out, "gradient check of") == 1);
    CHECK(occurrences(r.out, "starting point") == 1);
  }
  SECTION("a bad config: exit 2, the message once") {
    dir.write("bad.json", R"({"data": {"csv": "x.csv", "target": "y"}, "model": [{"type": "linear", "units": 0}],
                             "likelihood": {"family": "gaussian"}})");
    const Run r = mpirun(dir, "check " + dir.path("bad.json"));
    INFO(r.out << r.err);
    CHECK(r.status == 2);
    CHECK(occurrences(r.err, "tapegrad: ") == 1);
    CHECK(occurrences(r.err, "/model/0/units: expected an integer in [1, 1000000], found 0") == 1);
  }
  SECTION("a bad option: exit 2, the message once") {
    const Run r = mpirun(dir, "check " + example_config("mtcars_logistic") + " --seed -1");
    INFO(r.out << r.err);
    CHECK(r.status == 2);
    CHECK(occurrences(r.err, "tapegrad: --seed: expected a whole number") == 1);
  }
}
#endif
