#pragma once
// Var: the scalar variable, and the expression templates that record a whole expression as
// one statement.
//
// `Var z = (y - (a + b * x)) / s;` builds a small tree of expression objects on the stack.
// Each node computes its value when it is built. Converting the tree to a Var writes ONE
// statement: the leaves' indices and d(z)/d(leaf), found by pushing a multiplier down the
// tree (Adept's method). Fewer, denser statements are what make the reverse pass cheap: the
// cost of a tape is the memory it writes and reads back.
//
// The expression nodes hold their children by value, so `auto e = a * b;` is safe to keep.

#include <type_traits>

#include "tapegrad/autodiff/tape.hpp"

namespace tapegrad {

// Base of every expression (CRTP). E provides:
//   Real value() const;
//   static constexpr int n_leaves;                       // Vars in the tree, counted with repeats
//   template <int K> void push(Index*, Real*, const Real& w) const;
//                                                       // writes leaves at slots K.. with w * d/dleaf
template <class E, class Real>
struct Expr {
  using real_type = Real;
  const E& self() const { return static_cast<const E&>(*this); }
};

// A number that is not on the tape: contributes a value, no operand.
template <class Real>
struct Constant : Expr<Constant<Real>, Real> {
  static constexpr int n_leaves = 0;
  Real v;
  explicit Constant(const Real& value) : v(value) {}
  const Real& value() const { return v; }
  template <int K>
  void push(Index*, Real*, const Real&) const {}
};

template <class Real>
class BasicVar : public Expr<BasicVar<Real>, Real> {
 public:
  static constexpr int n_leaves = 1;

  // A new variable with no operands (an input or a constant) on the active tape.
  BasicVar() : BasicVar(Real(0)) {}
  BasicVar(const Real& v) : value_(v) {  // NOLINT
    Tape<Real>& tape = active_tape<Real>();
    index_ = tape.new_variable();
    if constexpr (kCheckedTape) stamp_ = tape.stamp();
  }
  template <class R = Real, class = std::enable_if_t<!std::is_same<R, double>::value>>
  BasicVar(double v) : BasicVar(Real(v)) {}  // NOLINT: so `T x = 0;` works for every T

  // Records the expression as one statement.
  template <class E>
  BasicVar(const Expr<E, Real>& e) {  // NOLINT: implicit, as for double
    record(e.self());
  }
  template <class E>
  BasicVar& operator=(const Expr<E, Real>& e) {
    record(e.self());
    return *this;
  }
  BasicVar(const BasicVar&) = default;
  BasicVar& operator=(const BasicVar&) = default;
  BasicVar& operator=(double v) { return *this = BasicVar(Real(v)); }

  // The variable of a statement already written on the active tape (for ops that record
  // their own statements: n-ary sums, matrix nodes yielding a scalar).
  static BasicVar recorded(const Real& value, Index index) { return BasicVar(value, index, 0); }

  const Real& value() const { return value_; }
  Index index() const { return index_; }

  template <int K>
  void push(Index* index, Real* mult, const Real& w) const {
    if constexpr (kCheckedTape) {
      const std::uint32_t active = active_tape<Real>().stamp();
      if (stamp_ != active) detail::throw_foreign_variable(stamp_, active, index_);
    }
    index[K] = index_;
    mult[K] = w;
  }

  template <class E>
  BasicVar& operator+=(const Expr<E, Real>& e);
  template <class E>
  BasicVar& operator-=(const Expr<E, Real>& e);
  template <class E>
  BasicVar& operator*=(const Expr<E, Real>& e);
  template <class E>
  BasicVar& operator/=(const Expr<E, Real>& e);
  BasicVar& operator+=(double c);
  BasicVar& operator-=(double c);
  BasicVar& operator*=(double c);
  BasicVar& operator/=(double c);

 private:
  template <class E>
  void record(const E& e) {
    Tape<Real>& tape = active_tape<Real>();
    constexpr int n = E::n_leaves;
    tape.reserve_statement(n);
    e.template push<0>(tape.operand_index_cursor(), tape.multiplier_cursor(), Real(1));
    value_ = e.value();
    index_ = tape.close_statement(n);
    if constexpr (kCheckedTape) stamp_ = tape.stamp();
  }

  BasicVar(const Real& value, Index index, int) : value_(value), index_(index) {
    if constexpr (kCheckedTape) stamp_ = active_tape<Real>().stamp();
  }

  Real value_;
  Index index_;
  std::uint32_t stamp_ = 0;  // the recording it belongs to (checked builds; fills padding)
};

using Var = BasicVar<double>;
// The variable of second-order sweeps (forward-over-reverse): values are Dual numbers.
using HVar = BasicVar<Dual>;

// The scalar type that holds a value of T: BasicVar<R> for a Var or an expression over R,
// double for a number. Generic code uses it to name its result type.
template <class T, class = void>
struct scalar_of {
  using type = double;
};
template <class T>
struct scalar_of<T, std::void_t<typename T::real_type>> {
  using type = BasicVar<typename T::real_type>;
};
// True for numbers, Vars and expressions: what the scalar forms of a function accept.
template <class T, class = void>
struct is_scalar_like : std::is_arithmetic<T> {};
template <class T>
struct is_scalar_like<T, std::void_t<typename T::real_type>> : std::true_type {};
template <class... Ts>
constexpr bool all_scalar_like_v = (is_scalar_like<std::decay_t<Ts>>::value && ...);

// The result type of a computation mixing these arguments: a Var if any of them is one.
template <class... Ts>
struct promote {
  using type = double;
};
template <class T, class... Ts>
struct promote<T, Ts...> {
  using head = typename scalar_of<std::decay_t<T>>::type;
  using type = std::conditional_t<std::is_same<head, double>::value, typename promote<Ts...>::type, head>;
};
template <class... Ts>
using promote_t = typename promote<Ts...>::type;

// The value of a double, Dual, Var or expression, as a double.
template <class E, class Real>
double value_of(const Expr<E, Real>& e) {
  return value_of(e.self().value());
}

}  // namespace tapegrad
