// Property tests of the engine on randomly generated programs.
//
// A program is data: a list of nodes, each an op and the earlier nodes it reads (drawn from ANY
// earlier node, so sub-expressions are shared), scalar ops and small matrix nodes mixed. It is
// generated from a seed (std::mt19937_64) and evaluated generically in T, so the same program
// runs with T = double (Eigen matrices stand in for the matrix nodes), Var and HVar. Properties:
//   (1) the tape's gradient equals finite differences of the double program;
//   (2) the exact Hessian is symmetric before symmetrisation and equals finite differences of
//       the exact gradient;
//   (3) the gradient of a + b equals the gradient of a plus the gradient of b;
//   (4) the program's value in double equals its value on the Var and the HVar tape.
// Values stay in safe ranges by construction: every node carries a bound on |value| over the
// input box, ops that would exceed it are not drawn, and the ops with poles or a restricted
// domain take safe arguments (log of softplus(a) + 0.1, a / (1 + b^2)).
//
// A failure prints the seed and the program, one line per node. To re-run one program:
//   TAPEGRAD_PROPERTY_SEED=<seed> tapegrad_tests "[property]"

#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tapegrad/autodiff.hpp"

namespace {

// ---- programs as data ----

enum class Op {
  input,  // x[k]
  // scalar, one operand (a)
  neg, exp, log_softplus, log1p_square, sqrt_one_plus_square, sin, cos, tanh, sigmoid, softplus, log_sigmoid,
  square, erf,
  // scalar, one operand and a constant c
  add_constant, times_constant, constant_over,
  // scalar, two operands (a, b)
  add, sub, mul, div, log_sum_exp, pow,
  // scalar, one expression over several operands, recorded as one statement
  fused_ratio, fused_reuse, fused_gauss, accumulate,
  // matrix results
  to_matrix, matmul, matmul_data_left, matmul_data_right, madd, msub, mproduct, madd_to_rows, mscale,
  mscale_constant, mexp, mlog_softplus, msigmoid, msoftplus, mlog_sigmoid, mtanh, msquare, msoftmax_rows,
  mlog_softmax_rows,
  // matrix to scalar
  msum, mmean, mdot, mdot_data, melement,
};

// The op as a formula over its operands: a, b, c for scalars, A, B for matrices, D for data.
const char* formula(Op op) {
  switch (op) {
    case Op::input: return "x[c]";
    case Op::neg: return "-a";
    case Op::exp: return "exp(a)";
    case Op::log_softplus: return "log(softplus(a) + 0.1)";
    case Op::log1p_square: return "log1p(a * a)";
    case Op::sqrt_one_plus_square: return "sqrt(1 + square(a))";
    case Op::sin: return "sin(a)";
    case Op::cos: return "cos(a)";
    case Op::tanh: return "tanh(a)";
    case Op::sigmoid: return "sigmoid(a)";
    case Op::softplus: return "softplus(a)";
    case Op::log_sigmoid: return "log_sigmoid(a)";
    case Op::square: return "square(a)";
    case Op::erf: return "erf(a)";
    case Op::add_constant: return "a + c";
    case Op::times_constant: return "c * a";
    case Op::constant_over: return "c / (1 + a * a)";
    case Op::add: return "a + b";
    case Op::sub: return "a - b";
    case Op::mul: return "a * b";
    case Op::div: return "a / (1 + square(b))";
    case Op::log_sum_exp: return "log_sum_exp(a, b)";
    case Op::pow: return "pow(1 + sigmoid(a), b)";
    case Op::fused_ratio: return "(a - b * c) / (1 + c * c)";
    case Op::fused_reuse: return "a * a + sin(a) * b";
    case Op::fused_gauss: return "exp(-square(a)) * b + 0.5 * a - 1";
    case Op::accumulate: return "v = a; v += b * c; v -= 0.5; v *= 0.5";
    case Op::to_matrix: return "to_matrix(a, b, ...)";
    case Op::matmul: return "matmul(A, B)";
    case Op::matmul_data_left: return "matmul(D, A)";
    case Op::matmul_data_right: return "matmul(A, D)";
    case Op::madd: return "add(A, B)";
    case Op::msub: return "subtract(A, B)";
    case Op::mproduct: return "elementwise_product(A, B)";
    case Op::madd_to_rows: return "add_to_rows(A, B)";
    case Op::mscale: return "scale(A, b)";
    case Op::mscale_constant: return "scale(A, c)";
    case Op::mexp: return "exp(A)";
    case Op::mlog_softplus: return "log(softplus(A))";
    case Op::msigmoid: return "sigmoid(A)";
    case Op::msoftplus: return "softplus(A)";
    case Op::mlog_sigmoid: return "log_sigmoid(A)";
    case Op::mtanh: return "tanh(A)";
    case Op::msquare: return "square(A)";
    case Op::msoftmax_rows: return "softmax_rows(A)";
    case Op::mlog_softmax_rows: return "log_softmax_rows(A)";
    case Op::msum: return "sum(A)";
    case Op::mmean: return "mean(A)";
    case Op::mdot: return "dot(A, B)";
    case Op::mdot_data: return "dot(A, D)";
    case Op::melement: return "element(A, i, j)";
  }
  return "?";
}

struct Node {
  Op op;
  std::vector<int> args;  // earlier nodes (scalar or matrix, as the op reads them)
  double c = 0;           // the constant of *_constant ops; the input number of an input
  int data = -1;          // Program::data entry of the *_data ops
  Eigen::Index rows = 0;  // 0 x 0 for a scalar node
  Eigen::Index cols = 0;
  Eigen::Index i = 0, j = 0;  // melement's entry
  double bound = 0;           // |value| <= bound (every entry, for a matrix) over the input box
  bool is_matrix() const { return rows > 0; }
};

struct Program {
  std::uint64_t seed = 0;
  int n_inputs = 0;
  std::vector<Node> nodes;  // the last node is the output (a scalar)
  std::vector<Eigen::MatrixXd> data;
};

// One line per node: "s7 = a / (1 + square(b))   a = s3, b = s5   |v| <= 2", then the data.
std::string listing(const Program& p) {
  std::ostringstream out;
  out.precision(17);
  out << "program of seed " << p.seed << ": " << p.n_inputs << " inputs, " << p.nodes.size() << " nodes\n";
  auto name = [&](int k) {
    const Node& n = p.nodes[static_cast<std::size_t>(k)];
    return (n.is_matrix() ? "m" : "s") + std::to_string(k);
  };
  for (std::size_t k = 0; k < p.nodes.size(); ++k) {
    const Node& n = p.nodes[k];
    out << "  " << name(static_cast<int>(k));
    if (n.is_matrix()) out << " [" << n.rows << "x" << n.cols << "]";
    out << " = " << formula(n.op) << "  ";
    if (n.op == Op::to_matrix) {
      out << " entries";
      for (int a : n.args) out << " " << name(a);
    } else {
      int scalar_operand = 0, matrix_operand = 0;
      for (int a : n.args) {
        const bool matrix = p.nodes[static_cast<std::size_t>(a)].is_matrix();
        out << " " << (matrix ? "AB"[matrix_operand++] : "abc"[scalar_operand++]) << " = " << name(a);
      }
    }
    if (n.op == Op::input || n.op == Op::add_constant || n.op == Op::times_constant || n.op == Op::constant_over ||
        n.op == Op::mscale_constant)
      out << " c = " << n.c;
    if (n.data >= 0) out << " D = data" << n.data;
    if (n.op == Op::melement) out << " i = " << n.i << " j = " << n.j;
    out << "   |v| <= " << n.bound << "\n";
  }
  for (std::size_t d = 0; d < p.data.size(); ++d) {
    const Eigen::MatrixXd& m = p.data[d];
    out << "  data" << d << " [" << m.rows() << "x" << m.cols() << "] =";
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      out << (r ? " ;" : "");
      for (Eigen::Index c = 0; c < m.cols(); ++c) out << " " << m(r, c);
    }
    out << "\n";
  }
  return out.str();
}

