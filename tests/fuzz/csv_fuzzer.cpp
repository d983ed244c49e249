// Fuzz target: the CSV reader. The first byte picks one of a few request shapes; the rest is
// the file. Column names are taken from the file's own first line (split naively at commas),
// so seeds from real data files reach the number parsing and not only "unknown column".
// Contract: a table or an InputError; no crash, no leak, no other exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scratch_dir.hpp"
#include "tapegrad/models/csv.hpp"
#include "tapegrad/models/errors.hpp"

namespace {

std::vector<std::string> header_names(const std::string& text) {
  std::vector<std::string> names(1);
  for (char c : text) {
    if (c == '\n' || c == '\r') break;
    if (c == ',') {
      names.emplace_back();
    } else if (c != '"') {
      names.back() += c;
    }
  }
  return names;
}

tapegrad::models::CsvRequest request_for(std::uint8_t shape, const std::string& path, const std::string& text) {
  const std::vector<std::string> names = header_names(text);
  tapegrad::models::CsvRequest r;
  r.path = path;
  r.target = names.front();
  switch (shape % 5) {
    case 0:  // every other column a feature
      break;
    case 1:  // the last column as target, the first as the only feature, rows with gaps dropped
      r.target = names.back();
      r.features = {names.front()};
      r.drop_missing = true;
      break;
    case 2:  // class labels as text, features named in reverse order
      r.target_as_text = true;
      for (auto it = names.rbegin(); it != names.rend(); ++it)
        if (*it != r.target) r.features.push_back(*it);
      break;
    case 3:  // a feature listed twice and the target among the features
      r.features = {names.back(), names.back(), r.target};
      break;
    default:  // names that are probably not there
      r.target = "y";
      r.features = {"x", "x2"};
      r.drop_missing = true;
      break;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string path = tapegrad_fuzz::scratch().write("data.csv", text);
  try {
    tapegrad::models::read_csv(request_for(data[0], path, text));
  } catch (const tapegrad::models::InputError&) {
  }
  return 0;
}
