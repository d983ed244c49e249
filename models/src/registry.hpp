#pragma once
// A name -> factory table, safe to use from several threads (layers and families share it).
#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace tapegrad::models::detail {

template <class Factory>
class Registry {
 public:
  void add(const std::string& name, Factory factory) {
    std::lock_guard<std::mutex> lock(mutex_);
    factories_[name] = std::move(factory);
  }
  Factory find(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = factories_.find(name);
    return it == factories_.end() ? Factory{} : it->second;
  }
  std::vector<std::string> names() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& entry : factories_) out.push_back(entry.first);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Factory> factories_;
};

}  // namespace tapegrad::models::detail
