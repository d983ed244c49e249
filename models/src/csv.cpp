// read_csv: libcsv does the RFC 4180 tokenising; we stream the file through it in 1 MiB chunks
// and write each used cell straight into its final place in the feature matrix.
//
// Memory: a first pass counts line ends (an upper bound on the data rows) so the matrix is
// allocated once at its final size; pages past the rows actually written are never touched, and
// the matrix is shrunk only if rows were dropped or lines were blank.
//
// Line numbers: libcsv reports no positions, so we count line ends ourselves. With
// CSV_REPALL_NL every unquoted CR and LF ends a (possibly empty) row, so each row callback is one
// line end (the LF of a CRLF shows up as an empty row right after the CR one and is not counted);
// newlines inside quoted fields are counted from the field text.
#include "tapegrad/models/csv.hpp"

#include <csv.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tapegrad/autodiff/parallel.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/json_reader.hpp"

namespace tapegrad::models {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;
// A field this long is almost surely a quote left open that swallowed the rest of the file.
constexpr std::size_t kMaxField = std::size_t{64} << 20;
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
// libcsv's internal parser state "inside a field" (libcsv.c: FIELD_BEGUN); not in csv.h.
constexpr int kLibcsvFieldBegun = 2;

std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

bool is_missing(std::string_view s) { return s.empty() || s == "NA" || s == "NaN" || s == "nan" || s == "NULL"; }

enum class NumberStatus { ok, not_a_number, out_of_range };

// Decimal numbers only: optional sign, digits with an optional point, optional exponent.
// from_chars would also take "inf", "nan" and "infinity": refused here by the first character.
NumberStatus parse_number(std::string_view s, double& out) {
  const char* b = s.data();
  const char* const e = b + s.size();
  if (b != e && *b == '+') ++b;  // from_chars refuses a leading '+'
  const char* d = b;
  if (d != e && *d == '-') ++d;
  if (d == e || !((*d >= '0' && *d <= '9') || *d == '.')) return NumberStatus::not_a_number;
  if (d != b && b != s.data()) return NumberStatus::not_a_number;  // "+-1"
  const auto [ptr, ec] = std::from_chars(b, e, out);
  if (ptr != e) return NumberStatus::not_a_number;
  if (ec == std::errc::result_out_of_range) return NumberStatus::out_of_range;
  if (ec != std::errc()) return NumberStatus::not_a_number;
  return NumberStatus::ok;
}

std::size_t count_newlines(const char* s, std::size_t n) {
  std::size_t count = 0;
  const char* const e = s + n;
  while (s != e && (s = static_cast<const char*>(std::memchr(s, '\n', static_cast<std::size_t>(e - s))))) {
    ++count;
    ++s;
  }
  return count;
}

// Text for a one-line message: control characters escaped, long values cut.
std::string escape(std::string_view s, std::size_t max_chars = 60) {
  std::string out;
  const std::size_t n = std::min(s.size(), max_chars);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max_chars) out += "...";
  return out;
}

std::string quote(std::string_view s) { return '"' + escape(s) + '"'; }