// ---- generation ----

// Inputs are drawn from [-kInputRange, kInputRange]; bounds assume the wider box of kInputBound
// (finite differences step off the drawn point by a few 1e-3).
constexpr double kInputRange = 1.5;
constexpr double kInputBound = 2.0;
// Every node but the final sum stays within this: exp, square and products of larger values
// would make derivatives so steep that finite differences no longer measure them.
constexpr double kBoundLimit = 10.0;

struct Shape {
  int min_nodes = 5;
  int max_nodes = 40;
  int n_inputs = 0;  // 0: drawn from 1..5
};

class Generator {
 public:
  Generator(std::uint64_t seed, const Shape& shape) : rng_(seed) {
    program_.seed = seed;
    program_.n_inputs = shape.n_inputs > 0 ? shape.n_inputs : uniform_int(1, 5);
    for (int k = 0; k < program_.n_inputs; ++k) {
      Node n{Op::input, {}};
      n.c = k;
      n.bound = kInputBound;
      program_.nodes.push_back(n);
    }
    const int body = uniform_int(shape.min_nodes, shape.max_nodes);
    for (int k = 0; k < body; ++k) add_node();
    add_output();
  }
  Program take() { return std::move(program_); }

 private:
  int uniform_int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  std::vector<int> nodes_where(bool matrix) const {
    std::vector<int> found;
    for (std::size_t k = 0; k < program_.nodes.size(); ++k)
      if (program_.nodes[k].is_matrix() == matrix) found.push_back(static_cast<int>(k));
    return found;
  }
  // Any earlier node (shared sub-expressions); half the time one of the latest three, so
  // programs grow deep chains and not only a wide sum of shallow ones.
  int pick(const std::vector<int>& from) {
    const int n = static_cast<int>(from.size());
    const int lo = chance(0.5) ? std::max(0, n - 3) : 0;
    return from[static_cast<std::size_t>(uniform_int(lo, n - 1))];
  }
  const Node& node(int k) const { return program_.nodes[static_cast<std::size_t>(k)]; }
  int add_data(Eigen::Index rows, Eigen::Index cols) {
    Eigen::MatrixXd d(rows, cols);
    for (Eigen::Index k = 0; k < d.size(); ++k) d.data()[k] = uniform(-1, 1);
    program_.data.push_back(d);
    return static_cast<int>(program_.data.size()) - 1;
  }

