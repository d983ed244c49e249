#pragma once
// The file line of each data row, kept cheaply: rows run in segments of consecutive lines, and
// only each segment's first row and line are stored (one segment for a file without blank
// lines, dropped rows or line breaks inside quoted cells). Errors about a row name its line.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

namespace tapegrad::models {

struct RowLines {
  std::vector<std::size_t> first_row;   // ascending
  std::vector<std::size_t> first_line;  // the file line (1-based) of first_row[i]

  // Records that data row `row` (rows added in order) starts on file line `line`.
  void add(std::size_t row, std::size_t line) {
    if (!first_row.empty() && line - first_line.back() == row - first_row.back()) return;
    first_row.push_back(row);
    first_line.push_back(line);
  }
  // The file line of data row `row`; 0 when not known.
  std::size_t line_of(std::size_t row) const {
    const auto it = std::upper_bound(first_row.begin(), first_row.end(), row);
    if (it == first_row.begin()) return 0;
    const auto i = static_cast<std::size_t>(std::distance(first_row.begin(), it)) - 1;
    return first_line[i] + (row - first_row[i]);
  }
  // Rows [begin, end), renumbered from 0.
  RowLines slice(std::size_t begin, std::size_t end) const {
    RowLines out;
    if (begin >= end) return out;
    out.add(0, line_of(begin));
    for (std::size_t i = 0; i < first_row.size(); ++i)
      if (first_row[i] > begin && first_row[i] < end) out.add(first_row[i] - begin, first_line[i]);
    return out;
  }
  // Appends `later`'s rows after this table's `rows` rows.
  void append(const RowLines& later, std::size_t rows) {
    for (std::size_t i = 0; i < later.first_row.size(); ++i) add(later.first_row[i] + rows, later.first_line[i]);
  }
};

}  // namespace tapegrad::models
