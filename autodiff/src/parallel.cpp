#include "tapegrad/autodiff/parallel.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace tapegrad {

namespace {

// Worker threads kept for the life of the program. One parallel_for at a time owns them
// (run_mutex_); worker w runs body(w) of the current generation when w < count.
class WorkerPool {
 public:
  static WorkerPool& instance() {
    static WorkerPool pool;
    return pool;
  }

  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  // False when the pool is busy: the caller then runs the bodies itself.
  bool try_run(std::size_t count, const std::function<void(std::size_t)>& body) {
    std::unique_lock<std::mutex> owner(run_mutex_, std::try_to_lock);
    if (!owner.owns_lock() || inside_worker()) return false;
    std::vector<std::exception_ptr> errors(count);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (workers_.size() + 1 < count) {
        const std::size_t id = workers_.size() + 1;
        workers_.emplace_back([this, id] { loop(id); });
      }
      body_ = &body;
      errors_ = &errors;
      count_ = count;
      remaining_ = count - 1;
      ++generation_;
    }
    wake_.notify_all();
    run_one(body, 0, errors);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return remaining_ == 0; });
      body_ = nullptr;
      errors_ = nullptr;
    }
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
    return true;
  }

 private:
  static bool& inside_worker() {
    static thread_local bool inside = false;
    return inside;
  }

  static void run_one(const std::function<void(std::size_t)>& body, std::size_t k, std::vector<std::exception_ptr>& errors) {
    try {
      body(k);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  }

  void loop(std::size_t id) {
    inside_worker() = true;
    std::size_t seen = 0;
    for (;;) {
      const std::function<void(std::size_t)>* body = nullptr;
      std::vector<std::exception_ptr>* errors = nullptr;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (id >= count_) continue;
        body = body_;
        errors = errors_;
      }
      run_one(*body, id, *errors);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --remaining_;
      }
      done_.notify_all();
    }
  }

  std::mutex run_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(std::size_t)>* body_ = nullptr;
  std::vector<std::exception_ptr>* errors_ = nullptr;
  std::size_t count_ = 0;
  std::size_t remaining_ = 0;
  std::size_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace

std::vector<ShardRange> shard_ranges(std::size_t n, std::size_t shards) {
  shards = std::max<std::size_t>(1, std::min(shards, std::max<std::size_t>(n, 1)));
  std::vector<ShardRange> out(shards);
  const std::size_t base = n / shards, extra = n % shards;
  std::size_t at = 0;
  for (std::size_t k = 0; k < shards; ++k) {
    const std::size_t size = base + (k < extra ? 1 : 0);
    out[k] = {at, at + size};
    at += size;
  }
  return out;
}

void parallel_for(std::size_t count, const std::function<void(std::size_t)>& body) {
  if (count == 0) return;
  if (count > 1 && WorkerPool::instance().try_run(count, body)) return;
  std::exception_ptr first;
  for (std::size_t k = 0; k < count; ++k) {
    try {
      body(k);
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

std::size_t hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace tapegrad