  // Draws one node; an op whose bound would exceed the limit, or whose operands do not exist,
  // is drawn again. tanh always fits, so the loop ends.
  void add_node() {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::optional<Node> n = draw();
      if (n && n->bound <= kBoundLimit) {
        program_.nodes.push_back(*n);
        return;
      }
    }
    program_.nodes.push_back(unary(Op::tanh, pick(nodes_where(false))));
  }

  Node unary(Op op, int a) const {
    Node n{op, {a}};
    const double m = node(a).bound;
    switch (op) {
      case Op::neg: n.bound = m; break;
      case Op::exp: n.bound = m <= 2 ? std::exp(m) : INFINITY; break;  // only small arguments
      case Op::log_softplus: n.bound = std::max(-std::log(0.1), std::log(m + 0.8)); break;
      case Op::log1p_square: n.bound = std::log1p(m * m); break;
      case Op::sqrt_one_plus_square: n.bound = std::sqrt(1 + m * m); break;
      case Op::softplus:
      case Op::log_sigmoid: n.bound = m + 0.7; break;
      case Op::square: n.bound = m * m; break;
      default: n.bound = 1; break;  // sin, cos, tanh, sigmoid, erf
    }
    return n;
  }

  std::optional<Node> draw() {
    const std::vector<int> scalars = nodes_where(false);
    const std::vector<int> matrices = nodes_where(true);
    const double kind = uniform(0, 1);
    if (kind < 0.62 || scalars.empty()) return draw_scalar(scalars);
    if (kind < 0.82 || matrices.empty()) return draw_matrix(scalars, matrices);
    return draw_reduction(matrices);
  }

  std::optional<Node> draw_scalar(const std::vector<int>& scalars) {
    const int a = pick(scalars), b = pick(scalars), c = pick(scalars);
    const double ma = node(a).bound, mb = node(b).bound, mc = node(c).bound;
    const int which = uniform_int(0, 25);
    if (which < 13) {
      static const Op unaries[] = {Op::neg,     Op::exp,     Op::log_softplus, Op::log1p_square, Op::sqrt_one_plus_square,
                                   Op::sin,     Op::cos,     Op::tanh,         Op::sigmoid,      Op::softplus,
                                   Op::log_sigmoid, Op::square, Op::erf};
      return unary(unaries[which], a);
    }
    Node n{Op::add, {a, b}};
    const double constant = uniform(-2, 2);
    switch (which) {
      case 13: n = Node{Op::add_constant, {a}}; n.c = constant; n.bound = ma + std::abs(constant); break;
      case 14: n = Node{Op::times_constant, {a}}; n.c = constant; n.bound = ma * std::abs(constant); break;
      case 15: n = Node{Op::constant_over, {a}}; n.c = constant; n.bound = std::abs(constant); break;
      case 16: n.op = Op::add; n.bound = ma + mb; break;
      case 17: n.op = Op::sub; n.bound = ma + mb; break;
      case 18: n.op = Op::mul; n.bound = ma * mb; break;
      case 19: n.op = Op::div; n.bound = ma; break;
      case 20: n.op = Op::log_sum_exp; n.bound = std::max(ma, mb) + 0.7; break;
      case 21: n.op = Op::pow; n.bound = std::pow(2.0, mb); break;
      case 22: n = Node{Op::fused_ratio, {a, b, c}}; n.bound = ma + mb / 2; break;
      case 23: n.op = Op::fused_reuse; n.bound = ma * ma + mb; break;
      case 24: n.op = Op::fused_gauss; n.bound = mb + 0.5 * ma + 1; break;
      default: n = Node{Op::accumulate, {a, b, c}}; n.bound = 0.5 * (ma + mb * mc + 0.5); break;
    }
    return n;
  }

  std::optional<Node> draw_matrix(const std::vector<int>& scalars, const std::vector<int>& matrices) {
    const int which = matrices.empty() ? 0 : uniform_int(0, 18);
    if (which == 0) {  // to_matrix: the inputs in order (the contiguous path) or any scalars
      Node n{Op::to_matrix, {}};
      n.rows = uniform_int(1, 3);
      n.cols = uniform_int(1, 3);
      const bool contiguous = n.rows * n.cols <= program_.n_inputs && chance(0.3);
      for (Eigen::Index k = 0; k < n.rows * n.cols; ++k) {
        n.args.push_back(contiguous ? static_cast<int>(k) : pick(scalars));
        n.bound = std::max(n.bound, node(n.args.back()).bound);
      }
      return n;
    }
    const int a = pick(matrices);
    const Node& A = node(a);
    Node n{Op::madd, {a}};
    n.rows = A.rows;
    n.cols = A.cols;
    const double ma = A.bound;
    auto same_shape = [&](Eigen::Index rows, Eigen::Index cols) -> std::optional<int> {
      std::vector<int> found;
      for (int m : matrices)
        if (node(m).rows == rows && node(m).cols == cols) found.push_back(m);
      if (found.empty()) return std::nullopt;
      return pick(found);
    };
    switch (which) {
      case 1: {
        std::vector<int> right;
        for (int m : matrices)
          if (node(m).rows == A.cols) right.push_back(m);
        if (right.empty()) return std::nullopt;
        const int b = pick(right);
        n = Node{Op::matmul, {a, b}};
        n.rows = A.rows;
        n.cols = node(b).cols;
        n.bound = static_cast<double>(A.cols) * ma * node(b).bound;
        return n;
      }
      case 2:
        n.op = Op::matmul_data_left;
        n.rows = uniform_int(1, 3);
        n.data = add_data(n.rows, A.rows);
        n.bound = static_cast<double>(A.rows) * ma;
        return n;
      case 3:
        n.op = Op::matmul_data_right;
        n.cols = uniform_int(1, 3);
        n.data = add_data(A.cols, n.cols);
        n.bound = static_cast<double>(A.cols) * ma;
        return n;
      case 4:
      case 5:
      case 6: {
        const std::optional<int> b = same_shape(A.rows, A.cols);  // may be a itself
        if (!b) return std::nullopt;
        n.args.push_back(*b);
        n.op = which == 4 ? Op::madd : which == 5 ? Op::msub : Op::mproduct;
        n.bound = which == 6 ? ma * node(*b).bound : ma + node(*b).bound;
        return n;
      }
      case 7: {
        const std::optional<int> row = same_shape(1, A.cols);
        if (!row) return std::nullopt;
        n.op = Op::madd_to_rows;
        n.args.push_back(*row);
        n.bound = ma + node(*row).bound;
        return n;
      }
      case 8: {
        const int s = pick(scalars);
        n.op = Op::mscale;
        n.args.push_back(s);
        n.bound = ma * node(s).bound;
        return n;
      }
      case 9:
        n.op = Op::mscale_constant;
        n.c = uniform(-2, 2);
        n.bound = ma * std::abs(n.c);
        return n;
      case 10: n.op = Op::mexp; n.bound = ma <= 2 ? std::exp(ma) : INFINITY; return n;
      case 11: n.op = Op::mlog_softplus; n.bound = ma + 1; return n;
      case 12: n.op = Op::msigmoid; n.bound = 1; return n;
      case 13: n.op = Op::msoftplus; n.bound = ma + 0.7; return n;
      case 14: n.op = Op::mlog_sigmoid; n.bound = ma + 0.7; return n;
      case 15: n.op = Op::mtanh; n.bound = 1; return n;
      case 16: n.op = Op::msquare; n.bound = ma * ma; return n;
      case 17: n.op = Op::msoftmax_rows; n.bound = 1; return n;
      default:
        n.op = Op::mlog_softmax_rows;
        n.bound = 2 * ma + std::log(static_cast<double>(A.cols));
        return n;
    }
  }

  std::optional<Node> draw_reduction(const std::vector<int>& matrices) {
    const int a = pick(matrices);
    const Node& A = node(a);
    const double size = static_cast<double>(A.rows * A.cols);
    Node n{Op::msum, {a}};
    switch (uniform_int(0, 4)) {
      case 0: n.bound = size * A.bound; break;
      case 1: n.op = Op::mmean; n.bound = A.bound; break;
      case 2: {
        std::vector<int> same;
        for (int m : matrices)
          if (node(m).rows == A.rows && node(m).cols == A.cols) same.push_back(m);
        const int b = pick(same);
        n.op = Op::mdot;
        n.args.push_back(b);
        n.bound = size * A.bound * node(b).bound;
        break;
      }
      case 3: n.op = Op::mdot_data; n.data = add_data(A.rows, A.cols); n.bound = size * A.bound; break;
      default:
        n.op = Op::melement;
        n.i = uniform_int(0, static_cast<int>(A.rows) - 1);
        n.j = uniform_int(0, static_cast<int>(A.cols) - 1);
        n.bound = A.bound;
        break;
    }
    return n;
  }

  // The output sums every node no other node reads (matrices through a weighted dot), so the
  // whole program matters. Past the limit on purpose: nothing nonlinear follows.
  void add_output() {
    std::vector<bool> read(program_.nodes.size(), false);
    for (const Node& n : program_.nodes)
      for (int a : n.args) read[static_cast<std::size_t>(a)] = true;
    std::vector<int> sinks;
    const std::size_t n_before = program_.nodes.size();
    for (std::size_t k = static_cast<std::size_t>(program_.n_inputs); k < n_before; ++k) {
      if (read[k]) continue;
      const Node& sink = program_.nodes[k];
      if (!sink.is_matrix()) {
        sinks.push_back(static_cast<int>(k));
        continue;
      }
      Node n{Op::mdot_data, {static_cast<int>(k)}};
      n.data = add_data(sink.rows, sink.cols);
      n.bound = static_cast<double>(sink.rows * sink.cols) * sink.bound;
      program_.nodes.push_back(n);
      sinks.push_back(static_cast<int>(program_.nodes.size()) - 1);
    }
    int total = sinks.empty() ? 0 : sinks.front();
    for (std::size_t k = 1; k < sinks.size(); ++k) {
      Node n{Op::add, {total, sinks[k]}};
      n.bound = node(total).bound + node(sinks[k]).bound;
      program_.nodes.push_back(n);
      total = static_cast<int>(program_.nodes.size()) - 1;
    }
    if (total != static_cast<int>(program_.nodes.size()) - 1 || node(total).is_matrix()) {
      program_.nodes.push_back(unary(Op::neg, total));  // the output is the last node
    }
  }

  std::mt19937_64 rng_;
  Program program_;
};

