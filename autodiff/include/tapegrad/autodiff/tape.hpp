#pragma once
// The tape: a flat record of statements in creation order.
//
// Statement i defines variable i. Its operands are the entries [ends[i], ends[i+1]) of two
// parallel arrays: the operand's variable index and the local partial d(stmt i)/d(operand).
// The reverse pass is one loop from the last statement to the first:
//     adj[operand_index[k]] += multiplier[k] * adj[i]
// Creation order is a topological order, so nothing is sorted and nothing recurses.
//
// Matrix-valued nodes (matrix.hpp) live on the same tape in a second list. Each remembers how
// many scalar statements existed when it was recorded; the reverse pass runs the scalar loop
// down to that mark, then calls the node's backward step, and so on.
//
// Memory is kept on clear(): recording the same computation again allocates nothing.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tapegrad/autodiff/dual.hpp"

namespace tapegrad {

using Index = std::uint32_t;

template <class Real>
class Tape;

// A matrix-valued node. Lives in the tape's arena and is never destroyed: it must not own heap
// memory (its matrices are views of arena memory).
template <class Real>
class MatrixNode {
 public:
  MatrixNode(Tape<Real>& tape, Real* adjoint, std::size_t size);
  // Adds this node's contribution to its operands' adjoints, from its own adjoint.
  virtual void backward(Real* scalar_adjoints) = 0;
  Index mark() const { return mark_; }
  Real* adjoint_data() const { return adjoint_; }
  std::size_t adjoint_size() const { return size_; }

 protected:
  ~MatrixNode() = default;

 private:
  Index mark_;  // scalar statements recorded before this node
  Real* adjoint_;
  std::size_t size_;
};

// Checked builds (TAPEGRAD_CHECKED: Debug and sanitizer builds define it for the whole build)
// stamp every variable with its tape's recording and refuse a variable used on another tape or
// after its tape was cleared; the release hot path does not pay for the comparison.
#if defined(TAPEGRAD_CHECKED)
inline constexpr bool kCheckedTape = true;
#else
inline constexpr bool kCheckedTape = false;
#endif

namespace detail {
template <class Real>
inline thread_local Tape<Real>* active_tape = nullptr;
[[noreturn]] void throw_no_active_tape();
[[noreturn]] void throw_tape_full();
[[noreturn]] void throw_foreign_variable(std::uint32_t variable_stamp, std::uint32_t tape_stamp, std::size_t index);
std::uint32_t next_tape_stamp();
}  // namespace detail

// The tape that new variables of this thread are recorded on.
template <class Real>
inline Tape<Real>& active_tape() {
  Tape<Real>* t = detail::active_tape<Real>;
  if (__builtin_expect(t == nullptr, 0)) detail::throw_no_active_tape();
  return *t;
}

template <class Real>
class Tape {
 public:
  Tape();
  ~Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // ---- recording (hot path, inline) ----

  // Makes room for one statement with up to n operands.
  void reserve_statement(std::size_t n) {
    if (__builtin_expect(n_ops_ + n > op_cap_ || n_stmts_ + 1 > stmt_cap_, 0)) grow(n);
  }
  // Where the operands of the next statement are written.
  Index* operand_index_cursor() { return op_index_ + n_ops_; }
  Real* multiplier_cursor() { return multiplier_ + n_ops_; }
  // Closes the statement whose n operands were written at the cursors; returns its variable.
  Index close_statement(std::size_t n) {
    n_ops_ += n;
    ends_[n_stmts_ + 1] = static_cast<Index>(n_ops_);
    return static_cast<Index>(n_stmts_++);
  }
  // A new variable with no operands: an input or a constant.
  Index new_variable() {
    reserve_statement(0);
    return close_statement(0);
  }

  // ---- reverse pass ----

