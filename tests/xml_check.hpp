#pragma once
// A small well-formedness check for the SVG files the tests read: tags balanced and properly
// nested, attribute values quoted, no raw '<' or stray '&' in text or attributes, only the five
// named entities (and numeric ones), no control characters, valid UTF-8 is not checked here.
// Returns "" when well-formed, else what is wrong and where.
#include <cctype>
#include <cstddef>
#include <string>
#include <vector>

namespace tapegrad::testing {

inline std::string xml_problem(const std::string& doc) {
  std::vector<std::string> open;
  const auto where = [&](std::size_t i) { return " at byte " + std::to_string(i); };
  // Text or an attribute value from i to end: entities only, no '<'.
  const auto check_text = [&](std::size_t i, std::size_t end) -> std::string {
    for (; i < end; ++i) {
      const unsigned char c = static_cast<unsigned char>(doc[i]);
      if (c == '<') return "raw '<'" + where(i);
      if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return "control character" + where(i);
      if (c != '&') continue;
      const std::size_t semi = doc.find(';', i);
      if (semi == std::string::npos || semi > end) return "unterminated entity" + where(i);
      const std::string name = doc.substr(i + 1, semi - i - 1);
      if (name != "amp" && name != "lt" && name != "gt" && name != "quot" && name != "apos" &&
          !(name.size() > 1 && name[0] == '#'))
        return "unknown entity &" + name + ";" + where(i);
    }
    return "";
  };
  std::size_t i = 0;
  if (doc.compare(0, 5, "<?xml") == 0) {
    i = doc.find("?>");
    if (i == std::string::npos) return "unterminated declaration";
    i += 2;
  }
  bool root_seen = false;
  while (i < doc.size()) {
    const std::size_t lt = doc.find('<', i);
    const std::size_t text_end = lt == std::string::npos ? doc.size() : lt;
    if (std::string p = check_text(i, text_end); !p.empty()) return p;
    if (open.empty() && doc.find_first_not_of(" \n\t\r", i) < text_end)
      return "text outside the root element" + where(i);
    if (lt == std::string::npos) break;
    if (doc.compare(lt, 4, "<!--") == 0) {
      const std::size_t end = doc.find("-->", lt);
      if (end == std::string::npos) return "unterminated comment" + where(lt);
      i = end + 3;
      continue;
    }
    const bool closing = lt + 1 < doc.size() && doc[lt + 1] == '/';
    std::size_t j = lt + (closing ? 2 : 1);
    const std::size_t name_begin = j;
    while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == '-' || doc[j] == ':' || doc[j] == '_'))
      ++j;
    const std::string name = doc.substr(name_begin, j - name_begin);
    if (name.empty()) return "a tag without a name" + where(lt);
    // Attributes: name="value" pairs.
    for (;;) {
      while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\n' || doc[j] == '\t')) ++j;
      if (j >= doc.size()) return "unterminated tag <" + name + where(lt);
      if (doc[j] == '>' || (doc[j] == '/' && j + 1 < doc.size() && doc[j + 1] == '>')) break;
      if (closing) return "attributes in a closing tag" + where(j);
      const std::size_t attr = j;
      while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == '-' || doc[j] == ':' || doc[j] == '_'))
        ++j;
      if (j == attr || j >= doc.size() || doc[j] != '=') return "a malformed attribute" + where(attr);
      ++j;
      if (j >= doc.size() || (doc[j] != '"' && doc[j] != '\'')) return "an unquoted attribute value" + where(j);
      const char quote = doc[j];
      const std::size_t value_end = doc.find(quote, j + 1);
      if (value_end == std::string::npos) return "an unterminated attribute value" + where(j);
      if (std::string p = check_text(j + 1, value_end); !p.empty()) return p;
      j = value_end + 1;
    }
    const bool self_closing = doc[j] == '/';
    i = j + (self_closing ? 2 : 1);
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> does not close the open element" + where(lt);
      open.pop_back();
    } else if (!self_closing) {
      if (open.empty() && root_seen) return "a second root element" + where(lt);
      root_seen = true;
      open.push_back(name);
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (!root_seen) return "no root element";
  return "";
}

}  // namespace tapegrad::testing
