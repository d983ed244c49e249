#include "tapegrad/models/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tapegrad/models/errors.hpp"

namespace tapegrad::models {

namespace {

// Edits (insert, delete, substitute, swap two neighbours) from a to b, ignoring case: a swap
// counts once, since "lbgfs" is one slip of the fingers from "lbfgs".
std::size_t edit_distance(const std::string& a, const std::string& b) {
  auto low = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = low(a[i - 1]) == low(b[j - 1]);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(15);
  s << v;
  return s.str();
}

}  // namespace

void fail_at(const std::string& file, const std::string& path, const std::string& what) {
  throw InputError(file + ": " + (path.empty() ? std::string("/") : path) + ": " + what);
}

std::string describe(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "a list";
    case nlohmann::json::value_t::null: return "null";
    default: {
      // A value built in C++ (not parsed from a file) may hold bytes that are not UTF-8:
      // shown replaced, never thrown (found by tests/fuzz/config_fuzzer through CBOR).
      std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      if (text.size() > 60) text = text.substr(0, 57) + "...";
      return text;
    }
  }
}

std::optional<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // A typo changes a few characters, and fewer in a short word.
  if (best && best_distance <= std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3))) return best;
  return std::nullopt;
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string path, std::string file)
    : value_(value), path_(std::move(path)), file_(std::move(file)) {
  if (!value_.is_object()) fail_at(file_, path_, "expected an object ({...}), found " + describe(value_));
}

void ObjectReader::fail(const std::string& key, const std::string& what) const { fail_at(file_, path(key), what); }

bool ObjectReader::has(const std::string& key) {
  known_.push_back(key);
  return value_.contains(key);
}

const nlohmann::json& ObjectReader::at(const std::string& key) {
  if (!has(key)) {
    // A near miss among the keys that are there is most likely this key misspelt.
    std::vector<std::string> present;
    for (const auto& item : value_.items()) present.push_back(item.key());
    std::string what = "required key is missing";
    if (auto near = did_you_mean(key, present)) what += "; \"" + *near + "\" is there: did you mean \"" + key + "\"?";
    fail(key, what);
  }
  return value_.at(key);
}

std::string ObjectReader::string(const std::string& key) {
  const auto& v = at(key);
  if (!v.is_string()) fail(key, "expected a string, found " + describe(v));
  if (v.get_ref<const std::string&>().empty()) fail(key, "expected a non-empty string, found \"\"");
  return v.get<std::string>();
}

std::string ObjectReader::string(const std::string& key, const std::string& fallback) {
  return has(key) ? string(key) : fallback;
}

std::string ObjectReader::choice(const std::string& key, const std::vector<std::string>& choices,
                                 const std::string& fallback) {
  if (!has(key)) return fallback;
  const std::string v = string(key);
  if (std::find(choices.begin(), choices.end(), v) != choices.end()) return v;
  std::string what = "expected one of " + join(choices) + ", found \"" + v + "\"";
  if (auto near = did_you_mean(v, choices)) what += "; did you mean \"" + *near + "\"?";
  fail(key, what);
}

double ObjectReader::number(const std::string& key, double fallback, double min, double max) {
  if (!has(key)) return fallback;
  const auto& v = value_.at(key);
  if (!v.is_number()) fail(key, "expected a number, found " + describe(v));
  const double x = v.get<double>();
  if (!(x >= min) || !(x <= max) || !std::isfinite(x)) {
    std::string range = std::isinf(max) ? ">= " + format_number(min) : "in [" + format_number(min) + ", " + format_number(max) + "]";
    fail(key, "expected a number " + range + ", found " + describe(v));
  }
  return x;
}

double ObjectReader::positive(const std::string& key, double fallback) {
  if (!has(key)) return fallback;
  const auto& v = value_.at(key);
  if (!v.is_number()) fail(key, "expected a positive number, found " + describe(v));
  const double x = v.get<double>();
  if (!(x > 0) || !std::isfinite(x)) fail(key, "expected a positive number, found " + describe(v));
  return x;
}

long long ObjectReader::integer(const std::string& key, long long min, long long max) {
  const auto& v = at(key);
  const bool whole = v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
                                               std::abs(v.get<double>()) < 9e15);
  if (!whole) fail(key, "expected an integer, found " + describe(v));
  const long long x = v.is_number_integer() ? v.get<long long>() : static_cast<long long>(v.get<double>());
  if (x < min || x > max) {
    const std::string range = max == std::numeric_limits<long long>::max()
                                  ? ">= " + std::to_string(min)
                                  : "in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    fail(key, "expected an integer " + range + ", found " + describe(v));
  }
  return x;
}

long long ObjectReader::integer(const std::string& key, long long fallback, long long min, long long max) {
  return has(key) ? integer(key, min, max) : fallback;
}

bool ObjectReader::boolean(const std::string& key, bool fallback) {
  if (!has(key)) return fallback;
  const auto& v = value_.at(key);
  if (!v.is_boolean()) fail(key, "expected true or false, found " + describe(v));
  return v.get<bool>();
}

std::vector<std::string> ObjectReader::strings(const std::string& key) {
  const auto& v = at(key);
  if (!v.is_array()) fail(key, "expected a list of column names, found " + describe(v));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string() || v[i].get_ref<const std::string&>().empty())
      fail_at(file_, path(key) + "/" + std::to_string(i), "expected a non-empty string, found " + describe(v[i]));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

void ObjectReader::finish() const {
  for (const auto& item : value_.items()) {
    if (std::find(known_.begin(), known_.end(), item.key()) != known_.end()) continue;
    std::vector<std::string> allowed = known_;
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    std::string what = "unknown key";
    if (auto near = did_you_mean(item.key(), allowed)) what += "; did you mean \"" + *near + "\"?";
    what += " (allowed here: " + join(allowed) + ")";
    fail(item.key(), what);
  }
}

}  // namespace tapegrad::models