// Each fresh 4 KiB page of the matrix costs a fault as it is first written (0.6 s for 160 MB on
// our VMs, a third of the read); transparent huge pages cut the faults 512-fold. Only advice:
// nothing happens where THP is off.
void advise_huge_pages(const void* data, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto start = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t begin = (start + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (start + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

class Parser {
 public:
  Parser() {
    // CSV_REPALL_NL: every unquoted line end is reported, so we can count lines. Not strict:
    // a stray quote inside a field is kept as text (and then fails as a number if it matters).
    csv_init(&p_, CSV_REPALL_NL);
    csv_set_blk_size(&p_, 4096);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser() { csv_free(&p_); }
  csv_parser* get() { return &p_; }

 private:
  csv_parser p_{};
};

// Fills buf with up to `want` bytes (fewer only at the end of the file), `offset` bytes into the
// file, or from the current position when `offset` is kNone.
std::size_t read_full(int fd, char* buf, std::size_t want, const std::string& path, std::size_t offset = kNone) {
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n = offset == kNone ? ::read(fd, buf + got, want - got)
                                      : ::pread(fd, buf + got, want - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(path + ": cannot read: " + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

struct FirstPass {
  std::size_t rows_bound = 0;  // data rows, at most
  std::size_t bytes = 0;
};

// Upper bound on the number of data rows: every row but the last ends with an LF, a CR not
// followed by an LF, or a CRLF; one line is the header.
FirstPass count_data_rows_bound(int fd, char* buf, std::size_t chunk, const std::string& path) {
  std::size_t line_ends = 0, bytes = 0;
  bool pending_cr = false, ends_with_line_end = true;
  for (;;) {
    const std::size_t n = read_full(fd, buf, chunk, path);
    if (n == 0) break;
    bytes += n;
    if (pending_cr && buf[0] != '\n') ++line_ends;
    pending_cr = false;
    line_ends += count_newlines(buf, n);
    const char* const e = buf + n;
    for (const char* s = buf;
         s != e && (s = static_cast<const char*>(std::memchr(s, '\r', static_cast<std::size_t>(e - s)))); ++s) {
      if (s + 1 == e) {
        pending_cr = true;
      } else if (s[1] != '\n') {
        ++line_ends;
      }
    }
    ends_with_line_end = buf[n - 1] == '\n' || buf[n - 1] == '\r';
    if (n < chunk) break;
  }
  if (pending_cr) ++line_ends;
  const std::size_t lines = line_ends + (ends_with_line_end ? 0 : 1);
  return {lines > 0 ? lines - 1 : 0, bytes};
}

// Where one part's rows go when several readers fill one matrix (read_csv_parallel): its first
// row in a column-major matrix of `stride` rows per column.
struct SharedRows {
  double* features = nullptr;
  double* target = nullptr;  // null when the target is kept as text
  std::size_t stride = 0;
  std::size_t first_row = 0;
};

// Receives libcsv's callbacks. Errors are recorded, not thrown: exceptions must not cross
// libcsv's C frames, so the reader stops listening and read_csv throws after csv_parse returns.
class Reader {
 public:
  // capacity: data rows to allocate for; bytes: the file's size if known (0: not known).
  Reader(const CsvRequest& request, std::size_t capacity, std::size_t bytes)
      : request_(request), capacity_(capacity), bytes_(bytes) {}

  static void on_field(void* s, std::size_t n, void* self) {
    auto* r = static_cast<Reader*>(self);
    try {
      r->field(static_cast<const char*>(s), n);
    } catch (...) {
      r->stop(std::current_exception());
    }
  }
  static void on_row(int c, void* self) {
    auto* r = static_cast<Reader*>(self);
    try {
      r->row(c);
    } catch (...) {
      r->stop(std::current_exception());
    }
  }

  bool failed() const { return failed_; }
  bool has_header() const { return have_header_; }
  [[noreturn]] void rethrow() const {
    if (exception_) std::rethrow_exception(exception_);
    throw InputError(error_);
  }
  void fail(const std::string& message) {
    if (failed_) return;
    failed_ = true;
    error_ = request_.path + ": " + message;
  }
  std::size_t line() const { return line_; }
  // The next byte fed is the start of physical line `line` (reading one part of a file).
  void set_line(std::size_t line) { line_ = line; }

  // Parallel reading. The first part's reader owns the matrix; set_row_limit() keeps it to its
  // own rows. The other parts' readers write into it (share_into, before the header is fed).
  void set_row_limit(std::size_t limit) { row_limit_ = limit; }
  void share_into(const SharedRows& rows, std::size_t limit) {
    shared_ = rows;
    sharing_ = true;
    capacity_ = row_limit_ = limit;
  }
  SharedRows rows_for_part(std::size_t first_row) {
    return {features_.data(), request_.target_as_text ? nullptr : target_.data(), capacity_, first_row};
  }
  // Appends a later part's rows (written at rows_for_part(first_row)) right after this reader's.
  void absorb(Reader& later) {
    const std::size_t from = later.shared_.first_row, n = later.rows_;
    if (from != rows_ && n > 0) {
      for (Eigen::Index k = 0; k < features_.cols(); ++k) {
        double* column = features_.data() + static_cast<std::size_t>(k) * capacity_;
        std::memmove(column + rows_, column + from, n * sizeof(double));
      }
      if (!request_.target_as_text) std::memmove(target_.data() + rows_, target_.data() + from, n * sizeof(double));
    }
    row_lines_.append(later.row_lines_, rows_);
    rows_ += n;
    dropped_ += later.dropped_;
    target_text_.insert(target_text_.end(), std::make_move_iterator(later.target_text_.begin()),
                        std::make_move_iterator(later.target_text_.end()));
    later.target_text_ = {};
  }

  // The table read; with allow_empty (one part of a split read) it may have no rows.
  CsvTable finish(std::size_t file_bytes, bool allow_empty = false) {
    const std::string& path = request_.path;
    if (!have_header_) throw InputError(path + ": empty file (expected a header row)");
    if (!allow_empty) require_rows(path, rows_, dropped_);
    CsvTable table;
    const auto rows = static_cast<Eigen::Index>(rows_);
    if (rows != features_.rows()) features_.conservativeResize(rows, features_.cols());
    table.features = std::move(features_);
    if (!request_.target_as_text) {
      if (rows != target_.size()) target_.conservativeResize(rows);
      table.target = std::move(target_);
    }
    table.target_text = std::move(target_text_);
    table.feature_names = std::move(feature_names_);
    table.row_lines = std::move(row_lines_);
    table.rows_dropped = dropped_;
    table.file_bytes = file_bytes;
    return table;
  }

 private:
  struct Column {
    double* base = nullptr;  // numeric destination (feature column or target), or null
    bool text = false;       // the target kept as text
  };

  void stop(std::exception_ptr e) {
    if (failed_) return;
    failed_ = true;
    exception_ = std::move(e);
  }

  void field(const char* s, std::size_t n) {
    if (failed_) return;
    after_cr_ = false;
    const std::size_t col = nfields_++;
    if (col == 0) {
      begin_row(trim({s, n}).empty());
      if (failed_) return;
    }
    if (!have_header_) {
      header_bytes_ += n;
      if (header_.size() == kMaxColumns)
        return fail("line " + std::to_string(row_line_) + ": the header has more than " + std::to_string(kMaxColumns) +
                    " columns (the limit)");
      if (header_bytes_ > kMaxField)
        return fail("line " + std::to_string(row_line_) + ": the header is longer than 64 MiB (the limit)");
      header_.emplace_back(trim({s, n}));
      line_ += count_newlines(s, n);
      return;
    }
    if (col >= columns_.size()) {  // ragged: reported at the end of the row
      line_ += count_newlines(s, n);
      return;
    }
    const Column& column = columns_[col];
    if (column.base != nullptr) {
      const std::string_view cell = trim({s, n});
      double value;
      const NumberStatus status = parse_number(cell, value);
      if (status == NumberStatus::ok) {
        column.base[rows_] = value;  // a number holds no newline: no line counting needed
        return;
      }
      const std::size_t cell_line = line_;
      line_ += count_newlines(s, n);
      if (is_missing(cell)) {
        note_missing(col, cell_line, cell);
      } else if (bad_col_ == kNone) {
        bad_col_ = col;
        bad_line_ = cell_line;
        bad_text_.assign(cell);
        bad_out_of_range_ = status == NumberStatus::out_of_range;
      }
      return;
    }
    if (column.text) {
      const std::string_view cell = trim({s, n});
      if (is_missing(cell)) {
        note_missing(col, line_, cell);
      } else {
        text_cell_.assign(cell);
      }
    }
    line_ += count_newlines(s, n);
  }

  void row(int c) {
    if (failed_) return;
    const std::size_t nfields = nfields_;
    nfields_ = 0;
    if (nfields == 0 && c == '\n' && after_cr_) {  // the LF of a CRLF
      after_cr_ = false;
      return;
    }
    // A row of no field or of one empty field (libcsv drops spaces around a field) is a blank line.
    if (nfields == 0 || (nfields == 1 && first_empty_)) {
      if (!have_header_) {
        header_.clear();
        header_bytes_ = 0;
      }
    } else if (have_header_) {
      finish_data_row(nfields);
    } else {
      finish_header();
    }
    if (c == '\r' || c == '\n') ++line_;
    after_cr_ = c == '\r';
  }

  void begin_row(bool first_empty) {
    row_line_ = line_;
    first_empty_ = first_empty;
    missing_col_ = bad_col_ = kNone;
    if (have_header_ && rows_ == row_limit_) {  // more rows than the part's line ends counted
      return fail("line " + std::to_string(line_) + ": the file changed while it was read (more rows than it had)");
    }
    if (have_header_ && rows_ == capacity_) grow();
  }

  void note_missing(std::size_t col, std::size_t line, std::string_view cell) {
    if (missing_col_ != kNone) return;
    missing_col_ = col;
    missing_line_ = line;
    missing_text_.assign(cell);
  }

  std::string cell_prefix(std::size_t col, std::size_t line) const {
    return "line " + std::to_string(line) + ", column " + quote(header_[col]) + " (" + std::to_string(col + 1) + "): ";
  }

  void finish_data_row(std::size_t nfields) {
    if (nfields != header_.size()) {
      fail("line " + std::to_string(row_line_) + ": expected " + std::to_string(header_.size()) +
           " fields as in the header, found " + std::to_string(nfields));
      return;
    }
    if (bad_col_ != kNone) {
      fail(cell_prefix(bad_col_, bad_line_) + "expected a number, found " + quote(bad_text_) +
           (bad_out_of_range_ ? " (out of the range of a double)" : ""));
      return;
    }
    if (missing_col_ != kNone) {
      if (request_.drop_missing) {
        ++dropped_;
        return;
      }
      fail(cell_prefix(missing_col_, missing_line_) + "missing value (found " + quote(missing_text_) +
           "); expected a value (set \"drop_missing\": true in the config's data to skip such rows)");
      return;
    }
    if (request_.target_as_text) target_text_.push_back(text_cell_);
    row_lines_.add(rows_, row_line_);
    ++rows_;
  }

  // Index of a header name, or a failure naming the columns (and the nearest one).
  std::size_t find_column(const std::string& name, const std::unordered_map<std::string_view, std::size_t>& index) {
    const auto it = index.find(name);
    if (it != index.end()) return it->second;
    std::string message = "unknown column " + quote(name);
    if (auto nearest = did_you_mean(name, header_)) message += "; did you mean " + quote(*nearest) + "?";
    message += " (columns: ";
    const std::size_t shown = std::min<std::size_t>(header_.size(), 40);
    for (std::size_t i = 0; i < shown; ++i) message += (i > 0 ? ", " : "") + escape(header_[i], 40);
    if (shown < header_.size()) message += ", ... " + std::to_string(header_.size() - shown) + " more";
    message += ")";
    fail(message);
    return kNone;
  }

  void finish_header() {
    const std::string at = "line " + std::to_string(row_line_) + ": ";
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < header_.size(); ++i) {
      const auto [it, fresh] = index.emplace(header_[i], i);
      if (!fresh) {
        return fail(at + "column " + quote(header_[i]) + " appears twice in the header (columns " +
                    std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")");
      }
    }
    const std::size_t target = find_column(request_.target, index);
    if (failed_) return;
    std::vector<std::size_t> selected;
    if (request_.features.empty()) {
      for (std::size_t i = 0; i < header_.size(); ++i) {
        if (i == target) continue;
        if (header_[i].empty()) {
          return fail(at + "column " + std::to_string(i + 1) +
                      " has no name in the header; name it, or list the features to use");
        }
        selected.push_back(i);
      }
    } else {
      std::vector<bool> taken(header_.size(), false);
      for (const std::string& name : request_.features) {
        const std::size_t i = find_column(name, index);
        if (failed_) return;
        if (i == target) return fail("column " + quote(name) + " is the target and cannot also be a feature");
        if (taken[i]) return fail("feature " + quote(name) + " is listed twice");
        taken[i] = true;
        selected.push_back(i);
      }
    }
    // A data row holds at least a delimiter per column but one and a line end: a tighter bound
    // when a file is mostly blank lines.
    if (bytes_ > 0) capacity_ = std::min(capacity_, (bytes_ + 1) / header_.size());
    columns_.assign(header_.size(), Column{});
    if (!sharing_) features_.resize(static_cast<Eigen::Index>(capacity_), static_cast<Eigen::Index>(selected.size()));
    if (request_.target_as_text) {
      columns_[target].text = true;
      target_text_.reserve(capacity_);
    } else if (!sharing_) {
      target_.resize(static_cast<Eigen::Index>(capacity_));
    }
    feature_index_ = selected;
    target_index_ = target;
    for (const std::size_t i : selected) feature_names_.push_back(header_[i]);
    set_bases();
    have_header_ = true;
  }

  void set_bases() {
    if (sharing_) {
      for (std::size_t k = 0; k < feature_index_.size(); ++k)
        columns_[feature_index_[k]].base = shared_.features + k * shared_.stride + shared_.first_row;
      if (!request_.target_as_text) columns_[target_index_].base = shared_.target + shared_.first_row;
      return;
    }
    advise_huge_pages(features_.data(), sizeof(double) * static_cast<std::size_t>(features_.size()));
    advise_huge_pages(target_.data(), sizeof(double) * static_cast<std::size_t>(target_.size()));
    for (std::size_t k = 0; k < feature_index_.size(); ++k)
      columns_[feature_index_[k]].base = features_.data() + k * capacity_;
    if (!request_.target_as_text) columns_[target_index_].base = target_.data();
  }

  // Only when the first pass could not bound the rows (a pipe) or the file grew since; never for
  // a shared part (its row limit is its capacity).
  // The first growth is to 4096 rows, fewer when there are many columns (32 MiB at most).
  void grow() {
    const std::size_t first = std::clamp<std::size_t>((std::size_t{4} << 20) / (feature_index_.size() + 1), 1, 4096);
    capacity_ = std::max<std::size_t>(capacity_ + capacity_ / 2 + 1, first);
    const auto cap = static_cast<Eigen::Index>(capacity_);
    features_.conservativeResize(cap, features_.cols());
    if (!request_.target_as_text) target_.conservativeResize(cap);
    set_bases();
  }

  const CsvRequest& request_;
  std::size_t capacity_;
  std::size_t bytes_;
  std::size_t row_limit_ = kNone;
  bool sharing_ = false;
  SharedRows shared_;

  bool failed_ = false;
  std::string error_;
  std::exception_ptr exception_;

  std::size_t line_ = 1;  // physical line of the parser's position
  bool after_cr_ = false;
  std::size_t nfields_ = 0;
  std::size_t row_line_ = 1;
  bool first_empty_ = false;

  bool have_header_ = false;
  std::vector<std::string> header_;
  std::size_t header_bytes_ = 0;
  std::vector<Column> columns_;
  std::vector<std::size_t> feature_index_;
  std::size_t target_index_ = 0;

  // The first problem cell of the current row, reported when the row ends.
  std::size_t missing_col_ = kNone, missing_line_ = 0;
  std::string missing_text_;
  std::size_t bad_col_ = kNone, bad_line_ = 0;
  std::string bad_text_;
  bool bad_out_of_range_ = false;
  std::string text_cell_;

  std::size_t rows_ = 0;
  std::size_t dropped_ = 0;
  Eigen::MatrixXd features_;
  Eigen::VectorXd target_;
  std::vector<std::string> target_text_;
  std::vector<std::string> feature_names_;
  RowLines row_lines_;
};

}  // namespace

namespace {

std::size_t pread_full(int fd, char* buf, std::size_t want, std::size_t offset, const std::string& path) {
  return read_full(fd, buf, want, path, offset);
}

// The offset just past the first LF at or after `from` (the file's size if there is none).
std::size_t next_line_start(int fd, std::size_t from, std::size_t size, char* buf, std::size_t chunk,
                            const std::string& path) {
  for (std::size_t at = from; at < size;) {
    const std::size_t n = pread_full(fd, buf, std::min(chunk, size - at), at, path);
    if (n == 0) break;
    if (const void* lf = std::memchr(buf, '\n', n)) return at + static_cast<std::size_t>(static_cast<const char*>(lf) - buf) + 1;
    at += n;
  }
  return size;
}

// LFs in [from, to).
std::size_t count_lines_between(int fd, std::size_t from, std::size_t to, char* buf, std::size_t chunk,
                                const std::string& path) {
  std::size_t lines = 0;
  for (std::size_t at = from; at < to;) {
    const std::size_t n = pread_full(fd, buf, std::min(chunk, to - at), at, path);
    if (n == 0) break;
    lines += count_newlines(buf, n);
    at += n;
  }
  return lines;
}

// Parses `len` bytes; throws the reader's error, libcsv's, or one for a field past kMaxField
// (only a quote left open, or a line with no delimiter, makes one that long).
void feed(csv_parser* p, Reader& reader, const char* data, std::size_t len) {
  const std::size_t parsed = csv_parse(p, data, len, &Reader::on_field, &Reader::on_row, &reader);
  if (reader.failed()) reader.rethrow();
  if (parsed != len) {
    reader.fail("line " + std::to_string(reader.line()) + ": cannot parse: " + csv_strerror(csv_error(p)));
    reader.rethrow();
  }
  if (csv_get_buffer_size(p) > kMaxField) {
    reader.fail("line " + std::to_string(reader.line()) +
                ": a field longer than 64 MiB (the limit) starts here (is a closing quote missing?)");
    reader.rethrow();
  }
}

// Ends the parse: a quote still open is an error, as from a whole read; then the last row.
void finish_parse(csv_parser* p, Reader& reader) {
  if (p->quoted && p->pstate == kLibcsvFieldBegun) {
    reader.fail("line " + std::to_string(reader.line()) +
                ": a quoted field starting here is not closed before the end of the file");
    reader.rethrow();
  }
  csv_fini(p, &Reader::on_field, &Reader::on_row, &reader);
  if (reader.failed()) reader.rethrow();
}

bool starts_with_bom(const char* data, std::size_t n) { return n >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0; }

// Feeds bytes [from, to) of the file to the parser (a BOM at offset 0 skipped when asked).
void feed_range(csv_parser* p, Reader& reader, int fd, std::size_t from, std::size_t to, char* buf, bool strip_bom,
                const std::string& path) {
  for (std::size_t at = from; at < to;) {
    const std::size_t n = pread_full(fd, buf, std::min(kChunk, to - at), at, path);
    if (n == 0) break;
    const std::size_t skip = strip_bom && at == 0 && starts_with_bom(buf, n) ? 3 : 0;
    at += n;
    feed(p, reader, buf + skip, n - skip);
  }
}

// The end of the header: past the line feed that ends the first line holding more than spaces,
// tabs and line ends (after a BOM); the file's size if there is none. Each byte is read once.
std::size_t find_header_end(int fd, std::size_t size, char* buf, const std::string& path) {
  for (std::size_t at = 0; at < size;) {
    const std::size_t n = pread_full(fd, buf, std::min(kChunk, size - at), at, path);
    if (n == 0) break;
    for (std::size_t i = at == 0 && starts_with_bom(buf, n) ? 3 : 0; i < n; ++i) {
      const char c = buf[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return next_line_start(fd, at + i, size, buf, kChunk, path);
    }
    at += n;
  }
  return size;
}

// Byte offset where part k of `parts` of the data rows [header_end, size) starts: near-equal
// ranges, each boundary moved to the next line start.
std::size_t part_boundary(int fd, std::size_t k, std::size_t parts, std::size_t header_end, std::size_t size,
                          char* buf, const std::string& path) {
  if (k == 0) return header_end;
  if (k >= parts) return size;
  const std::size_t raw = header_end + (size - header_end) / parts * k + (size - header_end) % parts * k / parts;
  return next_line_start(fd, raw - 1, size, buf, kChunk, path);  // raw itself if a line starts there
}

// What a byte range holds, found before it is parsed: an LF ends a row there unless a quote
// could put it inside a field, or a lone CR (an old Mac line end) ends rows without LFs.
struct RangeScan {
  std::size_t line_feeds = 0;
  bool quote = false;
  bool lone_cr = false;
};

RangeScan scan_range(int fd, std::size_t from, std::size_t to, char* buf, const std::string& path) {
  RangeScan scan;
  bool pending_cr = false;
  for (std::size_t at = from; at < to && !scan.quote && !scan.lone_cr;) {  // either one settles it
    const std::size_t n = pread_full(fd, buf, std::min(kChunk, to - at), at, path);
    if (n == 0) break;
    at += n;
    if (pending_cr && buf[0] != '\n') scan.lone_cr = true;
    pending_cr = false;
    scan.quote = scan.quote || std::memchr(buf, '"', n) != nullptr;
    const char* const e = buf + n;
    for (const char* c = buf; c != e && (c = static_cast<const char*>(std::memchr(c, '\r', static_cast<std::size_t>(e - c))));
         ++c) {
      if (c + 1 == e) {
        pending_cr = true;
      } else if (c[1] != '\n') {
        scan.lone_cr = true;
      }
    }
    scan.line_feeds += count_newlines(buf, n);
  }
  scan.lone_cr = scan.lone_cr || pending_cr;
  return scan;
}

// Part `part` of `parts` of a regular file's data rows, split by bytes: the header, then only
// the lines from the part's first line start to the next part's. Boundaries are byte offsets
// moved to the next line start, so the parts are near-equal in bytes and every row is in
// exactly one part, provided every line feed among the data rows ends a row: the caller checked
// that no quote is among them and no lone CR anywhere, and that the header's bytes hold the
// whole header row. Nothing is returned when the header's bytes turn out not to.
std::optional<CsvTable> read_csv_part_by_bytes(const CsvRequest& request, int fd, std::size_t size,
                                               std::size_t header_end, char* buf) {
  const std::string& path = request.path;
  auto boundary = [&](std::size_t k) { return part_boundary(fd, k, request.parts, header_end, size, buf, path); };
  const std::size_t begin = boundary(request.part), end = boundary(request.part + 1);
  const std::size_t first_line = 1 + count_lines_between(fd, 0, begin, buf, kChunk, path);

  Reader reader(request, count_lines_between(fd, begin, end, buf, kChunk, path) + 1, end - begin);
  Parser parser;
  csv_parser* p = parser.get();
  feed_range(p, reader, fd, 0, header_end, buf, true, path);
  if (!reader.has_header()) return std::nullopt;  // e.g. a blank line of `""` before the header
  reader.set_line(first_line);
  feed_range(p, reader, fd, begin, end, buf, false, path);
  finish_parse(p, reader);
  return reader.finish(end - begin, true);
}

// Rows [begin, end) of a whole table.
CsvTable slice_rows(CsvTable whole, std::size_t begin, std::size_t end) {
  CsvTable part;
  const auto b = static_cast<Eigen::Index>(begin), n = static_cast<Eigen::Index>(end - begin);
  part.features = whole.features.middleRows(b, n);
  if (whole.target.size() > 0) part.target = whole.target.segment(b, n);
  if (!whole.target_text.empty())
    part.target_text.assign(std::make_move_iterator(whole.target_text.begin() + b),
                            std::make_move_iterator(whole.target_text.begin() + b + n));
  part.feature_names = std::move(whole.feature_names);
  part.row_lines = whole.row_lines.slice(begin, end);
  part.file_bytes = whole.file_bytes;
  return part;
}

// Runs body(k) for k in [0, parts), part 0 on this thread and each other part on a thread of its
// own (or on this one if no thread can be started); then rethrows the exception of the first
// part, in file order, that threw: the error a one-thread read would have met first.
template <class Body>
void for_each_part(std::size_t parts, const Body& body) {
  std::vector<std::exception_ptr> errors(parts);
  const auto run = [&](std::size_t k) {
    try {
      body(k);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(parts);
  for (std::size_t k = 1; k < parts; ++k) {
    try {
      threads.emplace_back(run, k);
    } catch (const std::system_error&) {
      run(k);
    }
  }
  run(0);
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

// A regular file read by `parts` threads: each parses its own byte range of the data rows (the
// ranges of read_csv_part) into its own rows of one matrix, sized by the line feeds of each
// range; the first part's reader then moves the others' rows up against its own, so the table
// equals a one-thread read's. Nothing is returned (and nothing parsed) when the data rows hold a
// quote or a lone CR, where a line feed need not end a row: the caller reads on one thread.
std::optional<CsvTable> read_csv_parallel(const CsvRequest& request, int fd, std::size_t size, std::size_t parts) {
  const std::string& path = request.path;
  std::vector<std::unique_ptr<char[]>> buffers(parts);
  for (auto& b : buffers) b.reset(new char[kChunk]);
  const std::size_t header_end = find_header_end(fd, size, buffers[0].get(), path);
  if (header_end >= size) return std::nullopt;  // no data rows to share out
  std::vector<std::size_t> bounds(parts + 1);
  for (std::size_t k = 0; k <= parts; ++k)
    bounds[k] = part_boundary(fd, k, parts, header_end, size, buffers[0].get(), path);

  const RangeScan header = scan_range(fd, 0, header_end, buffers[0].get(), path);
  std::vector<RangeScan> scans(parts);
  for_each_part(parts, [&](std::size_t k) { scans[k] = scan_range(fd, bounds[k], bounds[k + 1], buffers[k].get(), path); });
  if (header.lone_cr) return std::nullopt;
  for (const RangeScan& scan : scans)
    if (scan.quote || scan.lone_cr) return std::nullopt;

  // Rows of part k: at most its line feeds, one more for the file's last line if it has none
  // (in the part that ends at the file's end; the parts after it, if any, are empty).
  char last = '\n';
  pread_full(fd, &last, 1, size - 1, path);
  std::vector<std::size_t> limit(parts), first_row(parts), first_line(parts);
  std::size_t rows = 0, line = 1 + header.line_feeds;
  for (std::size_t k = 0; k < parts; ++k) {
    limit[k] = scans[k].line_feeds + (bounds[k] < size && bounds[k + 1] == size && last != '\n' ? 1 : 0);
    first_row[k] = rows;
    first_line[k] = line;
    rows += limit[k];
    line += scans[k].line_feeds;
  }

  // The first part's reader reads the header here, which sizes the matrix for every part.
  std::vector<std::unique_ptr<Reader>> readers(parts);
  std::vector<Parser> parsers(parts);
  readers[0] = std::make_unique<Reader>(request, rows, 0);
  Reader& owner = *readers[0];
  owner.set_row_limit(limit[0]);
  feed_range(parsers[0].get(), owner, fd, 0, header_end, buffers[0].get(), true, path);
  if (!owner.has_header()) return std::nullopt;  // a quoted line end in the header
  for (std::size_t k = 1; k < parts; ++k) {
    readers[k] = std::make_unique<Reader>(request, limit[k], 0);
    readers[k]->share_into(owner.rows_for_part(first_row[k]), limit[k]);
  }
  for_each_part(parts, [&](std::size_t k) {
    Reader& reader = *readers[k];
    csv_parser* p = parsers[k].get();
    if (k > 0) feed_range(p, reader, fd, 0, header_end, buffers[k].get(), true, path);
    reader.set_line(first_line[k]);
    feed_range(p, reader, fd, bounds[k], bounds[k + 1], buffers[k].get(), false, path);
    finish_parse(p, reader);
  });
  for (std::size_t k = 1; k < parts; ++k) owner.absorb(*readers[k]);
  return owner.finish(size);
}


// The whole file on this thread (a pipe too, then `regular` is false), as libcsv streams it.
CsvTable read_csv_whole(const CsvRequest& request, int fd, bool regular, std::size_t size) {
  const std::string& path = request.path;
  // A regular file is read twice (the first pass only counts line ends); a pipe once, the
  // matrix then growing as rows come. A small file gets a small buffer (one read); a file that
  // grows meanwhile still reads whole.
  FirstPass first_pass;
  const std::size_t chunk = regular ? std::clamp<std::size_t>(size + 1, 4096, kChunk) : kChunk;
  std::unique_ptr<char[]> buf(new char[chunk]);
  if (regular) {
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    first_pass = count_data_rows_bound(fd, buf.get(), chunk, path);
    if (::lseek(fd, 0, SEEK_SET) != 0) throw InputError(path + ": cannot read: " + std::strerror(errno));
  }

  Reader reader(request, first_pass.rows_bound, first_pass.bytes);
  Parser parser;
  csv_parser* p = parser.get();
  std::size_t file_bytes = 0;
  for (bool first = true;; first = false) {
    const std::size_t n = read_full(fd, buf.get(), chunk, path);
    if (n == 0) break;
    file_bytes += n;
    const std::size_t skip = first && starts_with_bom(buf.get(), n) ? 3 : 0;
    feed(p, reader, buf.get() + skip, n - skip);
    if (n < chunk) break;
  }
  finish_parse(p, reader);
  return reader.finish(file_bytes);
}

// Part `part` of `parts` of a regular file's rows (CsvRequest::part): by bytes where that is
// safe, else every part parses the whole file, meeting the errors of a whole read, and keeps
// its share of the rows. The scans read the file once more (at memchr speed).
CsvTable read_csv_part(const CsvRequest& request, int fd, std::size_t size) {
  const std::string& path = request.path;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  const std::size_t header_end = find_header_end(fd, size, buf.get(), path);
  if (header_end < size) {
    const RangeScan header = scan_range(fd, 0, header_end, buf.get(), path);
    const RangeScan data = scan_range(fd, header_end, size, buf.get(), path);
    if (!header.lone_cr && !data.quote && !data.lone_cr)
      if (std::optional<CsvTable> table = read_csv_part_by_bytes(request, fd, size, header_end, buf.get()))
        return std::move(*table);
  }
  buf.reset();
  CsvTable whole = read_csv_whole(request, fd, true, size);
  const auto n = static_cast<std::size_t>(whole.features.rows());
  const std::size_t dropped = whole.rows_dropped;
  CsvTable part = slice_rows(std::move(whole), request.part * n / request.parts, (request.part + 1) * n / request.parts);
  part.rows_dropped = request.part == 0 ? dropped : 0;  // counted once over the parts
  return part;
}

}  // namespace

void require_rows(const std::string& path, std::size_t rows, std::size_t rows_dropped) {
  if (rows > 0) return;
  if (rows_dropped > 0)
    throw InputError(path + ": no data rows left: all " + std::to_string(rows_dropped) +
                     " rows have a missing cell in a used column");
  throw InputError(path + ": no data rows after the header");
}

CsvTable read_csv(const CsvRequest& request) {
  const std::string& path = request.path;
  if (request.part >= request.parts) throw std::invalid_argument("read_csv: part must be below parts");
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
  const int fd = file.get();
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  const auto size = regular ? static_cast<std::size_t>(st.st_size) : 0;
  if (request.parts > 1) {
    if (!regular) throw InputError(path + ": splitting the rows between processes needs a regular file, not a pipe");
    return read_csv_part(request, fd, size);
  }
  // More parts than cores only cost memory (a 1 MiB buffer each): at most 8, or one per core.
  const std::size_t threads = std::min(request.threads == 0 ? hardware_threads() : request.threads,
                                       std::max<std::size_t>(8, hardware_threads()));
  if (regular && threads > 1 && size >= request.parallel_min_bytes) {
    if (std::optional<CsvTable> table = read_csv_parallel(request, fd, size, threads)) return std::move(*table);
  }
  return read_csv_whole(request, fd, regular, size);
}

}  // namespace tapegrad::models
