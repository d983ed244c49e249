// A distributed fit in one process: ranks are threads joined by a communicator of shared
// memory, so what mpirun does (each rank reading its share of the rows, the classes agreed, an
// idle rank) is tested without MPI. Every split must give the single-process fit.
#include <catch2/catch.hpp>

#include <cmath>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "temp_dir.hpp"

namespace {

using tapegrad::models::Communicator;
using tapegrad::models::Experiment;
using tapegrad::models::FitResults;
using tapegrad::models::InputError;

// What every rank's communicator shares: one slot per rank and a reusable barrier.
class Exchange {
 public:
  explicit Exchange(int ranks) : ranks_(ranks), slots_(static_cast<std::size_t>(ranks)) {}
  int ranks() const { return ranks_; }
  // Every rank's `mine`, in rank order (each rank calls it once per collective).
  std::vector<std::string> gather(int rank, std::string mine) {
    slots_[static_cast<std::size_t>(rank)] = std::move(mine);
    wait();
    std::vector<std::string> all = slots_;
    wait();
    return all;
  }

 private:
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    const long generation = generation_;
    if (++arrived_ == ranks_) {
      arrived_ = 0;
      ++generation_;
      done_.notify_all();
    } else {
      done_.wait(lock, [&] { return generation_ != generation; });
    }
  }
  int ranks_;
  std::vector<std::string> slots_;
  std::mutex mutex_;
  std::condition_variable done_;
  int arrived_ = 0;
  long generation_ = 0;
};

std::string bytes_of(const double* data, std::size_t n) {
  return std::string(reinterpret_cast<const char*>(data), n * sizeof(double));
}

class ThreadCommunicator final : public Communicator {
 public:
  ThreadCommunicator(Exchange& exchange, int rank) : exchange_(exchange), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return exchange_.ranks(); }
  void sum(double* data, std::size_t n) override {  // in rank order, as the MPI communicator
    const std::vector<std::string> all = exchange_.gather(rank_, bytes_of(data, n));
    for (std::size_t i = 0; i < n; ++i) {
      double total = 0;
      for (const std::string& from : all) total += reinterpret_cast<const double*>(from.data())[i];
      data[i] = total;
    }
  }
  void broadcast(double* data, std::size_t n) override {
    const std::vector<std::string> all = exchange_.gather(rank_, bytes_of(data, n));
    std::copy_n(reinterpret_cast<const double*>(all[0].data()), n, data);
  }
  void agree(const std::string& error, bool input_error) override {
    const std::vector<std::string> all = exchange_.gather(rank_, error.empty() ? "" : (input_error ? "I" : "R") + error);
    for (std::size_t r = 0; r < all.size(); ++r) {
      if (all[r].empty()) continue;
      const std::string message = "rank " + std::to_string(r) + ": " + all[r].substr(1);
      if (all[r][0] == 'I') throw InputError(message);
      throw std::runtime_error(message);
    }
  }
  std::vector<std::string> all_gather(const std::string& mine) override { return exchange_.gather(rank_, mine); }

 private:
  Exchange& exchange_;
  int rank_;
};

// Each rank's fit (or error) of `config` on `ranks` threads.
struct RankOutcome {
  std::string error;
  FitResults fit;
  std::vector<std::string> classes;
  std::size_t rows = 0;
};

std::vector<RankOutcome> fit_on_ranks(const std::string& config, int ranks) {
  Exchange exchange(ranks);
  std::vector<RankOutcome> out(static_cast<std::size_t>(ranks));
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      RankOutcome& o = out[static_cast<std::size_t>(r)];
      ThreadCommunicator comm(exchange, r);
      try {
        Experiment e = tapegrad::models::load_experiment(tapegrad::models::load_config(config), &comm);
        o.rows = e.data.rows();
        o.classes = e.data.class_names;
        o.fit = tapegrad::models::fit(e);
      } catch (const std::exception& e) {
        o.error = e.what();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

FitResults fit_alone(const std::string& config) {
  Experiment e = tapegrad::models::load_experiment(tapegrad::models::load_config(config));
  return tapegrad::models::fit(e);
}

// Every rank reports the single-process fit (sums in another order only: 1e-8 relative).
void check_same_fit(const std::vector<RankOutcome>& ranks, const FitResults& alone) {
  for (const RankOutcome& o : ranks) {
    INFO(o.error);
    REQUIRE(o.error.empty());
    CHECK(o.fit.n_observations == alone.n_observations);
    CHECK(std::abs(o.fit.log_likelihood - alone.log_likelihood) <= 1e-8 * std::abs(alone.log_likelihood));
    REQUIRE(o.fit.parameters.size() == alone.parameters.size());
    for (std::size_t j = 0; j < alone.parameters.size(); ++j) {
      CHECK(o.fit.parameters[j].name == alone.parameters[j].name);
      CHECK(std::abs(o.fit.parameters[j].value - alone.parameters[j].value) <=
            1e-6 * (1 + std::abs(alone.parameters[j].value)));
    }
  }
}

std::string config_for(const std::string& csv, const std::string& target, const std::string& model,
                       const std::string& likelihood, const std::string& data_extra = "") {
  return R"({"name": "split", "data": {"csv": ")" + csv + R"(", "target": ")" + target + "\"" + data_extra +
         R"(}, "model": )" + model + R"(, "likelihood": )" + likelihood +
         R"(, "fit": {"threads": 1, "tolerance": 1e-10, "standard_errors": false}})";
}

const char* kLine = R"([{"type": "linear", "units": 1}])";
const char* kGaussian = R"({"family": "gaussian", "sigma": "learned"})";

}  // namespace

