#include "tapegrad/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <unistd.h>
#include <cstdio>
#include <iomanip>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/model_check.hpp"
#include "tapegrad/models/optimizer.hpp"
#include "tapegrad/models/report.hpp"

namespace tapegrad::cli {

namespace {

namespace m = tapegrad::models;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kBadInput = 2;

struct FitArguments {
  std::string config;
  std::string output;
  bool quiet = false;
  bool no_plot = false;
};

struct CheckArguments {
  std::string config;
  int points = 3;
  std::uint64_t seed = 0;
};

// A line every second on fits that take more than one.
class Progress {
 public:
  Progress(std::ostream& err, bool quiet) : err_(err), quiet_(quiet) {}
  void operator()(const m::IterationRecord& r) {
    if (quiet_ || r.seconds < next_) return;
    next_ = r.seconds + 1.0;
    if (r.seconds < 1.0) return;
    err_ << "  iteration " << std::setw(6) << r.iteration << "  loss " << std::setprecision(10) << r.value
         << "  max|gradient| " << std::setprecision(3) << r.gradient_norm << "  " << std::fixed << std::setprecision(1)
         << r.seconds << " s" << std::defaultfloat << std::endl;
  }

 private:
  std::ostream& err_;
  bool quiet_;
  double next_ = 1.0;
};

// While it lives, the first SIGINT asks the optimizer to stop (the fit then returns its best
// parameters, marked interrupted, and they are written); another one more than a second later
// ends the program. (One Ctrl-C can arrive twice: `timeout` signals the process and its group.)
class InterruptGuard {
 public:
  InterruptGuard() {
    first_ = 0;
    previous_ = std::signal(SIGINT, &InterruptGuard::on_signal);
  }
  ~InterruptGuard() { std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  static void on_signal(int) {  // async-signal-safe calls only
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    if (first_ == 0) {
      first_ = now.tv_sec + 1;  // + 1: never 0
      m::request_stop();
    } else if (now.tv_sec + 1 > first_ + 1) {
      ::_exit(130);
    }
  }
  static inline volatile std::sig_atomic_t first_ = 0;  // seconds of the first SIGINT, + 1
  void (*previous_)(int) = SIG_DFL;
};

// Swallows what is written to it: the output of ranks other than 0.
class NullStream : public std::ostream {
 public:
  NullStream() : std::ostream(nullptr) {}
};

int fit(FitArguments args, std::ostream& out_stream, std::ostream& err, m::Communicator* communicator) {
  // Only rank 0 of a distributed fit prints and writes (errors all ranks agreed on included).
  const bool reporter = !communicator || communicator->rank() == 0;
  NullStream null;
  std::ostream& out = reporter ? out_stream : null;
  if (!reporter) args.quiet = true;
  m::ExperimentConfig config = m::load_config(args.config);
  if (!args.output.empty()) config.output.dir = args.output;
  if (args.no_plot) config.output.plot = false;
  m::Experiment experiment = m::load_experiment(config, communicator);
  if (!args.quiet && communicator)
    err << "distributed over " << communicator->size() << " processes: " << experiment.total_rows
        << " rows in all" << std::endl;
  if (!args.quiet)
    err << "loaded " << experiment.data.rows() << " rows x " << experiment.data.features.cols() << " features from "
        << experiment.data.source << " in " << std::setprecision(3) << experiment.load_seconds << " s"
        << (experiment.data.rows_dropped ? " (" + std::to_string(experiment.data.rows_dropped) + " rows with missing cells dropped)" : "")
        << "; fitting " << experiment.model->parameter_count() << " parameters with " << config.fit.optimizer.method
        << std::endl;
  Progress progress(err, args.quiet);
  m::FitResults results;
  {
    const InterruptGuard interrupts;  // Ctrl-C: stop after this iteration, write the best so far
    results = m::fit(experiment, std::ref(progress));
  }
  out << m::format_summary(results);

  if (!args.quiet && communicator)
    err << "communication: " << communicator->bytes_summed << " bytes summed from this rank over "
        << results.evaluations << " evaluations" << std::endl;
  m::WrittenFiles files;
  try {
    if (reporter) files = m::write_outputs(results, config.output.dir, config.output.plot);
  } catch (const std::exception& e) {
    err << "tapegrad: " << e.what() << "\n";
    return kBadInput;
  }
  if (!args.quiet) {
    out << "\nwrote " << files.results << ", " << files.history;
    if (!files.plot.empty()) out << ", " << files.plot;
    out << (files.plot.empty() ? " (no plot: " + files.plot_note + ")" : "") << "\n";
  }
  if (!results.succeeded()) {
    if (!reporter) return kFailed;
    err << "tapegrad fit: "
        << (results.inference == m::Inference::no_finite_mle ? results.inference_note : results.message) << "\n";
    return kFailed;
  }
  return kOk;
}

int check(const CheckArguments& args, std::ostream& out) {
  const m::ExperimentConfig config = m::load_config(args.config);
  const m::Experiment experiment = m::load_experiment(config);
  m::ModelCheckOptions options;
  options.random_points = args.points;
  options.seed = args.seed;
  const m::ModelCheckResults results = m::check_model(experiment, options);
  const std::size_t p = experiment.model->parameter_count();
  for (const auto& point : results.points) {
    out << point.label << ":\n";
    // A table a person can read for small models; the summary and the failures for large ones.
    if (p <= 40) {
      out << point.report.table(false);
    } else {
      CheckReport failures = point.report;
      failures.rows.erase(std::remove_if(failures.rows.begin(), failures.rows.end(), [](const CheckRow& r) { return r.passed; }),
                          failures.rows.end());
      if (!failures.rows.empty()) out << failures.table(false);
    }
    out << point.report.summary() << "\n\n";
  }
  out << "gradient check of " << config.name << ": " << (results.passed ? "PASSED" : "FAILED") << " at "
      << results.points.size() << " points, " << p << " parameters\n";
  return results.passed ? kOk : kFailed;
}

// A failure every rank agreed on ("rank r: ...") is printed once, by rank 0.
bool should_print(const std::exception& e, const m::Communicator* communicator) {
  return !communicator || communicator->rank() == 0 || std::string(e.what()).rfind("rank ", 0) != 0;
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, m::Communicator* communicator) {
  CLI::App app{"tapegrad: fit models by maximum likelihood with exact gradients", "tapegrad"};
  app.set_version_flag("--version", "tapegrad 0.1.0");
  app.require_subcommand(1);
  FitArguments fit_args;
  CLI::App* fit_command = app.add_subcommand("fit", "fit CONFIG and print estimates with standard errors");
  fit_command->add_option("config", fit_args.config, "the JSON experiment config")->required();
  fit_command->add_option("-o,--output", fit_args.output, "output folder (default: the config's output.dir)");
  fit_command->add_flag("-q,--quiet", fit_args.quiet, "print the summary only: no progress, no file list");
  fit_command->add_flag("--no-plot", fit_args.no_plot, "do not draw the loss curve");
  CheckArguments check_args;
  CLI::App* check_command = app.add_subcommand("check", "compare the model's gradient with finite differences");
  check_command->add_option("config", check_args.config, "the JSON experiment config")->required();
  check_command->add_option("--points", check_args.points, "random points besides the starting point")
      ->check(CLI::Range(0, 1000));
  check_command->add_option("--seed", check_args.seed, "seed of the random points");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kOk;
  } catch (const CLI::CallForVersion&) {
    out << "tapegrad 0.1.0\n";
    return kOk;
  } catch (const CLI::ParseError& e) {
    err << "tapegrad: " << e.what() << "\n" << "run 'tapegrad --help' for usage\n";
    return kBadInput;
  }
  try {
    if (*fit_command) return fit(fit_args, out, err, communicator);
    return check(check_args, out);
  } catch (const m::InputError& e) {
    if (should_print(e, communicator)) err << "tapegrad: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::exception& e) {
    if (should_print(e, communicator)) err << "tapegrad: " << e.what() << "\n";
    return kFailed;
  }
}

}  // namespace tapegrad::cli