Program generate(std::uint64_t seed, const Shape& shape = {}) { return Generator(seed, shape).take(); }

// The point a program is checked at: drawn from its own seed, so a seed names the whole case.
Eigen::VectorXd point_for(const Program& p) {
  std::mt19937_64 rng(p.seed ^ 0x9e3779b97f4a7c15ULL);
  std::uniform_real_distribution<double> u(-kInputRange, kInputRange);
  Eigen::VectorXd x(p.n_inputs);
  for (Eigen::Index k = 0; k < x.size(); ++k) x[k] = u(rng);
  return x;
}

// ---- evaluation, generic in T ----

// The matrix nodes for T = Var and HVar: the engine's.
template <class T>
struct MatrixOps {
  using Real = typename T::real_type;
  using Matrix = tapegrad::BasicMatVar<Real>;
  static Matrix to_matrix(const std::vector<T>& xs, Eigen::Index r, Eigen::Index c) { return tapegrad::to_matrix(xs, 0, r, c); }
  static Matrix matmul(const Matrix& a, const Matrix& b) { return tapegrad::matmul(a, b); }
  static Matrix matmul(const Eigen::MatrixXd& d, const Matrix& b) { return tapegrad::matmul(d, b); }
  static Matrix matmul(const Matrix& a, const Eigen::MatrixXd& d) { return tapegrad::matmul(a, d); }
  static Matrix add(const Matrix& a, const Matrix& b) { return tapegrad::add(a, b); }
  static Matrix subtract(const Matrix& a, const Matrix& b) { return tapegrad::subtract(a, b); }
  static Matrix product(const Matrix& a, const Matrix& b) { return tapegrad::elementwise_product(a, b); }
  static Matrix add_to_rows(const Matrix& a, const Matrix& row) { return tapegrad::add_to_rows(a, row); }
  static Matrix scale(const Matrix& a, const T& s) { return tapegrad::scale(a, s); }
  static Matrix scale(const Matrix& a, double s) { return tapegrad::scale(a, s); }
  static Matrix exp(const Matrix& a) { return tapegrad::exp(a); }
  static Matrix log_softplus(const Matrix& a) { return tapegrad::log(tapegrad::softplus(a)); }
  static Matrix sigmoid(const Matrix& a) { return tapegrad::sigmoid(a); }
  static Matrix softplus(const Matrix& a) { return tapegrad::softplus(a); }
  static Matrix log_sigmoid(const Matrix& a) { return tapegrad::log_sigmoid(a); }
  static Matrix tanh(const Matrix& a) { return tapegrad::tanh(a); }
  static Matrix square(const Matrix& a) { return tapegrad::square(a); }
  static Matrix softmax_rows(const Matrix& a) { return tapegrad::softmax_rows(a); }
  static Matrix log_softmax_rows(const Matrix& a) { return tapegrad::log_softmax_rows(a); }
  static T sum(const Matrix& a) { return tapegrad::sum(a); }
  static T mean(const Matrix& a) { return tapegrad::mean(a); }
  static T dot(const Matrix& a, const Matrix& b) { return tapegrad::dot(a, b); }
  static T dot(const Matrix& a, const Eigen::MatrixXd& d) { return tapegrad::dot(a, d); }
  static T element(const Matrix& a, Eigen::Index i, Eigen::Index j) { return tapegrad::element(a, i, j); }
};

