// Fuzz target: results.json, written and read back. FitResults are built from the bytes (any
// double bit pattern, NaN and infinities included; any bytes in names and messages), written by
// write_outputs and parsed again with nlohmann::json. Contract: the file is always valid JSON
// whose fields equal the results (a non-finite number as null), and writing throws nothing.
// models/ has no reader of results.json: a script's parser is the reader that matters.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "scratch_dir.hpp"
#include "tapegrad/models/report.hpp"

namespace {

using tapegrad::models::FitResults;
using nlohmann::json;

double any_double(FuzzedDataProvider& in) {
  const std::uint64_t bits = in.ConsumeIntegral<std::uint64_t>();
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

std::string any_string(FuzzedDataProvider& in) { return in.ConsumeRandomLengthString(64); }

FitResults results_from(FuzzedDataProvider& in) {
  FitResults r;
  r.name = any_string(in);
  r.family = any_string(in);
  r.optimizer = any_string(in);
  r.message = any_string(in);
  r.n_observations = in.ConsumeIntegral<std::size_t>();
  r.n_parameters = in.ConsumeIntegral<std::size_t>();
  r.log_likelihood = any_double(in);
  r.aic = any_double(in);
  r.bic = any_double(in);
  r.converged = in.ConsumeBool();
  r.status = static_cast<tapegrad::models::OptimizerStatus>(in.ConsumeIntegralInRange(0, 3));
  r.iterations = in.ConsumeIntegral<int>();
  r.evaluations = in.ConsumeIntegral<int>();
  r.gradient_max = any_double(in);
  r.inference = static_cast<tapegrad::models::Inference>(in.ConsumeIntegralInRange(0, 3));
  if (in.ConsumeBool()) r.inference_note = any_string(in);
  const int n_diverging = in.ConsumeIntegralInRange(0, 3);
  for (int k = 0; k < n_diverging; ++k) {
    r.diverging_parameters.push_back(any_string(in));
    r.diverging_signs.push_back(in.ConsumeBool() ? 1 : -1);
  }
  const int n_flat = in.ConsumeIntegralInRange(0, 3);
  for (int k = 0; k < n_flat; ++k) r.flat_parameters.push_back(any_string(in));
  r.load_seconds = any_double(in);
  r.fit_seconds = any_double(in);
  r.inference_seconds = any_double(in);
  const int n_history = in.ConsumeIntegralInRange(0, 4);
  for (int k = 0; k < n_history; ++k) r.history.push_back({k, any_double(in), any_double(in), any_double(in)});
  while (in.remaining_bytes() > 0) r.parameters.push_back({any_string(in), any_double(in), any_double(in)});
  return r;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "results.json round trip: %s\n", what);
  std::abort();
}

// A number as results.json must hold it: itself where finite, null where not.
void expect_number(const json& got, double expected, const char* what) {
  if (!std::isfinite(expected)) {
    if (!got.is_null()) fail(what);
  } else if (!got.is_number() || got.get<double>() != expected) {
    fail(what);
  }
}

// A string as results.json must hold it: the same text where it is UTF-8 (the JSON standard
// allows nothing else; other bytes are replaced, not dropped, and never break the file).
void expect_text(const json& got, const std::string& expected, const char* what) {
  const json written = json::parse(json(expected).dump(-1, ' ', false, json::error_handler_t::replace));
  if (!got.is_string() || got != written) fail(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const FitResults r = results_from(in);
  const std::string dir = tapegrad_fuzz::scratch().path("run");
  const tapegrad::models::WrittenFiles files = tapegrad::models::write_outputs(r, dir, /*plot=*/false);

  std::ifstream file(files.results, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  const json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) fail("not valid JSON");

  expect_text(j.at("name"), r.name, "name");
  expect_text(j.at("family"), r.family, "family");
  expect_text(j.at("optimizer"), r.optimizer, "optimizer");
  expect_text(j.at("message"), r.message, "message");
  expect_number(j.at("log_likelihood"), r.log_likelihood, "log_likelihood");
  expect_number(j.at("aic"), r.aic, "aic");
  expect_number(j.at("bic"), r.bic, "bic");
  expect_number(j.at("gradient_max"), r.gradient_max, "gradient_max");
  if (j.at("n_observations").get<std::size_t>() != r.n_observations) fail("n_observations");
  if (j.at("n_parameters").get<std::size_t>() != r.n_parameters) fail("n_parameters");
  if (j.at("converged").get<bool>() != r.converged) fail("converged");
  if (j.at("iterations").get<int>() != r.iterations) fail("iterations");
  if (j.at("evaluations").get<int>() != r.evaluations) fail("evaluations");
  expect_number(j.at("seconds").at("load"), r.load_seconds, "seconds.load");
  expect_number(j.at("seconds").at("fit"), r.fit_seconds, "seconds.fit");
  expect_number(j.at("seconds").at("inference"), r.inference_seconds, "seconds.inference");
  if (!r.inference_note.empty()) expect_text(j.at("inference_note"), r.inference_note, "inference_note");
  for (std::size_t k = 0; k < r.diverging_parameters.size(); ++k) {
    expect_text(j.at("diverging_parameters").at(k), r.diverging_parameters[k], "diverging_parameters");
    if (j.at("diverging_signs").at(k).get<int>() != r.diverging_signs[k]) fail("diverging_signs");
  }
  for (std::size_t k = 0; k < r.flat_parameters.size(); ++k)
    expect_text(j.at("flat_parameters").at(k), r.flat_parameters[k], "flat_parameters");
  const json& parameters = j.at("parameters");
  if (!parameters.is_array() || parameters.size() != r.parameters.size()) fail("parameters: count");
  for (std::size_t k = 0; k < r.parameters.size(); ++k) {
    expect_text(parameters[k].at("name"), r.parameters[k].name, "parameters: name");
    expect_number(parameters[k].at("value"), r.parameters[k].value, "parameters: value");
    expect_number(parameters[k].at("std_error"), r.parameters[k].std_error, "parameters: std_error");
  }
  return 0;
}
