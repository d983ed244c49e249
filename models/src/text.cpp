#include "tapegrad/models/text.hpp"

#include <algorithm>
#include <cctype>

namespace tapegrad::models {

namespace {

bool continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

// Bytes of the UTF-8 character at text[i]; 1 for a byte that does not start a valid one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  const std::size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 1;
  if (n == 1 || i + n > text.size()) return 1;
  for (std::size_t k = 1; k < n; ++k)
    if (!continuation_byte(static_cast<unsigned char>(text[i + k]))) return 1;
  return n;
}

// Words longer than this are not compared: no one misspells a 300-character name.
constexpr std::size_t kLongestCompared = 256;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

namespace detail {

// Optimal string alignment distance (insert, delete, substitute, swap of neighbours) between a
// and b, or limit + 1 when it is larger. Only the diagonal band |i - j| <= limit is computed,
// over three rows: O(limit * length) time, O(length) memory.
std::size_t bounded_edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  if (a.size() > b.size()) std::swap(a, b);
  const std::size_t n = a.size(), m = b.size(), far = limit + 1;
  if (m - n > limit) return far;
  std::vector<std::size_t> before(m + 1, far), previous(m + 1, far), current(m + 1, far);
  for (std::size_t j = 0; j <= std::min(m, limit); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    const std::size_t lo = i > limit ? i - limit : 1, hi = std::min(m, i + limit);
    current[lo - 1] = lo == 1 && i <= limit ? i : far;  // the column left of the band
    if (hi < m) current[hi + 1] = far;                  // and the one right of it, read by row i + 1
    std::size_t row_min = current[lo - 1];
    for (std::size_t j = lo; j <= hi; ++j) {
      std::size_t d = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, before[j - 2] + 1);
      current[j] = std::min(d, far);
      row_min = std::min(row_min, current[j]);
    }
    if (row_min > limit) return far;  // every path through this row is already too long
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[m], far);
}

}  // namespace detail

std::string shorten(std::string_view text, std::size_t max_chars) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  std::size_t chars = 0, i = 0;
  for (; i < text.size() && chars < max_chars; ++chars) {
    const std::size_t length = utf8_length(text, i);
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (length > 1) {
      out.append(text.substr(i, length));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {  // a control character, or a byte that is not UTF-8
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    i += length;
  }
  if (i < text.size()) {
    std::size_t total = chars;
    for (; i < text.size(); ++total) i += utf8_length(text, i);
    out += "... (" + std::to_string(total) + " characters)";
  }
  return out;
}

std::string shorten_quoted(std::string_view text, std::size_t max_chars) { return '"' + shorten(text, max_chars) + '"'; }

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i > 0 ? separator : "") + words[i];
  return out;
}

std::optional<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.size() > kLongestCompared) return std::nullopt;
  // A typo changes a few characters, and fewer in a short word.
  std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3));
  const std::string w = lower(word);
  std::optional<std::string> best;
  for (const auto& c : candidates) {
    if (c.size() > kLongestCompared || c.size() + limit < w.size() || c.size() > w.size() + limit) continue;
    const std::size_t d = detail::bounded_edit_distance(w, lower(c), limit);
    if (d > limit) continue;
    best = c;
    if (d == 0) break;
    limit = d - 1;  // from now on only a strictly nearer candidate replaces it
  }
  return best;
}

}  // namespace tapegrad::models
