#pragma once
// Reading a data table from a CSV file with a header row (RFC 4180 through libcsv).
//
// Only the requested columns are kept, straight into one column-major feature matrix: the
// file is streamed in chunks and never held whole, so a 1,000,000 x 20 file peaks at little
// more than the matrix itself, on one thread or on several. Errors are InputError naming the
// file, the line (1-based, the header is line 1) and the column: a missing file, a ragged row,
// a non-numeric cell, an empty table, an unknown column, a missing cell (unless drop_missing),
// a limit passed (a field or a header over 64 MiB, more than kMaxColumns columns).
//
// Blank lines: as with R's read.csv, an empty line is skipped, so in a one-column file a
// missing value is written NA, not left as an empty line (which is skipped). A line of only
// spaces is blank too (R would read it as a row of NA).
#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

#include "tapegrad/models/row_lines.hpp"

namespace tapegrad::models {

struct CsvRequest {
  std::string path;                   // opened as given, and named as given in errors
  std::string target;                 // the target column's header name
  std::vector<std::string> features;  // header names in this order; empty: every column but the target
  bool target_as_text = false;        // keep target cells as text (class labels), not numbers
  bool drop_missing = false;          // drop rows with a missing cell in a used column instead of failing
  // Read only part `part` of `parts` of the data rows (each process of a distributed fit reads its
  // own); the parts, in order, hold exactly the rows of a whole read, and every part gives the
  // error a whole read gives if that error lies in its rows or the header. Where every line end
  // among the data rows ends a row (no quote there, no lone CR anywhere) the parts are
  // near-equal byte ranges; otherwise each part parses the whole file (holding the whole table
  // for a moment) and keeps rows [part*N/parts, (part+1)*N/parts). A part may hold no rows: the
  // caller checks the total with require_rows.
  std::size_t part = 0;
  std::size_t parts = 1;
  // Threads that parse a regular file together (0: one per core), each its own byte range of the
  // rows, into the one matrix; the table is the same as from one thread. Files smaller than
  // parallel_min_bytes, and files with a quote character or a lone CR among the data rows (where
  // a line end need not end a row), are read on one thread.
  std::size_t threads = 1;
  std::size_t parallel_min_bytes = std::size_t{16} << 20;
};

struct CsvTable {
  Eigen::MatrixXd features;                // rows x features.size(), column-major
  Eigen::VectorXd target;                  // rows; empty when target_as_text
  std::vector<std::string> target_text;    // rows; only when target_as_text
  std::vector<std::string> feature_names;  // column order of `features`
  RowLines row_lines;                      // the file line of each row
  std::size_t rows_dropped = 0;            // rows skipped for a missing cell (drop_missing)
  std::size_t file_bytes = 0;
};

// A cell is missing when it is empty, "NA", "NaN", "nan" or "NULL" (after trimming spaces).
// Numbers are parsed exactly (std::from_chars); "inf"/"-inf" are refused like any non-number.
CsvTable read_csv(const CsvRequest& request);

// The error read_csv gives when no data rows remain (InputError), if `rows` is 0: for a caller
// adding up the parts of a split read.
void require_rows(const std::string& path, std::size_t rows, std::size_t rows_dropped);

// Input-driven sizes with a limit (an InputError beyond it): columns in the header.
constexpr std::size_t kMaxColumns = std::size_t{1} << 20;

}  // namespace tapegrad::models
