#include "tapegrad/autodiff/scalar_ops.hpp"

#include <algorithm>
#include <cmath>

namespace tapegrad {

template <class Real>
BasicVar<Real> sum(const std::vector<BasicVar<Real>>& xs) {
  Tape<Real>& tape = active_tape<Real>();
  tape.reserve_statement(xs.size());
  Index* index = tape.operand_index_cursor();
  Real* mult = tape.multiplier_cursor();
  Real total(0);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    total += xs[i].value();
    index[i] = xs[i].index();
    mult[i] = Real(1);  // d(sum)/dx_i
  }
  return BasicVar<Real>::recorded(total, tape.close_statement(xs.size()));
}

template <class Real>
BasicVar<Real> log_sum_exp(const std::vector<BasicVar<Real>>& xs) {
  using std::exp;
  using std::log;
  Tape<Real>& tape = active_tape<Real>();
  if (xs.empty()) return BasicVar<Real>(Real(-INFINITY));
  Real m = xs[0].value();
  for (const auto& x : xs) m = x.value() > m ? x.value() : m;
  if (value_of(m) == -INFINITY) return BasicVar<Real>(Real(-INFINITY));
  Real s(0);
  for (const auto& x : xs) s += exp(x.value() - m);
  const Real f = m + log(s);
  tape.reserve_statement(xs.size());
  Index* index = tape.operand_index_cursor();
  Real* mult = tape.multiplier_cursor();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    index[i] = xs[i].index();
    mult[i] = exp(xs[i].value() - m) / s;  // softmax(x)_i, without the rounding of f
  }
  return BasicVar<Real>::recorded(f, tape.close_statement(xs.size()));
}

double sum(const std::vector<double>& xs) {
  double total = 0;
  for (double x : xs) total += x;
  return total;
}

double log_sum_exp(const std::vector<double>& xs) {
  if (xs.empty()) return -INFINITY;
  const double m = *std::max_element(xs.begin(), xs.end());
  if (m == -INFINITY) return -INFINITY;
  double s = 0;
  for (double x : xs) s += std::exp(x - m);
  return m + std::log(s);
}

template BasicVar<double> sum(const std::vector<BasicVar<double>>&);
template BasicVar<Dual> sum(const std::vector<BasicVar<Dual>>&);
template BasicVar<double> log_sum_exp(const std::vector<BasicVar<double>>&);
template BasicVar<Dual> log_sum_exp(const std::vector<BasicVar<Dual>>&);

}  // namespace tapegrad
