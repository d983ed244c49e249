// results.json as write_outputs leaves it: always valid JSON that a script can read back.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tapegrad/models/report.hpp"
#include "temp_dir.hpp"

using tapegrad::models::FitResults;

namespace {

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(tapegrad::testing::read_file(path)); }

}  // namespace

// Found by tests/fuzz/results_json_fuzzer: a parameter named after a CSV header that is not
// UTF-8 (a Latin-1 file) made write_outputs throw nlohmann's type_error 316.
TEST_CASE("report: names that are not UTF-8 are written replaced, as valid JSON", "[report]") {
  tapegrad::testing::TempDir tmp;
  FitResults r;
  r.name = "caf\xe9";  // Latin-1 e-acute
  r.parameters.push_back({"linear0.weight[0,Gr\xf6\xdf" "e]", 1.5, NAN});
  const auto files = tapegrad::models::write_outputs(r, tmp.path("run"), false);
  const nlohmann::json j = read_json(files.results);
  CHECK(j.at("name") == "caf\xef\xbf\xbd");  // U+FFFD REPLACEMENT CHARACTER
  CHECK(j.at("parameters").at(0).at("name") == "linear0.weight[0,Gr\xef\xbf\xbd\xef\xbf\xbd" "e]");
  CHECK(j.at("parameters").at(0).at("value") == 1.5);
  CHECK(j.at("parameters").at(0).at("std_error").is_null());
}

TEST_CASE("write_outputs replaces results.json in one step, a failed write leaves the old file whole", "[report]") {
  tapegrad::testing::TempDir dir;
  FitResults r;
  r.name = "first";
  r.parameters = {{"a", 1.5, 0.1}};
  tapegrad::models::write_outputs(r, dir.dir(), false);
  const std::string path = dir.path("results.json");
  CHECK(read_json(path)["name"] == "first");
  for (const auto& entry : std::filesystem::directory_iterator(dir.dir()))  // no temporary left behind
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);

  // One file of the set cannot be written (a folder stands in its place): the write fails,
  // loudly, and the old results stay as they were.
  std::filesystem::create_directory(dir.path("loss.svg"));
  r.name = "second";
  CHECK_THROWS_WITH(tapegrad::models::write_outputs(r, dir.dir(), true), Catch::Matchers::Contains("is a folder"));
  CHECK(read_json(path)["name"] == "first");
  CHECK_FALSE(std::filesystem::exists(dir.path("loss.csv")));
}

namespace {

// The whitespace-separated words of the summary line that starts with `name`.
std::vector<std::string> words_of_row(const std::string& summary, const std::string& name) {
  std::istringstream lines(summary);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + " ", 0) != 0) continue;
    std::istringstream in(line.substr(name.size()));
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
  }
  return {};
}

FitResults converged_with_standard_errors() {
  FitResults r;
  r.name = "extremes";
  r.converged = true;
  r.status = tapegrad::models::OptimizerStatus::converged;
  r.inference = tapegrad::models::Inference::standard_errors;
  return r;
}

}  // namespace

TEST_CASE("format_summary: columns are separated whatever the magnitudes and the name lengths", "[report]") {
  FitResults r = converged_with_standard_errors();
  const double inf = std::numeric_limits<double>::infinity();
  // value, std_error: every column of each row must come out as its own word.
  const std::vector<std::pair<double, double>> rows = {
      {20.7, 6.4475e-06},  {1e-300, 1e-300}, {1e300, 1e-300}, {-1e300, 1e300}, {-3.2e-7, 4.4e-12},
      {NAN, 1.0},          {inf, 2.0},       {-inf, NAN},     {123456789012.0, 1.5e-5}, {-0.5, inf}};
  for (std::size_t i = 0; i < rows.size(); ++i)
    r.parameters.push_back({"p" + std::to_string(i), rows[i].first, rows[i].second});
  r.parameters.push_back({std::string(80, 'w'), -987654321.123, 1e-9});  // a long name
  r.parameters.push_back({"x", 5.0, 1.0});                                // a short one
  const std::string summary = tapegrad::models::format_summary(r);
  INFO(summary);
  for (const auto& p : r.parameters) {
    INFO(p.name);
    const std::vector<std::string> words = words_of_row(summary, p.name);
    // Estimate, Std. Error, z value, Pr(>|z|), and the stars when there are any.
    REQUIRE(words.size() >= 4);
    CHECK(words.size() <= 5);
    const double read = std::strtod(words[0].c_str(), nullptr);
    if (std::isnan(p.value)) CHECK(std::isnan(read));
    else CHECK(read == Approx(p.value).epsilon(1e-6));
  }
}

TEST_CASE("format_summary of a fit that did not converge: says so first, no p-values or stars", "[report]") {
  FitResults r = converged_with_standard_errors();
  r.converged = false;
  r.status = tapegrad::models::OptimizerStatus::max_iterations;
  r.inference = tapegrad::models::Inference::not_computed;
  r.inference_note = "the fit did not converge, so these are not maximum-likelihood estimates";
  r.parameters = {{"a", 1.5, NAN}, {"b", -2.5, NAN}};
  const std::string summary = tapegrad::models::format_summary(r);
  INFO(summary);
  CHECK(summary.rfind("NOT CONVERGED: these are not maximum-likelihood estimates", 0) == 0);
  CHECK(summary.find("Pr(>|z|)") == std::string::npos);
  CHECK(summary.find("*") == std::string::npos);
  CHECK(summary.find("Signif. codes") == std::string::npos);
  // Even if standard errors were left in the results, a non-converged fit prints none.
  r.inference = tapegrad::models::Inference::standard_errors;
  r.parameters = {{"a", 1.5, 0.01}};
  CHECK(tapegrad::models::format_summary(r).find("Pr(>|z|)") == std::string::npos);
}

TEST_CASE("to_json keeps every key and adds newton_decrement (null where not computed)", "[report]") {
  FitResults r = converged_with_standard_errors();
  r.newton_decrement = 3e-12;
  r.parameters = {{"a", 1.5, 0.1}};
  const nlohmann::json j = tapegrad::models::to_json(r);
  for (const char* key : {"name", "family", "optimizer", "log_likelihood", "n_observations", "n_parameters", "aic", "bic",
                          "converged", "status", "message", "iterations", "evaluations", "gradient_max", "inference",
                          "parameters", "seconds", "threads", "processes", "newton_decrement"})
    CHECK(j.contains(key));
  CHECK(j["newton_decrement"] == 3e-12);
  r.newton_decrement = NAN;
  CHECK(tapegrad::models::to_json(r)["newton_decrement"].is_null());
}