// The same nodes for T = double, written directly in Eigen: the reference the tape must match.
template <>
struct MatrixOps<double> {
  using Matrix = Eigen::MatrixXd;
  static Matrix to_matrix(const std::vector<double>& xs, Eigen::Index r, Eigen::Index c) {
    return Eigen::Map<const Matrix>(xs.data(), r, c);
  }
  static Matrix matmul(const Matrix& a, const Matrix& b) { return a * b; }
  static Matrix add(const Matrix& a, const Matrix& b) { return a + b; }
  static Matrix subtract(const Matrix& a, const Matrix& b) { return a - b; }
  static Matrix product(const Matrix& a, const Matrix& b) { return a.cwiseProduct(b); }
  static Matrix add_to_rows(const Matrix& a, const Matrix& row) { return a.rowwise() + row.row(0); }
  static Matrix scale(const Matrix& a, double s) { return a * s; }
  static Matrix map(const Matrix& a, double (*f)(double)) { return a.unaryExpr(f); }
  static Matrix exp(const Matrix& a) { return a.array().exp().matrix(); }
  static Matrix log_softplus(const Matrix& a) { return map(a, [](double v) { return std::log(tapegrad::softplus(v)); }); }
  static Matrix sigmoid(const Matrix& a) { return map(a, [](double v) { return tapegrad::sigmoid(v); }); }
  static Matrix softplus(const Matrix& a) { return map(a, [](double v) { return tapegrad::softplus(v); }); }
  static Matrix log_sigmoid(const Matrix& a) { return map(a, [](double v) { return tapegrad::log_sigmoid(v); }); }
  static Matrix tanh(const Matrix& a) { return a.array().tanh().matrix(); }
  static Matrix square(const Matrix& a) { return a.array().square().matrix(); }
  static Matrix log_softmax_rows(const Matrix& a) {
    Matrix out(a.rows(), a.cols());
    for (Eigen::Index r = 0; r < a.rows(); ++r) {
      const double top = a.row(r).maxCoeff();
      const double lse = top + std::log((a.row(r).array() - top).exp().sum());
      out.row(r) = a.row(r).array() - lse;
    }
    return out;
  }
  static Matrix softmax_rows(const Matrix& a) { return log_softmax_rows(a).array().exp().matrix(); }
  static double sum(const Matrix& a) { return a.sum(); }
  static double mean(const Matrix& a) { return a.mean(); }
  static double dot(const Matrix& a, const Matrix& b) { return a.cwiseProduct(b).sum(); }
  static double element(const Matrix& a, Eigen::Index i, Eigen::Index j) { return a(i, j); }
};

