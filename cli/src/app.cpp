// The `tapegrad` command: arguments, the subcommands, and the one exit-status rule:
//   0  success.
//   1  the fit or the check failed on good input: no convergence, no finite maximum-likelihood
//      estimate, a gradient mismatch, or an unexpected error inside the computation (printed as
//      a sentence naming the stage, never as a raw exception or a crash).
//   2  a problem with the inputs: a file or path (missing, unreadable, not a regular file, too
//      large), the JSON (syntax, a duplicate key, a bad value), the CSV, a command-line option,
//      or a limit. Running out of memory is one of these (std::bad_alloc: the config, data or
//      model is too large for this machine; the message says at which stage). The message names
//      the file, JSON path, CSV line and column or option, what was found and what was expected,
//      with any echoed user text shortened and its control characters escaped.
// Under mpirun every rank exits with the same status and one rank (0) prints.
#include "tapegrad/cli/app.hpp"
#include "tapegrad/cli/interrupts.hpp"

#include <CLI/CLI.hpp>
#include <signal.h>
#include <time.h>

#include <charconv>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <string>
#include <vector>
#include <new>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/model_check.hpp"
#include "tapegrad/models/optimizer.hpp"
#include "tapegrad/models/output_files.hpp"
#include "tapegrad/models/report.hpp"
#include "tapegrad/models/text.hpp"

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

// What the command is doing, for the message when memory runs out or an unexpected error
// escapes ("out of memory while reading the data").
thread_local const char* current_stage = "reading the command line";
void stage(const char* what) { current_stage = what; }

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
  stage("reading the config");
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
  stage("reading the data and building the model");
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
  stage("fitting (the optimizer, then the standard errors)");
  const std::size_t parameters = experiment.model->parameter_count();
  m::FitOptions fit_options;
  fit_options.on_estimate = [&] {
    interrupts.enter(RunPhase::estimated);
    if (!args.quiet && parameters > 100 && parameters <= fit_options.max_hessian_parameters && !m::stop_requested())
      err << "the Hessian of " << parameters
          << " parameters at the estimate, for the convergence check and the standard errors (an interrupt now "
             "skips it and writes the estimate)"
          << std::endl;
  };
  const m::FitResults results = m::fit(experiment, std::ref(progress), fit_options);
  interrupts.enter(RunPhase::writing);
  out << m::format_summary(results);

  if (!args.quiet && communicator)
    err << "communication: " << communicator->bytes_summed << " bytes summed from this rank over "
        << results.evaluations << " evaluations" << std::endl;
  m::WrittenFiles files;
  stage("writing the outputs");
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
  stage("reading the config");
  const m::ExperimentConfig config = m::load_config(args.config);
  stage("reading the data and building the model");
  const m::Experiment experiment = m::load_experiment(config);
  stage("checking the gradient");
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
bool should_print(const std::string& message, const m::Communicator* communicator) {
  return !communicator || communicator->rank() == 0 || message.rfind("rank ", 0) != 0;
}

// A message as printed: whole up to 2,000 characters (ours are shorter: they shorten what they
// echo), cut beyond that, so no message can flood a terminal.
std::string clip(const std::string& message) {
  constexpr std::size_t kLongest = 2000;
  if (message.size() <= kLongest) return message;
  std::size_t cut = kLongest;
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return message.substr(0, cut) + "... (" + std::to_string(message.size()) + " bytes)";
}

// Runs a subcommand and maps what escapes it to the exit status of the rule above.
int exit_status(const std::function<int()>& body, std::ostream& err, const m::Communicator* communicator) {
  const auto report = [&](const std::string& message, int status) {
    if (should_print(message, communicator)) err << "tapegrad: " << clip(message) << "\n";
    return status;
  };
  try {
    return body();
  } catch (const m::InputError& e) {
    return report(e.what(), kBadInput);
  } catch (const m::FitError& e) {
    return report(e.what(), kFailed);
  } catch (const std::bad_alloc&) {
    return report(std::string("out of memory while ") + current_stage +
                      ": the config, data or model is too large for this machine's memory (fewer rows, features or "
                      "parameters, or \"standard_errors\": false, may fit)",
                  kBadInput);
  } catch (const std::filesystem::filesystem_error& e) {
    const std::string path = e.path1().empty() ? std::string() : m::shorten(e.path1().string(), 200) + ": ";
    return report(path + e.code().message() + " (while " + current_stage + ")", kBadInput);
  } catch (const std::exception& e) {
    return report(std::string(e.what()) + " (while " + current_stage + ")", kFailed);
  } catch (...) {
    return report(std::string("unexpected error while ") + current_stage, kFailed);
  }
}

