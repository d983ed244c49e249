// A run's outputs as one set: inputs never overwritten, all files replaced together or none,
// a write failing at any byte leaves the previous set whole, a killed commit is finished later.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/output_files.hpp"
#include "tapegrad/models/report.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using tapegrad::models::FitResults;
using tapegrad::models::InputError;

namespace {

using tapegrad::testing::read_file;

// Every file in `dir` but the lock file, by name.
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename() != ".tapegrad.lock") files[entry.path().filename().string()] = read_file(entry.path().string());
  return files;
}

FitResults results(const std::string& name, int iterations) {
  FitResults r;
  r.name = name;
  r.optimizer = "lbfgs";
  r.iterations = iterations;
  r.parameters = {{"a", 1.5 + iterations, 0.1}, {"b", -2.0, 0.2}};
  for (int i = 0; i <= iterations; ++i) r.history.push_back({i, 10.0 / (i + 1), std::pow(10.0, -i), 0.01 * i});
  return r;
}

}  // namespace

TEST_CASE("outputs: a data file named like an output in the output folder is refused, byte for byte kept",
          "[outputs]") {
  for (const std::string& name : std::vector<std::string>{"loss_history.csv", "loss.csv", "results.json", "loss.svg"}) {
    INFO(name);
    tapegrad::testing::TempDir dir;
    const std::string data = dir.write(name, "x,y\n1,2\n3,4\n");
    // The folder named in three ways: as is, through "..", and through a symlink to it.
    fs::create_directory(dir.path("sub"));
    fs::create_directory_symlink(dir.dir(), dir.path("link"));
    for (const std::string& out : std::vector<std::string>{dir.dir(), dir.path("sub") + "/..", dir.path("link")}) {
      INFO(out);
      CHECK_THROWS_MATCHES(tapegrad::models::write_outputs(results("r", 3), out, true, {dir.path("c.json"), data}),
                           InputError,
                           Catch::Matchers::Predicate<InputError>([&](const InputError& e) {
                             const std::string what = e.what();
                             return what.find("would overwrite the input " + data) != std::string::npos &&
                                    what.find(name) != std::string::npos;
                           }));
      CHECK(read_file(data) == "x,y\n1,2\n3,4\n");
      CHECK_FALSE((fs::exists(dir.path("results.json")) && name != "results.json"));
    }
  }
  // A hard link to the data under an output's name is the data too.
  tapegrad::testing::TempDir dir;
  const std::string data = dir.write("data.csv", "x,y\n1,2\n");
  fs::create_directory(dir.path("out"));
  fs::create_hard_link(data, dir.path("out/results.json"));
  CHECK_THROWS_AS(tapegrad::models::write_outputs(results("r", 3), dir.path("out"), false, {data}), InputError);
  CHECK(read_file(data) == "x,y\n1,2\n");
  // Without the plot, loss.csv is not an output: data of that name stays and the run writes.
  tapegrad::testing::TempDir plain;
  const std::string loss = plain.write("loss.csv", "x,y\n5,6\n");
  tapegrad::models::write_outputs(results("r", 3), plain.dir(), false, {loss});
  CHECK(read_file(loss) == "x,y\n5,6\n");
  CHECK(fs::exists(plain.path("results.json")));
}