  // Sets every adjoint to zero and the adjoint of `output` to one, then sweeps back.
  void backward(Index output);
  // Sweeps back from adjoints seeded by the caller through adjoint() after zero_adjoints().
  // A second backward_seeded() without zero_adjoints() in between would add to the adjoints of
  // the first: it throws std::logic_error instead.
  void zero_adjoints();
  void backward_seeded();
  Real& adjoint(Index i) { return adjoints_[i]; }
  Real* adjoints() { return adjoints_.data(); }

  // Forgets every statement and node; keeps all memory for the next recording. Variables
  // recorded before are stale from here on (refused in checked builds).
  void clear();
  // Which recording this is: new at construction and at every clear().
  std::uint32_t stamp() const { return stamp_; }

  // ---- matrix nodes ----

  // Raw memory from the arena (16-byte aligned), valid until clear().
  void* allocate(std::size_t bytes);
  template <class T>
  T* allocate_array(std::size_t n) {
    return static_cast<T*>(allocate(n * sizeof(T)));
  }
  void add_matrix_node(MatrixNode<Real>* node) { matrix_nodes_.push_back(node); }

  // ---- statistics ----
  std::size_t n_statements() const { return n_stmts_; }
  std::size_t n_operands() const { return n_ops_; }
  std::size_t n_matrix_nodes() const { return matrix_nodes_.size(); }
  // Bytes the recorded statements occupy, adjoints included (arena excluded).
  std::size_t bytes_used() const {
    return n_stmts_ * (sizeof(Index) + sizeof(Real)) + n_ops_ * (sizeof(Index) + sizeof(Real));
  }
  // Bytes of the arena the matrix nodes of this recording occupy (their values, adjoints and
  // stored derivatives; the unused tail of a block counts as occupied).
  std::size_t arena_bytes() const;

 private:
  void grow(std::size_t n_operands);
  void sweep(std::size_t from, std::size_t to);  // statements [to, from), backwards

  // Statement arrays: ends_ has n_stmts_ + 1 entries, ends_[0] == 0.
  Index* ends_ = nullptr;
  std::size_t n_stmts_ = 0;
  std::size_t stmt_cap_ = 0;
  // Operand arrays.
  Index* op_index_ = nullptr;
  Real* multiplier_ = nullptr;
  std::size_t n_ops_ = 0;
  std::size_t op_cap_ = 0;

  std::vector<Real> adjoints_;
  std::vector<MatrixNode<Real>*> matrix_nodes_;
  std::uint32_t stamp_ = 0;
  bool swept_ = false;  // adjoints hold a sweep's result (backward_seeded needs zero_adjoints again)

  // Arena: blocks kept across clear(), used again in order.
  struct Block {
    char* data;
    std::size_t size;
  };
  std::vector<Block> blocks_;
  std::size_t block_ = 0;   // current block
  std::size_t offset_ = 0;  // bytes used in the current block
};

template <class Real>
MatrixNode<Real>::MatrixNode(Tape<Real>& tape, Real* adjoint, std::size_t size)
    : mark_(static_cast<Index>(tape.n_statements())), adjoint_(adjoint), size_(size) {
  tape.add_matrix_node(this);
}

// Makes a tape the active one of this thread for the guard's lifetime.
template <class Real>
class TapeScope {
 public:
  explicit TapeScope(Tape<Real>& tape) : previous_(detail::active_tape<Real>) {
    detail::active_tape<Real> = &tape;
  }
  ~TapeScope() { detail::active_tape<Real> = previous_; }
  TapeScope(const TapeScope&) = delete;
  TapeScope& operator=(const TapeScope&) = delete;

 private:
  Tape<Real>* previous_;
};

// A tape that is the active one of this thread while it lives: `tapegrad::ScopedTape tape;`.
template <class Real = double>
class BasicScopedTape : public Tape<Real> {
 public:
  BasicScopedTape() : scope_(*this) {}

 private:
  TapeScope<Real> scope_;
};

using ScopedTape = BasicScopedTape<double>;

extern template class Tape<double>;
extern template class Tape<Dual>;

}  // namespace tapegrad
