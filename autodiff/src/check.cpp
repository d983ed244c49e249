#include "tapegrad/autodiff/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace tapegrad {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

std::string parameter_name(const CheckOptions& options, std::size_t i) {
  if (i < options.names.size() && !options.names[i].empty()) return options.names[i];
  return "theta[" + std::to_string(i) + "]";
}

// Derivatives along one coordinate of a function with one or several outputs (a value, or a
// gradient for the Hessian check), entry by entry: value, estimated error, step.
struct Estimates {
  Eigen::ArrayXd value, error, step;
};

using Values = std::function<Eigen::ArrayXd(const Eigen::VectorXd&)>;

// One central difference at step h, dividing by the steps actually represented ((x + h) - x may
// differ from h in floating point). False where f is not finite (or throws) at x +- h.
bool central(const Values& f, Eigen::VectorXd& at, const Eigen::VectorXd& x, Eigen::Index i, double h,
             Eigen::ArrayXd& derivative, Eigen::ArrayXd& magnitude) {
  try {
    at[i] = x[i] + h;
    const double up_step = at[i] - x[i];
    const Eigen::ArrayXd up = f(at);
    at[i] = x[i] - h;
    const double down_step = x[i] - at[i];
    const Eigen::ArrayXd down = f(at);
    at[i] = x[i];
    if (!up.allFinite() || !down.allFinite() || up_step + down_step <= 0) return false;
    derivative = (up - down) / (up_step + down_step);
    magnitude = up.abs().max(down.abs());
    return true;
  } catch (const std::exception&) {  // a domain error at x +- h: a smaller step may stay inside
    at[i] = x[i];
    return false;
  }
}

// f's rounding seen through a central difference at step h: 8 eps max|f(x +- h)| / h.
Eigen::ArrayXd rounding(const Eigen::ArrayXd& magnitude, double h) { return 8 * kEps * magnitude / h; }

Estimates not_finite(Eigen::Index n) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {Eigen::ArrayXd::Constant(n, nan), Eigen::ArrayXd::Constant(n, nan), Eigen::ArrayXd::Zero(n)};
}

// A fixed step: D(h) and D(h/2), Richardson (4 D(h/2) - D(h)) / 3 unless options say otherwise.
Estimates fixed_step(const Values& f, const Eigen::VectorXd& x, Eigen::Index i, Eigen::Index n,
                     const CheckOptions& options) {
  Eigen::VectorXd at = x;
  const double h = options.step * std::max(1.0, std::abs(x[i]));
  Eigen::ArrayXd coarse, fine, m_coarse, m_fine;
  if (!central(f, at, x, i, h, coarse, m_coarse) || !central(f, at, x, i, h / 2, fine, m_fine)) return not_finite(n);
  // D(h) = f' + c h^2 + ...: D(h) - D(h/2) = 3/4 c h^2 is D(h)'s error, a bound for the others'.
  const Eigen::ArrayXd difference = (coarse - fine).abs();
  if (options.richardson)
    return {(4 * fine - coarse) / 3, difference / 3 + rounding(m_fine, h / 2), Eigen::ArrayXd::Constant(n, h)};
  return {coarse, difference * 4 / 3 + rounding(m_coarse, h), Eigen::ArrayXd::Constant(n, h)};
}

// Ridders' method: central differences at h0, h0/2, ..., extrapolated to h = 0 in a Neville table
// (each column cancels the next power of h^2); each entry's error is estimated by its distance to
// the entries it came from, plus f's rounding at its step, and the entry with the smallest
// estimate is kept, for each output separately.
Estimates ridders(const Values& f, const Eigen::VectorXd& x, Eigen::Index i, Eigen::Index n) {
  constexpr int kSteps = 16;       // h0 down to h0 / 2^15
  constexpr int kShrinks = 60;     // halvings of h0 allowed while f is not finite at x +- h0
  Eigen::VectorXd at = x;
  double h = 0.1 * std::max(1.0, std::abs(x[i]));
  Eigen::ArrayXd d, magnitude;
  int shrinks = 0;
  while (!central(f, at, x, i, h, d, magnitude)) {
    if (++shrinks > kShrinks) return not_finite(n);
    h /= 2;
  }
  Estimates best{d, Eigen::ArrayXd::Constant(n, std::numeric_limits<double>::infinity()), Eigen::ArrayXd::Constant(n, h)};
  std::vector<Eigen::ArrayXd> previous{d}, current;
  for (int k = 1; k < kSteps; ++k) {
    h /= 2;
    if (!central(f, at, x, i, h, d, magnitude)) break;  // the table so far stands
    const Eigen::ArrayXd noise = rounding(magnitude, h);
    current.assign(1, d);
    double factor = 4;
    for (int j = 1; j <= k; ++j) {
      current.push_back((factor * current[j - 1] - previous[j - 1]) / (factor - 1));
      factor *= 4;
      const Eigen::ArrayXd error =
          (current[j] - current[j - 1]).abs().max((current[j] - previous[j - 1]).abs()) + noise;
      for (Eigen::Index e = 0; e < n; ++e) {
        if (error[e] < best.error[e]) {
          best.error[e] = error[e];
          best.value[e] = current[j][e];
          best.step[e] = h;
        }
      }
    }
    // Every later entry's error is at least its rounding term, which only grows as h shrinks:
    // once that term is past every output's best, no smaller step can do better.
    if ((noise > best.error).all()) break;
    std::swap(previous, current);
  }
  // A table of one row (f finite at h0 only): D(h0) with its rounding, its truncation unknown.
  for (Eigen::Index e = 0; e < n; ++e)
    if (!std::isfinite(best.error[e])) best.error[e] = std::numeric_limits<double>::infinity();
  return best;
}

