// Fuzz target: the CSV reader. The first byte picks one of a few request shapes; the rest is
// the file. Column names are taken from the file's own first line (split naively at commas),
// so seeds from real data files reach the number parsing and not only "unknown column".
// Contract: a table or an InputError; no crash, no leak, no other exception. And the same
// outcome on several threads (2 to 4, whatever the size) as on one: the same table, or an
// InputError with the same message; a difference aborts. Likewise the file read in 2, 3 and 5
// parts (CsvRequest::part, as the ranks of a distributed fit read it): the parts' rows in order
// are the whole table's, or the first failing part's error (or require_rows's on the totals) is
// the whole read's.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
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

// The table, or the InputError's message.
struct Outcome {
  std::optional<tapegrad::models::CsvTable> table;
  std::string error;
};

Outcome read(const tapegrad::models::CsvRequest& request) {
  Outcome out;
  try {
    out.table = tapegrad::models::read_csv(request);
  } catch (const tapegrad::models::InputError& e) {
    out.error = e.what();
  }
  return out;
}

bool same(const Outcome& a, const Outcome& b) {
  if (a.table.has_value() != b.table.has_value()) return false;
  if (!a.table) return a.error == b.error;
  const tapegrad::models::CsvTable &x = *a.table, &y = *b.table;
  return x.feature_names == y.feature_names && x.features.rows() == y.features.rows() &&
         x.features.cols() == y.features.cols() && x.features == y.features && x.target == y.target &&
         x.target_text == y.target_text && x.rows_dropped == y.rows_dropped && x.file_bytes == y.file_bytes;
}

// The parts' tables joined in part order, or the first failing part's error.
Outcome read_in_parts(tapegrad::models::CsvRequest request, std::size_t parts) {
  Outcome out;
  std::vector<tapegrad::models::CsvTable> tables;
  request.parts = parts;
  std::size_t rows = 0, dropped = 0;
  for (std::size_t k = 0; k < parts; ++k) {
    request.part = k;
    Outcome part = read(request);
    if (!part.table) return part;
    rows += static_cast<std::size_t>(part.table->features.rows());
    dropped += part.table->rows_dropped;
    tables.push_back(std::move(*part.table));
  }
  try {
    tapegrad::models::require_rows(request.path, rows, dropped);
  } catch (const tapegrad::models::InputError& e) {
    out.error = e.what();
    return out;
  }
  tapegrad::models::CsvTable joined;
  joined.feature_names = tables[0].feature_names;
  joined.features.resize(static_cast<Eigen::Index>(rows), tables[0].features.cols());
  if (!request.target_as_text) joined.target.resize(static_cast<Eigen::Index>(rows));
  Eigen::Index at = 0;
  for (const auto& t : tables) {
    const Eigen::Index n = t.features.rows();
    joined.features.middleRows(at, n) = t.features;
    if (!request.target_as_text) joined.target.segment(at, n) = t.target;
    joined.target_text.insert(joined.target_text.end(), t.target_text.begin(), t.target_text.end());
    at += n;
  }
  joined.rows_dropped = dropped;
  out.table = std::move(joined);
  return out;
}

// Equal tables but for file_bytes (a part counts the bytes it read).
bool same_rows(const Outcome& a, const Outcome& b) {
  if (a.table.has_value() != b.table.has_value()) return false;
  if (!a.table) return a.error == b.error;
  Outcome c = b;
  c.table->file_bytes = a.table->file_bytes;
  return same(a, c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string path = tapegrad_fuzz::scratch().write("data.csv", text);
  tapegrad::models::CsvRequest request = request_for(data[0], path, text);
  const Outcome one = read(request);
  request.threads = 2 + (data[0] >> 4) % 3;
  request.parallel_min_bytes = 0;
  const Outcome several = read(request);
  if (!same(one, several)) {
    std::fprintf(stderr, "read_csv on %zu threads differs from one thread: \"%s\" against \"%s\"\n", request.threads,
                 several.error.c_str(), one.error.c_str());
    std::abort();
  }
  request.threads = 1;
  for (std::size_t parts : {2u, 3u, 5u}) {
    const Outcome split = read_in_parts(request, parts);
    if (!same_rows(one, split)) {
      std::fprintf(stderr, "read_csv in %zu parts differs from one read: \"%s\" against \"%s\"\n", parts,
                   split.error.c_str(), one.error.c_str());
      std::abort();
    }
  }
  return 0;
}
