#include "json_text.hpp"

#include <cstdlib>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/text.hpp"

namespace tapegrad::models::detail {

namespace {

// "line L, column C" of the byte at `offset` (0-based); columns count bytes.
std::string where(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t k = 0; k < offset && k < text.size(); ++k) {
    if (text[k] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The tokens of JSON text, in order; strings whole (escapes skipped over). Any text is
// accepted (unknown characters come back one at a time), so it can also walk the valid part
// of an invalid document.
class Tokens {
 public:
  enum Kind { string, number, word, punctuation, end };
  struct Token {
    Kind kind;
    std::size_t begin, size;
  };
  explicit Tokens(std::string_view text) : text_(text) {}
  Token next() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) ++at_;
    const std::size_t begin = at_;
    if (at_ == text_.size()) return {end, begin, 0};
    const char c = text_[at_];
    if (c == '"') {
      for (++at_; at_ < text_.size() && text_[at_] != '"'; ++at_)
        if (text_[at_] == '\\') ++at_;
      at_ = std::min(at_ + 1, text_.size());
      return {string, begin, at_ - begin};
    }
    const auto part_of = [&](const char* set) { return at_ < text_.size() && std::string_view(set).find(text_[at_]) != std::string_view::npos; };
    if (part_of("-0123456789")) {
      while (part_of("-+.eE0123456789")) ++at_;
      return {number, begin, at_ - begin};
    }
    if (part_of("abcdefghijklmnopqrstuvwxyz")) {
      while (part_of("abcdefghijklmnopqrstuvwxyz")) ++at_;
      return {word, begin, at_ - begin};
    }
    ++at_;
    return {punctuation, begin, 1};
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

// Where nlohmann/json's out_of_range.406 ("number overflow parsing '1e999'") happened: the first
// number token (not text inside a string) written exactly so. npos if none.
std::size_t find_number(const std::string& text, const std::string& number) {
  Tokens tokens(text);
  for (auto t = tokens.next(); t.kind != Tokens::end; t = tokens.next())
    if (t.kind == Tokens::number && std::string_view(text).substr(t.begin, t.size) == number) return t.begin;
  return std::string::npos;
}

// A number token with a non-zero digit before its exponent that a double reads as 0.
bool underflows(std::string_view number) {
  const std::string copy(number);
  const std::size_t exponent = copy.find_first_of("eE");
  if (copy.substr(0, exponent).find_first_of("123456789") == std::string::npos) return false;
  return std::strtod(copy.c_str(), nullptr) == 0.0;
}

std::string pointer_segment(const std::string& key) {
  std::string out;
  for (const char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return shorten(out);
}

// One object or list being walked, with the keys seen in it (key -> offset).
struct Level {
  Level(bool is_object, std::string in_parent) : object(is_object), segment(std::move(in_parent)), expecting_key(is_object) {}
  bool object;
  std::string segment;  // this level's key or index in its parent, for the JSON path
  bool expecting_key = false;
  std::size_t next_index = 0;
  std::unordered_map<std::string, std::size_t> keys;
  std::string last_key;
};

// Walks valid JSON text: duplicate keys, numbers read as 0, depth.
void check_structure(const std::string& text, const std::string& file) {
  const auto fail = [&](std::size_t offset, const std::string& what) {
    throw InputError(shorten(file, 200) + ": " + where(text, offset) + ": " + what);
  };
  const auto path = [](const std::vector<Level>& levels, const std::string& last) {
    std::string out;
    for (std::size_t k = 2; k < levels.size(); ++k) out += "/" + levels[k].segment;  // 0: the document, 1: the root
    return out + "/" + last;
  };
  std::vector<Level> levels;
  levels.emplace_back(false, "");  // the document: a list of one value
  Tokens tokens(text);
  for (auto t = tokens.next(); t.kind != Tokens::end; t = tokens.next()) {
    Level& here = levels.back();
    const std::string_view token = std::string_view(text).substr(t.begin, t.size);
    if (here.object && here.expecting_key && t.kind == Tokens::string) {
      // The key as nlohmann/json reads it: escapes ("\u0061" is "a") decoded.
      const std::string key = token.find('\\') == std::string_view::npos
                                  ? std::string(token.substr(1, token.size() - 2))
                                  : nlohmann::json::parse(token).get<std::string>();
      const auto [first, fresh] = here.keys.emplace(key, t.begin);
      if (!fresh)
        fail(t.begin, path(levels, pointer_segment(key)) + ": the key " + shorten_quoted(key) + " appears twice in this object (first at " +
                          where(text, first->second) + "); a key may be given once");
      here.expecting_key = false;
      here.last_key = key;
      continue;
    }
    if (t.kind == Tokens::punctuation && (token == "}" || token == "]")) {
      if (levels.size() == 1) break;  // past the document's value (the parser accepted it): nothing to walk
      levels.pop_back();
      continue;
    }
    if (t.kind == Tokens::punctuation && token == ",") {
      here.expecting_key = here.object;
      continue;
    }
    if (t.kind == Tokens::punctuation && token == ":") continue;
    // A value: its path segment is the key just read, or its index in the list.
    const std::string segment = here.object ? pointer_segment(here.last_key) : std::to_string(here.next_index++);
    if (t.kind == Tokens::number && underflows(token))
      fail(t.begin, (levels.size() > 1 ? path(levels, segment) + ": " : std::string()) + "the number " +
                        shorten(token) + " is too close to 0 for a double (it would be read as 0)");
    if (t.kind == Tokens::punctuation && (token == "{" || token == "[")) {
      if (levels.size() > kMaxJsonDepth)
        fail(t.begin, "objects and lists nested more than " + std::to_string(kMaxJsonDepth) + " deep (a config needs a few levels)");
      levels.emplace_back(token == "{", segment);
    }
  }
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
  const std::string name = shorten(file, 200);
  // A NUL byte is never JSON, and nlohmann/json's parser takes it for the end of the text.
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos)
    throw InputError(name + ": " + where(text, nul) + ": a NUL byte (expected JSON text)");
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const std::string what = e.what();
    const auto syntax = what.find("syntax error");
    // e.byte is 1-based: the byte where the parser stopped.
    throw InputError(name + ": " + where(text, e.byte == 0 ? 0 : e.byte - 1) + ": not valid JSON (" +
                     shorten(syntax == std::string::npos ? what : what.substr(syntax), 200) + ")");
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406, "number overflow parsing '1e999'": a number no double holds. It carries
    // no offset; the number is quoted in the message.
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    if (e.id == 406 && open != std::string::npos && close > open) {
      const std::string number = what.substr(open + 1, close - open - 1);
      const std::size_t at = find_number(text, number);
      throw InputError(name + ": " + (at == std::string::npos ? std::string("somewhere") : where(text, at)) + ": the number " +
                       shorten(number) + " is beyond the range of a double (expected a finite number)");
    }
    throw InputError(name + ": not valid JSON (" + shorten(what, 200) + ")");
  }
  check_structure(text, file);
  return value;
}

}  // namespace tapegrad::models::detail
