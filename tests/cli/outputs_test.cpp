// `tapegrad fit` as a process and its output folder: hostile names and paths run nothing, an
// output that would overwrite an input is refused, concurrent runs leave one run's whole set,
// a kill at any point leaves the old set or the new one (finished by the next run), never a
// torn file.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"
#include "tapegrad/models/output_files.hpp"
#include "tapegrad/models/plot.hpp"
#include "temp_dir.hpp"
#include "xml_check.hpp"

namespace fs = std::filesystem;
using tapegrad::testing::TempDir;

namespace {

using tapegrad::testing::read_file;

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

std::string linear_csv(int n) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::ostringstream csv;
  csv << "x,y\n";
  for (int i = 0; i < n; ++i) {
    const double x = unit(rng);
    csv << x << "," << 1 + 2 * x + unit(rng) << "\n";
  }
  return csv.str();
}

std::string config(const std::string& name, int max_iterations, const std::string& data = "data.csv",
                   const std::string& optimizer = "lbfgs") {
  nlohmann::json c = {{"name", name},
                      {"data", {{"csv", data}, {"target", "y"}}},
                      {"model", nlohmann::json::array({{{"type", "linear"}, {"units", 1}}})},
                      {"likelihood", {{"family", "gaussian"}}},
                      {"fit", {{"optimizer", optimizer}, {"max_iterations", max_iterations}, {"tolerance", 1e-300}, {"threads", 1}}}};
  if (optimizer == "adam") c["fit"]["learning_rate"] = 1e-3;
  return c.dump();
}

// `tapegrad fit` with these arguments, run to its end (60 s at most); the exit status, -1 for a
// signal or the deadline.
int run_fit(const std::vector<std::string>& args, const TempDir& dir, const std::string& tag = "run") {
  std::vector<std::string> argv = {TAPEGRAD_CLI, "fit"};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = tapegrad::testing::spawn(argv, dir.path(tag + ".out"), dir.path(tag + ".err"), dir.dir());
  const int status = tapegrad::testing::wait_for(pid, 60);
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Whether `dir` holds one run's whole set: results.json, loss_history.csv, loss.svg and loss.csv
// agree on the name and the iterations. "" when they do, else what disagrees.
std::string set_problem(const std::string& dir) {
  nlohmann::json results;
  try {
    results = nlohmann::json::parse(read_file(dir + "/results.json"));
  } catch (const std::exception& e) {
    return std::string("results.json does not parse: ") + e.what();
  }
  const std::string name = results["name"];
  const std::size_t iterations = results["iterations"];
  const std::string history = read_file(dir + "/loss_history.csv");
  if (lines(history) != iterations + 2) return name + ": loss_history.csv has " + std::to_string(lines(history)) + " lines";
  const std::string data = read_file(dir + "/loss.csv");
  if (lines(data) != 2 * (iterations + 1) + 1) return name + ": loss.csv has " + std::to_string(lines(data)) + " lines";
  const std::string svg = read_file(dir + "/loss.svg");
  if (const std::string p = tapegrad::testing::xml_problem(svg); !p.empty()) return name + ": loss.svg: " + p;
  if (svg.find("<title>" + tapegrad::models::detail::xml_escaped(name) + " (") == std::string::npos)
    return name + ": loss.svg is another run's";
  return "";
}

std::vector<std::string> temporaries(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) out.push_back(entry.path().string());
  return out;
}

}  // namespace

TEST_CASE("tapegrad fit: shell and XML syntax in the name and the output path runs nothing",
          "[cli][outputs]") {
  TempDir dir;
  dir.write("data.csv", linear_csv(50));
  // The markers a shell would create, relative to the folder the command runs in.
  const std::string name = "n'\"$(touch m1)`touch m2`; touch m3; <b>&amp;]]> system 'touch m4'";
  dir.write("config.json", config(name, 20));
  const std::string output = dir.path("o'$(touch m5)`touch m6`;touch m7;<&]]>\"x");
  const int status = run_fit({"config.json", "--output", output}, dir);
  INFO(read_file(dir.path("run.err")));
  CHECK(status == 0);  // converged (by the Newton decrement at the estimate) and written
  for (const char* marker : {"m1", "m2", "m3", "m4", "m5", "m6", "m7"}) CHECK_FALSE(fs::exists(dir.path(marker)));
  REQUIRE(fs::exists(output + "/results.json"));
  CHECK(nlohmann::json::parse(read_file(output + "/results.json"))["name"] == name);
  const std::string svg = read_file(output + "/loss.svg");
  CHECK(tapegrad::testing::xml_problem(svg) == "");
  CHECK(svg.find("n&apos;&quot;$(touch m1)`touch m2`; touch m3; &lt;b&gt;&amp;amp;]]&gt; system &apos;touch m4&apos;") !=
        std::string::npos);
  CHECK(set_problem(output) == "");
}

