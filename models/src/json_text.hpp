#pragma once
// The text of a JSON config parsed strictly, with positions a person can find: invalid JSON,
// a number beyond the range of a double or so small it would be read as 0, a key written twice
// in one object, or nesting deeper than kMaxJsonDepth are each an InputError naming the file,
// the line and column (and the JSON path where there is one). nlohmann/json would keep the last
// of two equal keys in silence, and says where it stopped only for syntax errors.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace tapegrad::models::detail {

// Objects and lists nested deeper than this are refused: a config needs four or five levels.
constexpr std::size_t kMaxJsonDepth = 64;

// Parses `text`; messages start with `file` (the config's name as given).
nlohmann::json parse_json_text(const std::string& text, const std::string& file);

}  // namespace tapegrad::models::detail
