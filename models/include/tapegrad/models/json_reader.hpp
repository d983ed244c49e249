#pragma once
// Reading one JSON object of a config with errors a person can act on.
//
// Every getter names the JSON path ("/fit/batch_size") and the file; every key read is
// remembered, so finish() can refuse the keys nobody read, with a did-you-mean for near misses.
// Layer and family factories (built-in and user-registered) read their options through it, so
// a user's layer gets the same messages as the built-in ones.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tapegrad/models/text.hpp"  // did_you_mean, shorten

namespace tapegrad::models {

class ObjectReader {
 public:
  // Throws InputError unless `value` is an object. `file` is the config's name as given.
  ObjectReader(const nlohmann::json& value, std::string path, std::string file);

  bool has(const std::string& key);  // marks the key as known
  const nlohmann::json& at(const std::string& key);  // required: missing is an error
  // The JSON path of `key` here ("/fit/tolerance"), the key escaped and shortened for messages.
  std::string path(const std::string& key) const;
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }

  std::string string(const std::string& key);
  std::string string(const std::string& key, const std::string& fallback);
  // One of `choices`; the message lists them (and suggests the nearest).
  std::string choice(const std::string& key, const std::vector<std::string>& choices, const std::string& fallback);
  double number(const std::string& key, double fallback, double min, double max);  // inclusive
  double positive(const std::string& key, double fallback);  // finite and > 0
  long long integer(const std::string& key, long long fallback, long long min, long long max);
  long long integer(const std::string& key, long long min, long long max);  // required
  bool boolean(const std::string& key, bool fallback);
  std::vector<std::string> strings(const std::string& key);  // a required list of strings

  // Refuses every key not read or asked about (has) so far.
  void finish() const;

  // "<file>: <path>: <what>", thrown as InputError.
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  const nlohmann::json& value_;
  std::string path_;
  std::string file_;
  std::vector<std::string> known_;
};

// "<file>: <json path>: <what>", thrown as InputError; `file` is shortened.
[[noreturn]] void fail_at(const std::string& file, const std::string& path, const std::string& what);

// A JSON value as it appears in a message: "-3", "\"lbfgs\"", "an object", "a list" (shortened).
std::string describe(const nlohmann::json& value);


}  // namespace tapegrad::models