template <class T>
T evaluate(const Program& p, const std::vector<T>& x) {
  using std::cos;
  using std::erf;
  using std::exp;
  using std::log;
  using std::log1p;
  using std::pow;
  using std::sin;
  using std::sqrt;
  using std::tanh;
  using tapegrad::log_sigmoid;
  using tapegrad::log_sum_exp;
  using tapegrad::sigmoid;
  using tapegrad::softplus;
  using tapegrad::square;
  using M = MatrixOps<T>;
  using Matrix = typename M::Matrix;

  std::vector<std::optional<T>> s(p.nodes.size());  // optional: a default Var would be recorded
  std::vector<Matrix> m(p.nodes.size());
  for (std::size_t k = 0; k < p.nodes.size(); ++k) {
    const Node& n = p.nodes[k];
    auto arg = [&](std::size_t i) -> const T& { return *s[static_cast<std::size_t>(n.args[i])]; };
    auto marg = [&](std::size_t i) -> const Matrix& { return m[static_cast<std::size_t>(n.args[i])]; };
    auto data = [&]() -> const Eigen::MatrixXd& { return p.data[static_cast<std::size_t>(n.data)]; };
    switch (n.op) {
      case Op::input: s[k] = x[static_cast<std::size_t>(n.c)]; break;
      case Op::neg: s[k] = T(-arg(0)); break;
      case Op::exp: s[k] = T(exp(arg(0))); break;
      case Op::log_softplus: s[k] = T(log(softplus(arg(0)) + 0.1)); break;
      case Op::log1p_square: s[k] = T(log1p(arg(0) * arg(0))); break;
      case Op::sqrt_one_plus_square: s[k] = T(sqrt(1 + square(arg(0)))); break;
      case Op::sin: s[k] = T(sin(arg(0))); break;
      case Op::cos: s[k] = T(cos(arg(0))); break;
      case Op::tanh: s[k] = T(tanh(arg(0))); break;
      case Op::sigmoid: s[k] = T(sigmoid(arg(0))); break;
      case Op::softplus: s[k] = T(softplus(arg(0))); break;
      case Op::log_sigmoid: s[k] = T(log_sigmoid(arg(0))); break;
      case Op::square: s[k] = T(square(arg(0))); break;
      case Op::erf: s[k] = T(erf(arg(0))); break;
      case Op::add_constant: s[k] = T(arg(0) + n.c); break;
      case Op::times_constant: s[k] = T(n.c * arg(0)); break;
      case Op::constant_over: s[k] = T(n.c / (1 + arg(0) * arg(0))); break;
      case Op::add: s[k] = T(arg(0) + arg(1)); break;
      case Op::sub: s[k] = T(arg(0) - arg(1)); break;
      case Op::mul: s[k] = T(arg(0) * arg(1)); break;
      case Op::div: s[k] = T(arg(0) / (1 + square(arg(1)))); break;
      case Op::log_sum_exp: s[k] = T(log_sum_exp(arg(0), arg(1))); break;
      case Op::pow: s[k] = T(pow(1 + sigmoid(arg(0)), arg(1))); break;
      case Op::fused_ratio: s[k] = T((arg(0) - arg(1) * arg(2)) / (1 + arg(2) * arg(2))); break;
      case Op::fused_reuse: s[k] = T(arg(0) * arg(0) + sin(arg(0)) * arg(1)); break;
      case Op::fused_gauss: s[k] = T(exp(-square(arg(0))) * arg(1) + 0.5 * arg(0) - 1.0); break;
      case Op::accumulate: {
        T v = arg(0);
        v += arg(1) * arg(2);
        v -= 0.5;
        v *= 0.5;
        s[k] = v;
        break;
      }
      case Op::to_matrix: {
        std::vector<T> entries;
        for (std::size_t i = 0; i < n.args.size(); ++i) entries.push_back(arg(i));
        m[k] = M::to_matrix(entries, n.rows, n.cols);
        break;
      }
      case Op::matmul: m[k] = M::matmul(marg(0), marg(1)); break;
      case Op::matmul_data_left: m[k] = M::matmul(data(), marg(0)); break;
      case Op::matmul_data_right: m[k] = M::matmul(marg(0), data()); break;
      case Op::madd: m[k] = M::add(marg(0), marg(1)); break;
      case Op::msub: m[k] = M::subtract(marg(0), marg(1)); break;
      case Op::mproduct: m[k] = M::product(marg(0), marg(1)); break;
      case Op::madd_to_rows: m[k] = M::add_to_rows(marg(0), marg(1)); break;
      case Op::mscale: m[k] = M::scale(marg(0), arg(1)); break;
      case Op::mscale_constant: m[k] = M::scale(marg(0), n.c); break;
      case Op::mexp: m[k] = M::exp(marg(0)); break;
      case Op::mlog_softplus: m[k] = M::log_softplus(marg(0)); break;
      case Op::msigmoid: m[k] = M::sigmoid(marg(0)); break;
      case Op::msoftplus: m[k] = M::softplus(marg(0)); break;
      case Op::mlog_sigmoid: m[k] = M::log_sigmoid(marg(0)); break;
      case Op::mtanh: m[k] = M::tanh(marg(0)); break;
      case Op::msquare: m[k] = M::square(marg(0)); break;
      case Op::msoftmax_rows: m[k] = M::softmax_rows(marg(0)); break;
      case Op::mlog_softmax_rows: m[k] = M::log_softmax_rows(marg(0)); break;
      case Op::msum: s[k] = M::sum(marg(0)); break;
      case Op::mmean: s[k] = M::mean(marg(0)); break;
      case Op::mdot: s[k] = M::dot(marg(0), marg(1)); break;
      case Op::mdot_data: s[k] = M::dot(marg(0), data()); break;
      case Op::melement: s[k] = M::element(marg(0), n.i, n.j); break;
    }
  }
  return *s.back();
}