TEST_CASE("tapegrad fit: an output that would overwrite the data or the config is refused before the fit",
          "[cli][outputs]") {
  for (const std::string& data : std::vector<std::string>{"loss_history.csv", "loss.csv", "results.json"}) {
    INFO(data);
    TempDir dir;
    const std::string csv = linear_csv(30);
    dir.write(data, csv);
    dir.write("config.json", config("clobber", 50, data));
    const int status = run_fit({"config.json", "--output", dir.dir()}, dir);
    const std::string err = read_file(dir.path("run.err"));
    INFO(err);
    CHECK(status == 2);
    CHECK(err.find("would overwrite the input " + dir.path(data)) != std::string::npos);
    CHECK(read_file(dir.path(data)) == csv);
    CHECK(err.find("fitting") == std::string::npos);  // refused before the fit
  }
  // The config itself, named results.json.
  TempDir dir;
  dir.write("data.csv", linear_csv(30));
  const std::string text = config("clobber", 50);
  dir.write("results.json", text);
  CHECK(run_fit({"results.json", "--output", dir.dir(), "--no-plot"}, dir) == 2);
  CHECK(read_file(dir.path("results.json")) == text);
}

TEST_CASE("tapegrad fit: 150 concurrent runs on one folder leave one run's whole set, results.json always valid",
          "[cli][outputs]") {
  TempDir dir;
  dir.write("data.csv", linear_csv(40));
  const std::string out = dir.path("out");
  constexpr int kRuns = 150, kAtOnce = 12;
  for (int k = 0; k < kRuns; ++k) dir.write("c" + std::to_string(k) + ".json", config("run-" + std::to_string(k), 1 + k % 9));
  // A reader that parses results.json over and over while the runs write.
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, invalid{0};
  std::thread reader([&] {
    while (!done) {
      const std::string text = read_file(out + "/results.json");
      if (text.empty()) continue;  // not there yet
      ++reads;
      if (!nlohmann::json::accept(text)) ++invalid;
    }
  });
  for (int begin = 0; begin < kRuns; begin += kAtOnce) {
    std::vector<pid_t> batch;
    for (int k = begin; k < std::min(kRuns, begin + kAtOnce); ++k)
      batch.push_back(tapegrad::testing::spawn({TAPEGRAD_CLI, "fit", "c" + std::to_string(k) + ".json", "--output", out, "-q"},
                                               "/dev/null", dir.path("err" + std::to_string(k)), dir.dir()));
    for (pid_t pid : batch) {
      const int status = tapegrad::testing::wait_for(pid, 60);
      // 1 to 9 iterations at tolerance 1e-300: converged by the Newton decrement at the estimate
      // (exit 0) or not (exit 1); written either way.
      CHECK((status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) <= 1));
    }
    // Quiet between batches: the folder holds one run's whole set.
    CHECK(set_problem(out) == "");
  }
  done = true;
  reader.join();
  INFO(reads << " reads of results.json while the runs wrote");
  CHECK(invalid == 0);
  CHECK(reads > 0);
  CHECK(temporaries(out).empty());
  CHECK_FALSE(fs::exists(out + "/.tapegrad.commit"));
}

TEST_CASE("tapegrad fit: SIGKILL at random points leaves the old set or the new one, never a torn file",
          "[cli][outputs]") {
  TempDir dir;
  dir.write("data.csv", linear_csv(200));
  const std::string out = dir.path("out");
  // Adam for a few hundred epochs: a history of that many rows, so the writing takes a while.
  dir.write("old.json", config("old", 300, "data.csv", "adam"));
  REQUIRE(run_fit({"old.json", "--output", out}, dir) == 1);
  REQUIRE(set_problem(out) == "");
  // How long a whole run takes here: the kills fall anywhere in it.
  dir.write("new.json", config("new", 400, "data.csv", "adam"));
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(run_fit({"new.json", "--output", dir.path("timing")}, dir) == 1);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> when(0.0, 1.2 * seconds);
  int old_sets = 0, new_sets = 0, finished_later = 0;
  for (int attempt = 0; attempt < 40; ++attempt) {
    const std::string before = nlohmann::json::parse(read_file(out + "/results.json"))["name"];
    const std::string name = "kill-" + std::to_string(attempt);
    dir.write("k.json", config(name, 300 + attempt, "data.csv", "adam"));
    const pid_t pid =
        tapegrad::testing::spawn({TAPEGRAD_CLI, "fit", "k.json", "--output", out, "-q"}, "/dev/null", "/dev/null", dir.dir());
    std::this_thread::sleep_for(std::chrono::duration<double>(when(rng)));
    ::kill(pid, SIGKILL);
    tapegrad::testing::wait_for(pid, 60);
    INFO("attempt " << attempt);
    // Each file is whole as it stands (results.json parses) ...
    CHECK(nlohmann::json::accept(read_file(out + "/results.json")));
    // ... and the set is one run's: at once, or once a commit cut between its renames is finished.
    if (fs::exists(out + "/.tapegrad.commit")) {
      ++finished_later;
      tapegrad::models::recover_outputs(out);
    }
    const std::string now = nlohmann::json::parse(read_file(out + "/results.json"))["name"];
    CHECK((now == before || now == name));
    CHECK(set_problem(out) == "");
    (now == name ? new_sets : old_sets) += 1;
  }
  tapegrad::models::recover_outputs(out);
  CHECK(temporaries(out).empty());
  INFO(old_sets << " kills left the old set, " << new_sets << " the new one, " << finished_later
                << " were finished from the journal");
  CHECK(old_sets > 0);
  CHECK(new_sets > 0);
}