Estimates estimate(const Values& f, const Eigen::VectorXd& x, Eigen::Index i, Eigen::Index n,
                   const CheckOptions& options) {
  return options.step > 0 ? fixed_step(f, x, i, n, options) : ridders(f, x, i, n);
}

CheckRow make_row(std::string name, double analytic, double numeric, double error, double step,
                  const CheckOptions& options) {
  CheckRow row;
  row.name = std::move(name);
  row.analytic = analytic;
  row.numeric = numeric;
  row.error = error;
  row.step = step;
  const bool a_ok = std::isfinite(analytic), n_ok = std::isfinite(numeric);
  if (!a_ok || !n_ok) {
    // Two infinities of one sign agree numerically, but a gradient that overflows is a bug too.
    row.abs_error = row.rel_error = INFINITY;
    row.note = !a_ok && !n_ok ? "analytic and numeric values are not finite"
               : !a_ok        ? "analytic value is not finite"
                              : "numeric value is not finite";
    return row;
  }
  row.abs_error = std::abs(analytic - numeric);
  const double scale = std::max(std::abs(analytic), std::abs(numeric));
  row.rel_error = scale > 0 ? row.abs_error / scale : 0.0;
  row.allowed = options.error_multiple * error + std::max(options.abs_tol, options.rel_tol * scale);
  row.passed = row.abs_error <= row.allowed;
  return row;
}

void finish(CheckReport& report) {
  report.passed = std::all_of(report.rows.begin(), report.rows.end(), [](const CheckRow& r) { return r.passed; });
}

// printf into a std::string (numbers only: names and notes are appended unformatted).
template <class... Args>
std::string format(const char* fmt, Args... args) {
  char buf[128];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

}  // namespace

double CheckRow::margin() const {
  if (abs_error == 0) return 0;
  return allowed > 0 ? abs_error / allowed : INFINITY;
}

NumericDerivative numeric_derivative(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                                     Eigen::Index i, const CheckOptions& options) {
  const Values values = [&f](const Eigen::VectorXd& at) { return Eigen::ArrayXd::Constant(1, f(at)); };
  const Estimates e = estimate(values, x, i, 1, options);
  return {e.value[0], e.error[0], e.step[0]};
}

double finite_difference(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                         Eigen::Index i, const CheckOptions& options) {
  return numeric_derivative(f, x, i, options).value;
}

CheckReport compare_gradient(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                             const Eigen::VectorXd& analytic, const CheckOptions& options) {
  if (analytic.size() != x.size()) {
    throw std::invalid_argument("tapegrad::compare_gradient: the gradient has " + std::to_string(analytic.size()) +
                                " entries for " + std::to_string(x.size()) + " parameters");
  }
  CheckReport report;
  report.value = f(x);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const NumericDerivative d = numeric_derivative(f, x, i, options);
    report.rows.push_back(
        make_row(parameter_name(options, static_cast<std::size_t>(i)), analytic[i], d.value, d.error, d.step, options));
  }
  finish(report);
  return report;
}

CheckReport compare_hessian(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& gradient,
                            const Eigen::VectorXd& x, const Eigen::MatrixXd& analytic, const CheckOptions& options) {
  const Eigen::Index n = x.size();
  if (analytic.rows() != n || analytic.cols() != n) {
    throw std::invalid_argument("tapegrad::compare_hessian: the Hessian is " + std::to_string(analytic.rows()) + " x " +
                                std::to_string(analytic.cols()) + " for " + std::to_string(n) + " parameters");
  }
  CheckReport report;
  report.row_kind = "Hessian entries";
  const Values values = [&gradient](const Eigen::VectorXd& at) -> Eigen::ArrayXd { return gradient(at).array(); };
  // Column j is d(gradient)/dx_j, each entry with its own estimate.
  std::vector<Estimates> columns;
  for (Eigen::Index j = 0; j < n; ++j) columns.push_back(estimate(values, x, j, n, options));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      const Estimates& c = columns[static_cast<std::size_t>(j)];
      report.rows.push_back(make_row("H[" + std::to_string(i) + "," + std::to_string(j) + "]", analytic(i, j),
                                     c.value[i], c.error[i], c.step[i], options));
    }
  }
  finish(report);
  return report;
}