// The program as the generic callable the drivers and checks take.
auto as_function(const Program& p) {
  return [&p](const auto& x) { return evaluate(p, x); };
}

// ---- seeds ----

// TAPEGRAD_PROPERTY_SEED=<seed> runs that one program in every property test; otherwise each
// test runs seeds first .. first + count - 1.
std::vector<std::uint64_t> seeds(std::uint64_t first, std::uint64_t count) {
  if (const char* one = std::getenv("TAPEGRAD_PROPERTY_SEED")) return {std::strtoull(one, nullptr, 10)};
  std::vector<std::uint64_t> all;
  for (std::uint64_t k = 0; k < count; ++k) all.push_back(first + k);
  return all;
}

std::string describe(const Eigen::VectorXd& v) {
  std::ostringstream out;
  out.precision(17);
  out << "(";
  for (Eigen::Index k = 0; k < v.size(); ++k) out << (k ? ", " : "") << v[k];
  return out.str() + ")";
}

// Rounding of a sum is relative to the terms summed, not to a result that may cancel; the
// magnitude of the vectors compared stands in for those terms.
bool close_to_rounding(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, double rel) {
  const double scale = std::max({1.0, a.cwiseAbs().maxCoeff(), b.cwiseAbs().maxCoeff()});
  return a.rows() == b.rows() && a.cols() == b.cols() && ((a - b).cwiseAbs().maxCoeff() <= rel * scale);
}

// Richardson central differences (h = 1e-3 max(1, |x|)) truncate at O(h^4) times the fifth
// derivative; the bounds above keep programs smooth enough that errors stay below 1e-9
// relative, so 1e-7 flags a wrong derivative without flagging a steep program.
tapegrad::CheckOptions finite_difference_tolerance() {
  tapegrad::CheckOptions o;
  o.rel_tol = 1e-7;
  o.abs_tol = 1e-9;
  return o;
}

}  // namespace