TEST_CASE("distributed loading: CR-only line ends give every rank its share, not the whole file", "[distributed]") {
  tapegrad::testing::TempDir dir;
  dir.write("cr.csv", "x,y\r1,2.1\r2,3.9\r3,6.2\r4,7.8\r5,10.1\r6,12.2\r7,13.8\r8,16.1\r");
  const std::string config = dir.write("config.json", config_for("cr.csv", "y", kLine, kGaussian));
  const FitResults alone = fit_alone(config);
  REQUIRE(alone.n_observations == 8);
  for (int ranks : {2, 3}) {
    const auto out = fit_on_ranks(config, ranks);
    check_same_fit(out, alone);
    std::size_t rows = 0;
    for (const auto& o : out) rows += o.rows;
    CHECK(rows == 8);
  }
}

TEST_CASE("distributed loading: more ranks than rows, and a share emptied by drop_missing, fit as one process",
          "[distributed]") {
  tapegrad::testing::TempDir dir;
  dir.write("three.csv", "y\n1.5\n2.5\n4.0\n");
  const std::string few = dir.write("few.json", config_for("three.csv", "y", kLine, kGaussian));
  const auto out = fit_on_ranks(few, 5);
  check_same_fit(out, fit_alone(few));
  std::size_t rows = 0, idle = 0;
  for (const auto& o : out) {
    rows += o.rows;
    idle += o.rows == 0 ? 1 : 0;
  }
  CHECK(rows == 3);
  CHECK(idle >= 2);
  // The first half of the rows all have a missing cell: rank 0 keeps none.
  std::string csv = "x,y\n";
  for (int i = 0; i < 10; ++i) csv += "NA," + std::to_string(i) + "\n";
  for (int i = 0; i < 10; ++i) csv += std::to_string(i) + "," + std::to_string(2 * i + (i % 3)) + "\n";
  dir.write("half.csv", csv);
  const std::string half =
      dir.write("half.json", config_for("half.csv", "y", kLine, kGaussian, R"(, "drop_missing": true)"));
  const auto split = fit_on_ranks(half, 2);
  check_same_fit(split, fit_alone(half));
  CHECK(split[0].rows == 0);
  // No row at all on any rank: the single-process error.
  dir.write("none.csv", "x,y\nNA,1\n2,NA\n");
  const std::string none =
      dir.write("none.json", config_for("none.csv", "y", kLine, kGaussian, R"(, "drop_missing": true)"));
  for (const auto& o : fit_on_ranks(none, 3))
    CHECK_THAT(o.error, Catch::Matchers::Contains("none.csv: no data rows left: all 2 rows have a missing cell"));
}

TEST_CASE("distributed loading: the classes are agreed over the ranks, as one process finds them", "[distributed]") {
  tapegrad::testing::TempDir dir;
  // Sorted by class: each rank's share lacks some class, and a quoted label splits by rows.
  std::string csv = "x,label\n";
  const char* labels[] = {"\"a\"", "b", "c"};
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 12; ++i) csv += std::to_string(i % 5 + c * 0.5 + (i % 2) * 2) + "," + labels[c] + "\n";
  dir.write("classes.csv", csv);
  const std::string config = dir.write(
      "config.json", config_for("classes.csv", "label", R"([{"type": "linear", "units": 2}, {"type": "softmax"}])",
                                R"({"family": "categorical", "reference_class": "a"})"));
  const FitResults alone = fit_alone(config);
  for (int ranks : {2, 3, 5}) {
    const auto out = fit_on_ranks(config, ranks);
    for (const auto& o : out) CHECK(o.classes == std::vector<std::string>{"a", "b", "c"});
    check_same_fit(out, alone);
  }
}

TEST_CASE("distributed loading: a bad label names the file's line, from the rank that holds it", "[distributed]") {
  tapegrad::testing::TempDir dir;
  std::string csv = "x,y\n\n";  // a blank line: data row r is on line r + 2
  for (int i = 0; i < 20; ++i) csv += std::to_string(i) + "," + (i == 15 ? "2" : std::to_string(i % 2)) + "\n";
  dir.write("binary.csv", csv);
  const std::string config = dir.write(
      "config.json", config_for("binary.csv", "y", R"([{"type": "linear", "units": 1}, {"type": "sigmoid"}])",
                                R"({"family": "bernoulli"})"));
  CHECK_THROWS_WITH(fit_alone(config), Catch::Matchers::Contains("binary.csv: line 18, column \"y\": bernoulli needs 0 or 1, found 2"));
  for (const auto& o : fit_on_ranks(config, 2))
    CHECK_THAT(o.error, Catch::Matchers::Contains("rank 1: ") &&
                            Catch::Matchers::Contains("binary.csv: line 18, column \"y\": bernoulli needs 0 or 1, found 2"));
}
