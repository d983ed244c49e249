#pragma once
// Scalar operations on Var. Each op is one struct: its value and its local partial
// derivatives, side by side, written once for any number type R (double, or Dual for
// second-order sweeps). One macro line below the struct makes it a function of expressions.
//
// Generic user code calls `exp(x)` after `using std::exp;`: for double that is std::exp, for
// a Var or an expression argument lookup finds the overloads here. Functions std lacks
// (sigmoid, softplus, log_sigmoid, log_sum_exp, square, digamma) also take double.

#include <cmath>
#include <initializer_list>
#include <vector>

#include "tapegrad/autodiff/var.hpp"

namespace tapegrad {

namespace detail {
template <class R>
R sigmoid_of(const R& x) {
  using std::exp;
  if (x >= 0) return 1 / (1 + exp(-x));
  const R e = exp(x);
  return e / (1 + e);
}
template <class R>
R softplus_of(const R& x) {
  using std::exp;
  using std::log1p;
  return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}
}  // namespace detail

// ---- expression nodes ----

template <class Op, class A, class Real>
struct UnaryExpr : Expr<UnaryExpr<Op, A, Real>, Real> {
  static constexpr int n_leaves = A::n_leaves;
  A a;
  Real val;
  explicit UnaryExpr(const A& arg) : a(arg), val(Op::value(arg.value())) {}
  const Real& value() const { return val; }
  template <int K>
  void push(Index* index, Real* mult, const Real& w) const {
    a.template push<K>(index, mult, w * Op::partial(a.value(), val));
  }
};

template <class Op, class A, class B, class Real>
struct BinaryExpr : Expr<BinaryExpr<Op, A, B, Real>, Real> {
  static constexpr int n_leaves = A::n_leaves + B::n_leaves;
  A a;
  B b;
  Real val;
  BinaryExpr(const A& lhs, const B& rhs) : a(lhs), b(rhs), val(Op::value(lhs.value(), rhs.value())) {}
  const Real& value() const { return val; }
  template <int K>
  void push(Index* index, Real* mult, const Real& w) const {
    // A constant side has no leaves: its partial is never computed.
    if constexpr (A::n_leaves > 0) a.template push<K>(index, mult, w * Op::partial_a(a.value(), b.value(), val));
    if constexpr (B::n_leaves > 0)
      b.template push<K + A::n_leaves>(index, mult, w * Op::partial_b(a.value(), b.value(), val));
  }
};

// ---- unary ops: value(x), partial(x, f) = f'(x) given f = f(x) ----

struct NegOp {
  template <class R> static R value(const R& x) { return -x; }
  template <class R> static R partial(const R&, const R&) { return R(-1); }
};
struct ExpOp {
  template <class R> static R value(const R& x) { using std::exp; return exp(x); }
  template <class R> static R partial(const R&, const R& f) { return f; }  // e^x
};
struct LogOp {
  template <class R> static R value(const R& x) { using std::log; return log(x); }
  template <class R> static R partial(const R& x, const R&) { return 1 / x; }
};
struct Log1pOp {
  template <class R> static R value(const R& x) { using std::log1p; return log1p(x); }
  template <class R> static R partial(const R& x, const R&) { return 1 / (1 + x); }
};
struct Expm1Op {
  template <class R> static R value(const R& x) { using std::expm1; return expm1(x); }
  template <class R> static R partial(const R&, const R& f) { return f + 1; }  // e^x
};
struct SqrtOp {
  template <class R> static R value(const R& x) { using std::sqrt; return sqrt(x); }
  template <class R> static R partial(const R&, const R& f) { return 0.5 / f; }
};
struct SquareOp {
  template <class R> static R value(const R& x) { return x * x; }
  template <class R> static R partial(const R& x, const R&) { return 2 * x; }
};
struct AbsOp {
  template <class R> static R value(const R& x) { using std::abs; return abs(x); }
  template <class R> static R partial(const R& x, const R&) { return R(x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0); }
};
struct SinOp {
  template <class R> static R value(const R& x) { using std::sin; return sin(x); }
  template <class R> static R partial(const R& x, const R&) { using std::cos; return cos(x); }
};
struct CosOp {
  template <class R> static R value(const R& x) { using std::cos; return cos(x); }
  template <class R> static R partial(const R& x, const R&) { using std::sin; return -sin(x); }
};
struct TanhOp {
  template <class R> static R value(const R& x) { using std::tanh; return tanh(x); }
  template <class R> static R partial(const R&, const R& f) { return 1 - f * f; }
};
struct SigmoidOp {
  template <class R> static R value(const R& x) { return detail::sigmoid_of(x); }
  template <class R> static R partial(const R&, const R& f) { return f * (1 - f); }
};
struct SoftplusOp {  // log(1 + e^x)
  template <class R> static R value(const R& x) { return detail::softplus_of(x); }
  template <class R> static R partial(const R& x, const R&) { return detail::sigmoid_of(x); }
};
struct LogSigmoidOp {  // log(sigmoid(x)) = -softplus(-x)
  template <class R> static R value(const R& x) { return -detail::softplus_of(R(-x)); }
  template <class R> static R partial(const R& x, const R&) { return detail::sigmoid_of(R(-x)); }
};
struct LgammaOp {
  template <class R> static R value(const R& x) { using std::lgamma; return lgamma(x); }
  template <class R> static R partial(const R& x, const R&) { return digamma(x); }
};
struct DigammaOp {
  template <class R> static R value(const R& x) { return digamma(x); }
  template <class R> static R partial(const R& x, const R&) { return trigamma(x); }
};
struct ErfOp {
  template <class R> static R value(const R& x) { using std::erf; return erf(x); }
  template <class R> static R partial(const R& x, const R&) {  // 2/sqrt(pi) e^{-x^2}
    using std::exp;
    return 1.1283791670955126 * exp(-x * x);
  }
};

// ---- binary ops: value(a, b), partial_a, partial_b given f = f(a, b) ----

struct AddOp {
  template <class R> static R value(const R& a, const R& b) { return a + b; }
  template <class R> static R partial_a(const R&, const R&, const R&) { return R(1); }
  template <class R> static R partial_b(const R&, const R&, const R&) { return R(1); }
};
struct SubOp {
  template <class R> static R value(const R& a, const R& b) { return a - b; }
  template <class R> static R partial_a(const R&, const R&, const R&) { return R(1); }
  template <class R> static R partial_b(const R&, const R&, const R&) { return R(-1); }
};
struct MulOp {
  template <class R> static R value(const R& a, const R& b) { return a * b; }
  template <class R> static R partial_a(const R&, const R& b, const R&) { return b; }
  template <class R> static R partial_b(const R& a, const R&, const R&) { return a; }
};
struct DivOp {
  template <class R> static R value(const R& a, const R& b) { return a / b; }
  template <class R> static R partial_a(const R&, const R& b, const R&) { return 1 / b; }
  // -f * (1/b) rather than -f / b: the compiler shares the one division with partial_a.
  template <class R> static R partial_b(const R&, const R& b, const R& f) { return -f * (1 / b); }
};
struct PowOp {
  template <class R> static R value(const R& a, const R& b) { using std::pow; return pow(a, b); }
  template <class R> static R partial_a(const R& a, const R& b, const R&) { using std::pow; return b * pow(a, b - 1); }
  template <class R> static R partial_b(const R& a, const R&, const R& f) {  // a^b log a; 0 where a^b == 0
    using std::log;
    return value_of(f) == 0 ? R(0) : f * log(a);
  }
};
struct LogSumExpOp {  // log(e^a + e^b)
  template <class R> static R value(const R& a, const R& b) {
    using std::exp; using std::log1p;
    if (value_of(a) == -INFINITY && value_of(b) == -INFINITY) return R(-INFINITY);
    // One branch for the max and the exponent together (not max + log1p(exp(-|a - b|))):
    // at a == b a second-order sweep must see the same smooth formula in both places.
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
  }
  template <class R> static R partial_a(const R& a, const R& b, const R&) { return detail::sigmoid_of(R(a - b)); }  // exact at +-1000
  template <class R> static R partial_b(const R& a, const R& b, const R&) { return detail::sigmoid_of(R(b - a)); }
};

// ---- the functions and operators of expressions ----

#define TAPEGRAD_UNARY(name, Op)                                         \
  template <class A, class R>                                            \
  UnaryExpr<Op, A, R> name(const Expr<A, R>& a) {                        \
    return UnaryExpr<Op, A, R>(a.self());                                \
  }

#define TAPEGRAD_BINARY(name, Op)                                                      \
  template <class A, class B, class R>                                                 \
  BinaryExpr<Op, A, B, R> name(const Expr<A, R>& a, const Expr<B, R>& b) {             \
    return BinaryExpr<Op, A, B, R>(a.self(), b.self());                                \
  }                                                                                    \
  template <class A, class R>                                                          \
  BinaryExpr<Op, A, Constant<R>, R> name(const Expr<A, R>& a, double b) {              \
    return BinaryExpr<Op, A, Constant<R>, R>(a.self(), Constant<R>(R(b)));             \
  }                                                                                    \
  template <class B, class R>                                                          \
  BinaryExpr<Op, Constant<R>, B, R> name(double a, const Expr<B, R>& b) {              \
    return BinaryExpr<Op, Constant<R>, B, R>(Constant<R>(R(a)), b.self());             \
  }

TAPEGRAD_UNARY(operator-, NegOp)
TAPEGRAD_UNARY(exp, ExpOp)
TAPEGRAD_UNARY(log, LogOp)
TAPEGRAD_UNARY(log1p, Log1pOp)
TAPEGRAD_UNARY(expm1, Expm1Op)
TAPEGRAD_UNARY(sqrt, SqrtOp)
TAPEGRAD_UNARY(square, SquareOp)
TAPEGRAD_UNARY(abs, AbsOp)
TAPEGRAD_UNARY(fabs, AbsOp)
TAPEGRAD_UNARY(sin, SinOp)
TAPEGRAD_UNARY(cos, CosOp)
TAPEGRAD_UNARY(tanh, TanhOp)
TAPEGRAD_UNARY(sigmoid, SigmoidOp)
TAPEGRAD_UNARY(inv_logit, SigmoidOp)
TAPEGRAD_UNARY(softplus, SoftplusOp)
TAPEGRAD_UNARY(log1p_exp, SoftplusOp)
TAPEGRAD_UNARY(log_sigmoid, LogSigmoidOp)
TAPEGRAD_UNARY(lgamma, LgammaOp)
TAPEGRAD_UNARY(digamma, DigammaOp)
TAPEGRAD_UNARY(erf, ErfOp)

TAPEGRAD_BINARY(operator+, AddOp)
TAPEGRAD_BINARY(operator-, SubOp)
TAPEGRAD_BINARY(operator*, MulOp)
TAPEGRAD_BINARY(operator/, DivOp)
TAPEGRAD_BINARY(pow, PowOp)
TAPEGRAD_BINARY(log_sum_exp, LogSumExpOp)

#undef TAPEGRAD_UNARY
#undef TAPEGRAD_BINARY

template <class A, class R>
A operator+(const Expr<A, R>& a) {  // by value: a reference to the argument could dangle
  return a.self();
}

// Comparisons look at values.
#define TAPEGRAD_COMPARE(op)                                                   \
  template <class A, class B, class R>                                         \
  bool operator op(const Expr<A, R>& a, const Expr<B, R>& b) {                 \
    return a.self().value() op b.self().value();                               \
  }                                                                            \
  template <class A, class R>                                                  \
  bool operator op(const Expr<A, R>& a, double b) {                            \
    return a.self().value() op R(b);                                           \
  }                                                                            \
  template <class B, class R>                                                  \
  bool operator op(double a, const Expr<B, R>& b) {                            \
    return R(a) op b.self().value();                                           \
  }
TAPEGRAD_COMPARE(<)
TAPEGRAD_COMPARE(<=)
TAPEGRAD_COMPARE(>)
TAPEGRAD_COMPARE(>=)
TAPEGRAD_COMPARE(==)
TAPEGRAD_COMPARE(!=)
#undef TAPEGRAD_COMPARE

// ---- compound assignment: x op= e records x op e ----

template <class Real>
template <class E>
BasicVar<Real>& BasicVar<Real>::operator+=(const Expr<E, Real>& e) { return *this = *this + e.self(); }
template <class Real>
template <class E>
BasicVar<Real>& BasicVar<Real>::operator-=(const Expr<E, Real>& e) { return *this = *this - e.self(); }
template <class Real>
template <class E>
BasicVar<Real>& BasicVar<Real>::operator*=(const Expr<E, Real>& e) { return *this = *this * e.self(); }
template <class Real>
template <class E>
BasicVar<Real>& BasicVar<Real>::operator/=(const Expr<E, Real>& e) { return *this = *this / e.self(); }
template <class Real>
BasicVar<Real>& BasicVar<Real>::operator+=(double c) { return *this = *this + c; }
template <class Real>
BasicVar<Real>& BasicVar<Real>::operator-=(double c) { return *this = *this - c; }
template <class Real>
BasicVar<Real>& BasicVar<Real>::operator*=(double c) { return *this = *this * c; }
template <class Real>
BasicVar<Real>& BasicVar<Real>::operator/=(double c) { return *this = *this / c; }

// ---- n-ary ops: one statement with n operands ----

// sum of xs; d/dx_i = 1.
template <class Real>
BasicVar<Real> sum(const std::vector<BasicVar<Real>>& xs);
// log(sum exp(x_i)) without overflow; d/dx_i = softmax(x)_i.
template <class Real>
BasicVar<Real> log_sum_exp(const std::vector<BasicVar<Real>>& xs);
double log_sum_exp(const std::vector<double>& xs);
double sum(const std::vector<double>& xs);

extern template BasicVar<double> sum(const std::vector<BasicVar<double>>&);
extern template BasicVar<Dual> sum(const std::vector<BasicVar<Dual>>&);
extern template BasicVar<double> log_sum_exp(const std::vector<BasicVar<double>>&);
extern template BasicVar<Dual> log_sum_exp(const std::vector<BasicVar<Dual>>&);

}  // namespace tapegrad