TEST_CASE("property: random programs' gradients equal finite differences, values agree on every path",
          "[property][autodiff]") {
  Catch::StringMaker<double>::precision = 17;
  for (const std::uint64_t seed : seeds(1, 2000)) {
    const Program program = generate(seed);
    const Eigen::VectorXd x = point_for(program);
    INFO("re-run alone: TAPEGRAD_PROPERTY_SEED=" << seed << "\n" << listing(program) << "at x = " << describe(x));
    auto f = as_function(program);

    // (4) the double program against the Var and HVar tapes' values. Scalar nodes run the same
    // formulas; the matrix reference may associate sums differently: rounding only.
    const std::vector<double> xs(x.data(), x.data() + x.size());
    const double on_double = evaluate(program, xs);
    const tapegrad::GradientResult first = tapegrad::gradient(f, x);
    const double on_hvar = tapegrad::value_gradient_hessian(f, x).value;
    CAPTURE(on_double, first.value, on_hvar);
    REQUIRE(std::isfinite(on_double));
    CHECK(close_to_rounding(Eigen::MatrixXd::Constant(1, 1, first.value), Eigen::MatrixXd::Constant(1, 1, on_double), 1e-13));
    CHECK(close_to_rounding(Eigen::MatrixXd::Constant(1, 1, on_hvar), Eigen::MatrixXd::Constant(1, 1, on_double), 1e-13));

    // (1) the gradient against finite differences of the double program.
    const tapegrad::CheckReport report = tapegrad::check_gradient(f, x, finite_difference_tolerance());
    INFO("gradient check:\n" << report.table());
    CHECK(report.passed);
  }
}

TEST_CASE("property: random programs' Hessians are symmetric and equal finite differences of the gradient",
          "[property][autodiff]") {
  Catch::StringMaker<double>::precision = 17;
  Shape shape;
  shape.max_nodes = 25;
  for (const std::uint64_t seed : seeds(100001, 500)) {
    const Program program = generate(seed, shape);
    const Eigen::VectorXd x = point_for(program);
    INFO("re-run alone: TAPEGRAD_PROPERTY_SEED=" << seed << "\n" << listing(program) << "at x = " << describe(x));
    auto f = as_function(program);

    // (2a) columns H e_j from one dual sweep each, before any symmetrisation; their asymmetry is
    // rounding in the sweeps. The second-order sweep's gradient is the first-order one.
    const Eigen::Index n = x.size();
    Eigen::MatrixXd columns(n, n);
    for (Eigen::Index j = 0; j < n; ++j) columns.col(j) = tapegrad::hessian_vector(f, x, Eigen::VectorXd::Unit(n, j));
    const tapegrad::HessianResult exact = tapegrad::value_gradient_hessian(f, x);
    CAPTURE(columns, exact.hessian);
    CHECK(columns.allFinite());
    CHECK(close_to_rounding(columns, columns.transpose(), 1e-12));
    CHECK(close_to_rounding(exact.hessian, columns, 1e-12));
    CHECK(close_to_rounding(exact.gradient, tapegrad::gradient(f, x).gradient, 1e-13));

    // (2b) against finite differences of the exact gradient.
    const tapegrad::CheckReport report = tapegrad::check_hessian(f, x, finite_difference_tolerance());
    INFO("Hessian check:\n" << report.table());
    CHECK(report.passed);
  }
}

TEST_CASE("property: the gradient of a sum of programs is the sum of their gradients", "[property][autodiff]") {
  Catch::StringMaker<double>::precision = 17;
  for (const std::uint64_t seed : seeds(200001, 1000)) {
    const Program a = generate(seed);
    Shape same_inputs;
    same_inputs.n_inputs = a.n_inputs;
    const Program b = generate(seed + (1ULL << 32), same_inputs);  // a second stream, same inputs
    const Eigen::VectorXd x = point_for(a);
    INFO("re-run alone: TAPEGRAD_PROPERTY_SEED=" << seed << "\n" << listing(a) << listing(b) << "at x = " << describe(x));

    auto a_plus_b = [&](const auto& th) {
      using T = std::decay_t<decltype(th[0])>;
      return T(evaluate(a, th) + evaluate(b, th));
    };
    const tapegrad::GradientResult sum = tapegrad::gradient(a_plus_b, x);
    const tapegrad::GradientResult ga = tapegrad::gradient(as_function(a), x);
    const tapegrad::GradientResult gb = tapegrad::gradient(as_function(b), x);
    CAPTURE(sum.gradient, ga.gradient, gb.gradient);
    // One tape sums the two programs' contributions to an input in a different order: rounding.
    CHECK(close_to_rounding(sum.gradient, ga.gradient + gb.gradient, 1e-13));
    CHECK(close_to_rounding(Eigen::MatrixXd::Constant(1, 1, sum.value), Eigen::MatrixXd::Constant(1, 1, ga.value + gb.value), 1e-15));
  }
}