TEST_CASE("outputs: a write failing at any byte (a full disk) leaves the previous set whole, no temporaries",
          "[outputs]") {
  // Which file's write fails depends on the sizes (they are written in the order history, plot,
  // plot data, results.json): two sets, one with a large results.json (many parameters), one
  // with a large plot data file (many iterations), let every one of the four writes fail.
  FitResults many_parameters = results("second", 3);
  for (int j = 0; j < 600; ++j) many_parameters.parameters.push_back({"w" + std::to_string(j), 0.1 * j, 0.01});
  FitResults many_iterations = results("second", 3000);
  for (auto& h : many_iterations.history) h.seconds = 0;  // short history rows: the plot data is larger
  std::set<std::string> failed_files;
  for (const FitResults* second : {&many_parameters, &many_iterations}) {
    tapegrad::testing::TempDir dir;
    const FitResults first_results = results("first", 5);
    tapegrad::models::write_outputs(first_results, dir.dir(), true);
    const std::map<std::string, std::string> before = snapshot(dir.dir());
    REQUIRE(before.size() == 4);  // results.json, loss_history.csv, loss.svg, loss.csv
    // The sizes of the new set's files, written elsewhere: the limits around each.
    tapegrad::testing::TempDir sizes;
    tapegrad::models::write_outputs(*second, sizes.dir(), true);
    std::vector<std::size_t> limits;
    std::size_t largest = 0;
    for (const auto& [name, text] : snapshot(sizes.dir())) {
      largest = std::max(largest, text.size());
      limits.push_back(text.size() - 1);  // the last byte of this file fails
      limits.push_back(text.size());
    }
    for (std::size_t limit = 0; limit < 8; ++limit) limits.push_back(limit);
    for (std::size_t limit = 8; limit <= largest + 64; limit += largest / 60 + 1) limits.push_back(limit);

    // RLIMIT_FSIZE = limit bytes (SIGXFSZ ignored): a write past the limit fails with EFBIG.
    for (const std::size_t limit : limits) {
      INFO("file size limit " << limit);
      int pipe_fds[2];
      REQUIRE(::pipe(pipe_fds) == 0);
      const pid_t child = ::fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit cap{static_cast<rlim_t>(limit), static_cast<rlim_t>(limit)};
        ::setrlimit(RLIMIT_FSIZE, &cap);
        try {
          tapegrad::models::write_outputs(*second, dir.dir(), true);
        } catch (const std::exception& e) {
          const std::string what = e.what();  // to the parent: which file failed
          (void)!::write(pipe_fds[1], what.data(), what.size());
          ::_exit(1);
        }
        ::_exit(0);
      }
      ::close(pipe_fds[1]);
      std::string message;
      char buffer[512];
      for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, static_cast<std::size_t>(n));
      ::close(pipe_fds[0]);
      int status = 0;
      ::waitpid(child, &status, 0);
      REQUIRE(WIFEXITED(status));
      const std::map<std::string, std::string> after = snapshot(dir.dir());
      if (WEXITSTATUS(status) == 1) {
        INFO(message);
        CHECK(message.find("File too large") != std::string::npos);
        CHECK(message.find("the previous files are left as they were") != std::string::npos);
        for (const char* name : {"loss_history.csv:", "loss.svg:", "loss.csv:", "results.json:"})
          if (message.find(std::string("/") + name) != std::string::npos) failed_files.insert(name);
        CHECK(after == before);  // the same files, byte for byte: no temporaries, no journal
      } else {
        CHECK(nlohmann::json::parse(after.at("results.json"))["name"] == "second");
        CHECK(after.at("loss.svg").find("second (lbfgs)") != std::string::npos);
        CHECK(after.size() == 4);
        tapegrad::models::write_outputs(first_results, dir.dir(), true);  // back to the first set
        REQUIRE(snapshot(dir.dir()) == before);
      }
    }
  }
  // Every one of the four writes failed at some limit.
  CHECK(failed_files == std::set<std::string>{"loss_history.csv:", "loss.svg:", "loss.csv:", "results.json:"});
}

TEST_CASE("outputs: a commit killed between its renames is finished by the next one", "[outputs]") {
  tapegrad::testing::TempDir dir;
  tapegrad::models::write_outputs(results("old", 2), dir.dir(), false);
  // What a kill after the first of two renames leaves: the new history in place, the new
  // results.json still a temporary, and the journal listing both renames.
  const std::string new_results = "{\"name\": \"new\"}\n";
  dir.write(".results.json.tmp-Ab3dE9", new_results);
  dir.write("loss_history.csv", "iteration,loss,gradient_max,seconds\n0,1,1,0\n");
  const std::string journal = std::string(".loss_history.csv.tmp-zzzzzz") + '\0' + "loss_history.csv" + '\0' +
                              ".results.json.tmp-Ab3dE9" + '\0' + "results.json" + '\0' +
                              "../escape.tmp-aaaaaa" + '\0' + "x" + '\0';  // not ours: ignored
  dir.write(".tapegrad.commit", journal);
  dir.write(".loss.svg.tmp-Qq1234", "a stale temporary of a killed run");
  tapegrad::models::recover_outputs(dir.dir());
  CHECK(read_file(dir.path("results.json")) == new_results);
  CHECK_FALSE(fs::exists(dir.path(".tapegrad.commit")));
  CHECK_FALSE(fs::exists(dir.path(".results.json.tmp-Ab3dE9")));
  CHECK_FALSE(fs::exists(dir.path(".loss.svg.tmp-Qq1234")));
  CHECK_FALSE(fs::exists(dir.path("x")));
  // The next commit removes what a run killed while writing left behind, and leaves a user's
  // file that merely looks similar.
  dir.write(".loss_history.csv.tmp-QQQQQQ", "half a history of a killed r");
  dir.write(".notes.tmp-123", "mine");
  tapegrad::models::write_outputs(results("next", 2), dir.dir(), false);
  CHECK(fs::exists(dir.path(".notes.tmp-123")));
  CHECK_FALSE(fs::exists(dir.path(".loss_history.csv.tmp-QQQQQQ")));
  CHECK(snapshot(dir.dir()).size() == 3);  // results.json, loss_history.csv, .notes.tmp-123
}
