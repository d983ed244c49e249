// results.json as write_outputs leaves it: always valid JSON that a script can read back.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tapegrad/models/report.hpp"
#include "temp_dir.hpp"

using tapegrad::models::FitResults;

namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

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