// A whole decimal number in [min, max], as typed after `option`; InputError otherwise.
long long integer_option(const std::string& option, const std::string& text, long long min, long long max) {
  long long value = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < min || value > max)
    throw m::InputError(option + ": expected a whole number in [" + std::to_string(min) + ", " + std::to_string(max) +
                        "], found " + m::shorten_quoted(text));
  return value;
}

// `tapegrad check` under mpirun: rank 0 checks and prints, the other ranks wait for its exit
// status, so the report appears once and every rank exits alike.
int check_once(const CheckArguments& args, std::ostream& out, std::ostream& err, m::Communicator* communicator) {
  if (!communicator) return exit_status([&] { return check(args, out); }, err, nullptr);
  double status = 0;
  if (communicator->rank() == 0) status = exit_status([&] { return check(args, out); }, err, nullptr);
  communicator->broadcast(&status, 1);
  return static_cast<int>(status);
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, m::Communicator* communicator) {
  stage("reading the command line");
  CLI::App app{"tapegrad: fit models by maximum likelihood with exact gradients", "tapegrad"};
  app.set_version_flag("--version", "tapegrad 0.1.0");
  app.require_subcommand(1);
  FitArguments fit_args;
  CLI::App* fit_command = app.add_subcommand("fit", "fit CONFIG and print estimates with standard errors");
  fit_command->add_option("config", fit_args.config, "the JSON experiment config")->required();
  CLI::Option* output = fit_command->add_option("-o,--output", fit_args.output, "output folder (default: the config's output.dir)");
  fit_command->add_flag("-q,--quiet", fit_args.quiet, "print the summary only: no progress, no file list");
  fit_command->add_flag("--no-plot", fit_args.no_plot, "do not draw the loss curve");
  CheckArguments check_args;
  // Numbers are taken as text and read here: CLI11 would turn "-1" into 2^64 - 1 for an unsigned
  // seed and saturate a seed too large.
  std::string points = "3", seed = "0";
  CLI::App* check_command = app.add_subcommand("check", "compare the model's gradient with finite differences");
  check_command->add_option("config", check_args.config, "the JSON experiment config")->required();
  check_command->add_option("--points", points, "random points besides the starting point (0 to 1000; default 3)");
  check_command->add_option("--seed", seed, "seed of the random points (0 to 2^63 - 1; default 0)");

  // What every rank finds alike (the same arguments) is printed by rank 0 alone.
  NullStream null;
  const bool silent_rank = communicator && communicator->rank() != 0;
  std::ostream& out0 = silent_rank ? null : out;
  std::ostream& err0 = silent_rank ? null : err;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out0 << app.help();
    return kOk;
  } catch (const CLI::CallForVersion&) {
    out0 << "tapegrad 0.1.0\n";
    return kOk;
  } catch (const CLI::ParseError& e) {
    err0 << "tapegrad: " << m::shorten(e.what(), 300) << "\n" << "run 'tapegrad --help' for usage\n";
    return kBadInput;
  }
  const int options_status = exit_status([&] {
    if (output->count() > 0 && fit_args.output.empty())
      throw m::InputError("--output: expected a folder, found an empty string");
    check_args.points = static_cast<int>(integer_option("--points", points, 0, 1000));
    check_args.seed = static_cast<std::uint64_t>(integer_option("--seed", seed, 0, std::numeric_limits<long long>::max()));
    return kOk;
  }, err0, nullptr);
  if (options_status != kOk) return options_status;
  if (*fit_command) return exit_status([&] { return fit(fit_args, out, err, communicator); }, err, communicator);
  return check_once(check_args, out, err, communicator);
}

}  // namespace tapegrad::cli
