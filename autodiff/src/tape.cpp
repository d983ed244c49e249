#include "tapegrad/autodiff/tape.hpp"

#include <atomic>
#include <stdexcept>
#include <string>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace tapegrad {

namespace detail {
void throw_no_active_tape() {
  throw std::logic_error(
      "tapegrad: a Var was created with no active tape on this thread; "
      "create a tapegrad::ScopedTape (or use tapegrad::gradient) first");
}
void throw_foreign_variable(std::uint32_t variable_stamp, std::uint32_t tape_stamp, std::size_t index) {
  throw std::logic_error("tapegrad: variable " + std::to_string(index) + " was recorded on " +
                         (variable_stamp == 0 ? std::string("no tape") : "recording " + std::to_string(variable_stamp)) +
                         " but is used on the active tape's recording " + std::to_string(tape_stamp) +
                         ": a Var from another tape, or from before its tape was cleared; record every "
                         "variable on the tape that uses it, after that tape's last clear()");
}

std::uint32_t next_tape_stamp() {
  static std::atomic<std::uint32_t> counter{0};
  return ++counter;
}

void throw_tape_full() {
  throw std::length_error("tapegrad: tape is full (more than 2^32 - 1 statements or operands)");
}

namespace {
// Grows a raw array to hold at least `needed` elements, doubling; keeps the contents.
template <class T>
void grow_array(T*& data, std::size_t size, std::size_t& capacity, std::size_t needed) {
  std::size_t cap = std::max<std::size_t>(capacity * 2, 1024);
  while (cap < needed) cap *= 2;
  T* fresh = static_cast<T*>(::operator new(cap * sizeof(T)));
  if (data != nullptr && size > 0) std::memcpy(fresh, data, size * sizeof(T));
  ::operator delete(data);
  data = fresh;
  capacity = cap;
}
}  // namespace
}  // namespace detail

template <class Real>
Tape<Real>::Tape() : stamp_(detail::next_tape_stamp()) {
  grow(0);
  ends_[0] = 0;
}

template <class Real>
Tape<Real>::~Tape() {
  ::operator delete(ends_);
  ::operator delete(op_index_);
  ::operator delete(multiplier_);
  for (Block& b : blocks_) ::operator delete(b.data, std::align_val_t{16});
}

template <class Real>
void Tape<Real>::grow(std::size_t n_operands) {
  constexpr std::size_t kMax = std::numeric_limits<Index>::max();
  if (n_ops_ + n_operands >= kMax || n_stmts_ + 1 >= kMax) detail::throw_tape_full();
  if (n_stmts_ + 2 > stmt_cap_) {
    std::size_t cap = stmt_cap_ + 1;
    detail::grow_array(ends_, n_stmts_ + 1, cap, n_stmts_ + 2);
    stmt_cap_ = cap - 1;  // ends_ holds one more entry than there are statements
  }
  if (n_ops_ + n_operands > op_cap_) {
    std::size_t cap_index = op_cap_;
    std::size_t cap_mult = op_cap_;
    detail::grow_array(op_index_, n_ops_, cap_index, n_ops_ + n_operands);
    detail::grow_array(multiplier_, n_ops_, cap_mult, n_ops_ + n_operands);
    op_cap_ = std::min(cap_index, cap_mult);
  }
}

template <class Real>
void Tape<Real>::clear() {
  stamp_ = detail::next_tape_stamp();
  swept_ = false;
  n_stmts_ = 0;
  n_ops_ = 0;
  matrix_nodes_.clear();
  block_ = 0;
  offset_ = 0;
}

template <class Real>
std::size_t Tape<Real>::arena_bytes() const {
  std::size_t bytes = offset_;
  for (std::size_t b = 0; b < block_ && b < blocks_.size(); ++b) bytes += blocks_[b].size;
  return bytes;
}

template <class Real>
void* Tape<Real>::allocate(std::size_t bytes) {
  bytes = (bytes + 15) & ~std::size_t{15};
  while (block_ < blocks_.size()) {
    Block& b = blocks_[block_];
    if (offset_ + bytes <= b.size) {
      void* p = b.data + offset_;
      offset_ += bytes;
      return p;
    }
    ++block_;
    offset_ = 0;
  }
  // Stan's arena: 64 KB blocks, doubling.
  std::size_t size = blocks_.empty() ? std::size_t{1} << 16 : blocks_.back().size * 2;
  size = std::max(size, bytes);
  char* data = static_cast<char*>(::operator new(size, std::align_val_t{16}));
  blocks_.push_back({data, size});
  block_ = blocks_.size() - 1;
  offset_ = bytes;
  return data;
}

template <class Real>
void Tape<Real>::zero_adjoints() {
  swept_ = false;
  adjoints_.assign(n_stmts_, Real(0));
  for (MatrixNode<Real>* node : matrix_nodes_) {
    std::fill(node->adjoint_data(), node->adjoint_data() + node->adjoint_size(), Real(0));
  }
}

template <class Real>
void Tape<Real>::backward(Index output) {
  zero_adjoints();
  adjoints_[output] = Real(1);
  backward_seeded();
}

template <class Real>
void Tape<Real>::backward_seeded() {
  if (swept_)
    throw std::logic_error(
        "tapegrad: backward_seeded() again without zero_adjoints(): the adjoints still hold the last sweep, "
        "so a second sweep would add to them (a wrong gradient); call zero_adjoints() and seed again, or backward()");
  swept_ = true;
  std::size_t from = n_stmts_;
  for (auto it = matrix_nodes_.rbegin(); it != matrix_nodes_.rend(); ++it) {
    sweep(from, (*it)->mark());
    (*it)->backward(adjoints_.data());
    from = (*it)->mark();
  }
  sweep(from, 0);
}

template <class Real>
void Tape<Real>::sweep(std::size_t from, std::size_t to) {
  Real* adj = adjoints_.data();
  const Index* ends = ends_;
  const Index* index = op_index_;
  const Real* mult = multiplier_;
  for (std::size_t i = from; i-- > to;) {
    const Real a = adj[i];
    if (is_zero(a)) continue;  // nothing flows back from here
    for (Index k = ends[i]; k < ends[i + 1]; ++k) adj[index[k]] += mult[k] * a;
  }
}

template class Tape<double>;
template class Tape<Dual>;

}  // namespace tapegrad
