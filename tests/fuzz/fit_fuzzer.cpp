// Fuzz target: the whole `tapegrad fit` path on tiny generated experiments. The input is decoded
// into a small config (family, layers, optimizer and its options, mostly valid, sometimes not)
// and a small CSV (numbers, odd numbers, empty cells, text, or the input's own bytes), written to
// a scratch folder, then run as the command does: load_config, load_experiment, fit,
// format_summary, to_json and (on some inputs) write_outputs.
// Contract: every failure is an InputError (bad input) or a FitError; no other exception, no
// crash, no leak, no hang (at most 20 iterations on at most 16 rows). And no silent nonsense:
// the results list n_parameters parameters, and a fit reported as succeeded has a finite
// log-likelihood, AIC and BIC.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scratch_dir.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/report.hpp"

namespace {

using nlohmann::json;

template <class T, std::size_t N>
T pick(FuzzedDataProvider& in, const T (&values)[N]) {
  return values[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

// One cell: mostly a number the family accepts, sometimes anything a file may hold.
std::string cell(FuzzedDataProvider& in, const std::string& family, bool target) {
  const int kind = in.ConsumeIntegralInRange(0, 15);
  if (kind >= 4 || in.remaining_bytes() == 0) {
    if (target && family == "bernoulli") return in.ConsumeBool() ? "1" : "0";
    if (target && family == "poisson") return std::to_string(in.ConsumeIntegralInRange(0, 30));
    if (target && family == "categorical") return std::to_string(in.ConsumeIntegralInRange(0, 2));
    return std::to_string(in.ConsumeIntegralInRange(-1000, 1000) / 100.0);
  }
  switch (kind) {
    case 0: {  // any double, written exactly
      const double v = in.ConsumeFloatingPoint<double>();
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", v);
      return text;
    }
    case 1: {
      static const char* const odd[] = {"", "NA", "nan", "inf", "-inf", "1e308", "-1e-320", "0x10", "2147483648",
                                        "1,5", "\"2\"", " 3 ", "-0", "1e999", "abc", "\"a\nb\""};
      return pick(in, odd);
    }
    case 2: return in.ConsumeRandomLengthString(12);
    default: return std::to_string(in.ConsumeIntegralInRange<long long>(-1000000000000LL, 1000000000000LL));
  }
}

struct Experiment {
  std::string config;
  std::string csv;
  bool write = false;
};

Experiment decode(FuzzedDataProvider& in) {
  static const char* const families[] = {"gaussian", "bernoulli", "poisson", "categorical"};
  const std::string family = pick(in, families);
  const bool well_formed = in.ConsumeIntegralInRange(0, 7) != 0;  // otherwise pieces are shuffled

  json model = json::array();
  const int classes = 3;
  const std::size_t hidden = in.ConsumeIntegralInRange(0, 2);
  for (std::size_t k = 0; k < hidden; ++k) {
    static const char* const activations[] = {"tanh", "relu", "sigmoid", "identity", "exp", "softmax"};
    model.push_back({{"type", "linear"}, {"units", in.ConsumeIntegralInRange(1, 3)}, {"bias", in.ConsumeBool()}});
    model.push_back({{"type", pick(in, activations)}});
  }
  const int units = family == "categorical" ? (in.ConsumeBool() ? classes : classes - 1) : 1;
  model.push_back({{"type", "linear"}, {"units", well_formed ? units : in.ConsumeIntegralInRange(1, 4)}});
  static const char* const last[] = {"identity", "sigmoid", "exp", "softmax", "tanh", "relu"};
  const std::string end = family == "bernoulli" ? "sigmoid" : family == "poisson" ? "exp" : family == "categorical" ? "softmax" : "";
  if (!well_formed) {
    model.push_back({{"type", pick(in, last)}});
  } else if (!end.empty()) {
    model.push_back({{"type", end}});
  }

  json likelihood = {{"family", family}};
  if (family == "gaussian" && in.ConsumeBool()) likelihood["sigma"] = std::ldexp(1.0, in.ConsumeIntegralInRange(-30, 30));

  static const char* const optimizers[] = {"lbfgs", "newton", "adam", "sgd"};
  const std::string optimizer = pick(in, optimizers);
  json fit = {{"optimizer", optimizer},
              {"max_iterations", in.ConsumeIntegralInRange(1, 20)},
              {"tolerance", std::ldexp(1.0, -in.ConsumeIntegralInRange(1, 40))},
              {"seed", in.ConsumeIntegral<std::uint16_t>()},
              {"standard_errors", in.ConsumeBool()},
              {"threads", in.ConsumeIntegralInRange(1, 2)},
              {"init", in.ConsumeBool() ? "random" : "auto"}};
  if (optimizer == "adam" || optimizer == "sgd") {
    fit["batch_size"] = in.ConsumeIntegralInRange(1, 8);
    fit["learning_rate"] = std::ldexp(1.0, -in.ConsumeIntegralInRange(0, 12));
  }

  const std::size_t features = in.ConsumeIntegralInRange(0, 3);
  json data = {{"csv", "data.csv"}, {"target", "y"}, {"drop_missing", in.ConsumeBool()}};
  if (features > 0 && in.ConsumeBool()) {
    data["features"] = json::array();
    for (std::size_t j = 0; j < features; ++j) data["features"].push_back("x" + std::to_string(j));
  }

  Experiment out;
  out.write = in.ConsumeIntegralInRange(0, 3) == 0;
  out.config = json{{"name", "fuzz"}, {"data", data}, {"model", model}, {"likelihood", likelihood}, {"fit", fit},
                    {"output", {{"dir", "out"}, {"plot", false}}}}
                   .dump();

  // The header, then either generated rows or the rest of the input as the file's body.
  out.csv = "y";
  for (std::size_t j = 0; j < features; ++j) out.csv += ",x" + std::to_string(j);
  out.csv += "\n";
  if (in.ConsumeIntegralInRange(0, 7) == 0) {
    out.csv += in.ConsumeRemainingBytesAsString().substr(0, 2048);
  } else {
    const std::size_t rows = in.ConsumeIntegralInRange(0, 16);
    for (std::size_t i = 0; i < rows; ++i) {
      out.csv += cell(in, family, true);
      for (std::size_t j = 0; j < features; ++j) out.csv += "," + cell(in, family, false);
      out.csv += "\n";
    }
  }
  return out;
}

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fit_fuzzer: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace m = tapegrad::models;
  FuzzedDataProvider in(bytes, size);
  const Experiment e = decode(in);
  const auto& scratch = tapegrad_fuzz::scratch();
  scratch.write("data.csv", e.csv);
  const std::string config_path = scratch.write("fit.json", e.config);
  try {
    const m::ExperimentConfig config = m::load_config(config_path);
    m::Experiment experiment = m::load_experiment(config);
    const m::FitResults results = m::fit(experiment);
    require(results.parameters.size() == results.n_parameters, "parameters listed != n_parameters");
    if (results.succeeded())
      require(std::isfinite(results.log_likelihood) && std::isfinite(results.aic) && std::isfinite(results.bic),
              "a fit reported as succeeded with a log-likelihood, AIC or BIC that is not finite");
    (void)m::format_summary(results);
    (void)m::to_json(results).dump();
    if (e.write) (void)m::write_outputs(results, config.output.dir, false);
  } catch (const m::InputError&) {
  } catch (const m::FitError&) {
  }
  return 0;
}
