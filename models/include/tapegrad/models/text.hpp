#pragma once
// Text for messages: every user text echoed in an error (a key, a column name, a value, a path)
// goes through shorten(), so a megabyte-long name or one holding control characters still
// gives a one-line message of bounded length; did_you_mean() suggests the nearest of a list in
// time and memory linear in the lengths compared.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::models {

// `text` for a one-line message: control characters, '"' and '\' escaped (\n, \t, \x01, ...);
// beyond `max_chars` characters (UTF-8 code points) cut, with "... (N characters)" appended.
std::string shorten(std::string_view text, std::size_t max_chars = 60);
// shorten(text) in double quotes (not `quoted`: std::quoted would be found by argument lookup).
std::string shorten_quoted(std::string_view text, std::size_t max_chars = 60);

// "a, b, c".
std::string join(const std::vector<std::string>& words, const std::string& separator = ", ");

// The candidate nearest to `word` by edit distance (case ignored; a swap of two neighbours
// counts once), if it is close enough to be a typo: at most max(1, min(3, length / 3)) edits.
// Words or candidates longer than 256 bytes are never compared (no suggestion).
std::optional<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

namespace detail {
// The edit distance did_you_mean uses (case as given), or limit + 1 when it is larger; O(limit *
// length) time, O(length) memory.
std::size_t bounded_edit_distance(std::string_view a, std::string_view b, std::size_t limit);
}  // namespace detail

}  // namespace tapegrad::models
