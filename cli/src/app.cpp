#include "tapegrad/cli/app.hpp"
#include "tapegrad/cli/interrupts.hpp"

#include <CLI/CLI.hpp>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iomanip>
#include <string>
#include <vector>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/model_check.hpp"
#include "tapegrad/models/optimizer.hpp"
#include "tapegrad/models/output_files.hpp"
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

// While it lives, SIGINT and SIGTERM do what tapegrad/cli/interrupts.hpp says, by the phase
// the run has entered.
class InterruptGuard {
 public:
  InterruptGuard() {
    m::clear_stop();  // a request left by an earlier run in this process
    phase_ = static_cast<int>(RunPhase::loading);
    first_ = 0;
    pending_ = 0;
    struct sigaction action {};
    action.sa_handler = &InterruptGuard::on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &previous_int_);
    ::sigaction(SIGTERM, &action, &previous_term_);
  }
  ~InterruptGuard() {
    ::sigaction(SIGINT, &previous_int_, nullptr);
    ::sigaction(SIGTERM, &previous_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  void enter(RunPhase phase) { phase_ = static_cast<int>(phase); }
  // The signal that must end the program once the files are written (0: none).
  int pending() const { return pending_; }

 private:
  static void on_signal(int signal) {  // async-signal-safe calls only
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const std::int64_t at = static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec + 1;  // + 1: never 0
    switch (on_interrupt(static_cast<RunPhase>(phase_.load()), first_, at)) {
      case InterruptAction::exit_now: ::_exit(128 + signal);
      case InterruptAction::stop: m::request_stop(); break;
      case InterruptAction::stop_and_exit_later:
        m::request_stop();
        pending_ = signal;
        break;
      case InterruptAction::exit_later: pending_ = signal; break;
      case InterruptAction::ignore: break;
    }
    if (first_ == 0) first_ = at;
  }
  static_assert(std::atomic<std::int64_t>::is_always_lock_free, "the signal handler needs lock-free atomics");
  static inline std::atomic<int> phase_{0};
  static inline std::atomic<std::int64_t> first_{0};  // monotonic nanoseconds of the first signal, + 1
  static inline std::atomic<int> pending_{0};
  struct sigaction previous_int_ {}, previous_term_ {};
};

// Swallows what is written to it: the output of ranks other than 0.
class NullStream : public std::ostream {
 public:
  NullStream() : std::ostream(nullptr) {}
};

int fit(FitArguments args, std::ostream& out_stream, std::ostream& err, m::Communicator* communicator) {
  InterruptGuard interrupts;  // the rules: tapegrad/cli/interrupts.hpp
  // Only rank 0 of a distributed fit prints and writes (errors all ranks agreed on included).
  const bool reporter = !communicator || communicator->rank() == 0;
  NullStream null;
  std::ostream& out = reporter ? out_stream : null;
  if (!reporter) args.quiet = true;
  m::ExperimentConfig config = m::load_config(args.config);
  if (!args.output.empty()) config.output.dir = args.output;
  if (args.no_plot) config.output.plot = false;
  // Outputs never overwrite inputs: checked before the fit, so no work is lost to a refusal.
  const std::vector<std::string> inputs = {args.config, config.data.csv};
  try {
    m::refuse_overlap(m::output_paths(config.output.dir, config.output.plot), inputs);
  } catch (const m::InputError& e) {
    if (reporter) throw;
    throw m::InputError("rank " + std::to_string(communicator->rank()) + ": " + e.what());  // printed by rank 0 only
  }
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
  interrupts.enter(RunPhase::fitting);
  const bool standard_errors = config.fit.standard_errors;
  const std::size_t parameters = experiment.model->parameter_count();
  const m::FitResults results = m::fit(experiment, std::ref(progress), [&] {
    interrupts.enter(RunPhase::estimated);
    if (!args.quiet && standard_errors && !m::stop_requested())
      err << "standard errors: the Hessian of " << parameters
          << " parameters at the estimate (an interrupt now skips them and writes the estimate)" << std::endl;
  });
  interrupts.enter(RunPhase::writing);
  out << m::format_summary(results);

  if (!args.quiet && communicator)
    err << "communication: " << communicator->bytes_summed << " bytes summed from this rank over "
        << results.evaluations << " evaluations" << std::endl;
  m::WrittenFiles files;
  try {
    if (reporter) files = m::write_outputs(results, config.output.dir, config.output.plot, inputs);
  } catch (const std::exception& e) {
    err << "tapegrad: " << e.what() << "\n";
    return interrupts.pending() ? 128 + interrupts.pending() : kBadInput;
  }
  if (!args.quiet) {
    out << "\nwrote " << files.results << ", " << files.history;
    if (!files.plot.empty()) out << ", " << files.plot;
    out << (files.plot.empty() ? " (no plot: " + files.plot_note + ")" : "") << "\n";
  }
  if (interrupts.pending()) return 128 + interrupts.pending();
  if (!results.succeeded()) {
    if (!reporter) return kFailed;
    std::string why = results.inference == m::Inference::no_finite_mle ? results.inference_note : results.message;
    if (results.interrupted && results.status != m::OptimizerStatus::interrupted) why = results.inference_note;
    err << "tapegrad fit: " << why << "\n";
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
