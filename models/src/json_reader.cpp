#include "tapegrad/models/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/text.hpp"

namespace tapegrad::models {

namespace {

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(15);
  s << v;
  return s.str();
}

}  // namespace

void fail_at(const std::string& file, const std::string& path, const std::string& what) {
  throw InputError(shorten(file, 200) + ": " + (path.empty() ? std::string("/") : path) + ": " + what);
}

std::string describe(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "a list";
    case nlohmann::json::value_t::null: return "null";
    // A value built in C++ (not parsed from a file) may hold bytes that are not UTF-8: shorten()
    // escapes them, where dump() would throw (found by tests/fuzz/config_fuzzer through CBOR).
    case nlohmann::json::value_t::string: return shorten_quoted(value.get_ref<const std::string&>());
    default: return shorten(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string path, std::string file)
    : value_(value), path_(std::move(path)), file_(std::move(file)) {
  if (!value_.is_object()) fail_at(file_, path_, "expected an object ({...}), found " + describe(value_));
}

std::string ObjectReader::path(const std::string& key) const {
  std::string escaped;  // JSON pointer: "~" and "/" in a key are written "~0" and "~1"
  for (const char c : key) escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return path_ + "/" + shorten(escaped);
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
    if (auto near = did_you_mean(key, present)) what += "; " + shorten_quoted(*near) + " is there: did you mean \"" + key + "\"?";
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
  std::string what = "expected one of " + join(choices) + ", found " + shorten_quoted(v);
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
  // Below the smallest normal double (2.2e-308) a number has lost digits and may round to 0 in
  // the arithmetic that uses it.
  if (x < std::numeric_limits<double>::min())
    fail(key, "expected a positive number of at least " + format_number(std::numeric_limits<double>::min()) +
                  " (the smallest normal double), found " + describe(v));
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