std::vector<Eigen::VectorXd> check_points(const Eigen::VectorXd& x, const CheckOptions& options) {
  std::vector<Eigen::VectorXd> points{x};
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> offset(0.0, options.spread);
  for (int k = 0; k < options.random_points; ++k) {
    Eigen::VectorXd p = x;
    for (Eigen::Index j = 0; j < p.size(); ++j) p[j] += offset(rng);
    points.push_back(std::move(p));
  }
  return points;
}

namespace detail {
CheckReport over_points(const Eigen::VectorXd& x, const CheckOptions& options,
                        const std::function<CheckReport(const Eigen::VectorXd&)>& compare) {
  const std::vector<Eigen::VectorXd> points = check_points(x, options);
  CheckReport report;
  for (std::size_t k = 0; k < points.size(); ++k) {
    CheckReport at = compare(points[k]);
    if (k == 0) {
      report.value = at.value;
      report.row_kind = at.row_kind;
    }
    for (CheckRow& row : at.rows) {
      row.point = k == 0 ? "" : "random point " + std::to_string(k);
      report.rows.push_back(std::move(row));
    }
  }
  finish(report);
  return report;
}
}  // namespace detail

std::size_t CheckReport::n_failed() const {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const CheckRow& r) { return !r.passed; }));
}

double CheckReport::max_rel_error() const {
  double m = 0;
  for (const CheckRow& r : rows) m = std::max(m, r.rel_error);
  return m;
}

std::size_t CheckReport::worst() const {
  // A failed row's margin is above 1 (infinite for a non-finite value), a passed row's at most 1.
  std::size_t at = rows.size();
  for (std::size_t k = 0; k < rows.size(); ++k)
    if (at == rows.size() || rows[k].margin() > rows[at].margin()) at = k;
  return at;
}

std::string CheckReport::summary() const {
  std::string s = std::string(passed ? "PASS" : "FAIL") + ": " + std::to_string(rows.size()) + " " + row_kind + ", " +
                  std::to_string(n_failed()) + " failed";
  const std::size_t w = worst();
  if (w == rows.size()) return s;
  const CheckRow& r = rows[w];
  const std::string where = r.name + (r.point.empty() ? "" : " at " + r.point);
  if (!r.passed && !r.note.empty()) return s + "; worst: " + where + " (" + r.note + ")";
  // The margin against the row's own allowance: how close a pass came, how far a failure went.
  return s + (passed ? "; closest: " : "; worst: ") + where + ", |difference| " + format("%.3g", r.abs_error) +
         " is " + format("%.3g", r.margin()) + " x its allowance " + format("%.3g", r.allowed);
}

std::string CheckReport::table(bool with_summary) const {
  std::size_t width = 9;  // "parameter"
  for (const CheckRow& r : rows) width = std::max(width, r.name.size());
  auto pad = [&](const std::string& s) { return s + std::string(width - s.size(), ' '); };
  std::ostringstream out;
  const std::string header =
      pad("parameter") + format("  %19s  %19s  %10s  %10s  %10s  %s\n", "analytic", "numeric", "|diff|", "fd error",
                                "allowed", "PASS/FAIL");
  // With random points, each point's rows under a heading of their own.
  const bool several = std::any_of(rows.begin(), rows.end(), [](const CheckRow& r) { return !r.point.empty(); });
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const CheckRow& r = rows[k];
    if (k == 0 || r.point != rows[k - 1].point) {
      if (several) out << "at " << (r.point.empty() ? "x" : r.point) << ":\n";
      out << header;
    }
    out << pad(r.name)
        << format("  %19.12g  %19.12g  %10.2e  %10.2e  %10.2e  ", r.analytic, r.numeric, r.abs_error, r.error,
                  r.allowed)
        << (r.passed ? "PASS" : "FAIL") << (r.note.empty() ? "" : ": ") << r.note << "\n";
  }
  if (rows.empty()) out << header;
  if (with_summary) out << summary() << "\n";
  return out.str();
}

std::ostream& operator<<(std::ostream& os, const CheckReport& report) { return os << report.table(); }

}  // namespace tapegrad
