// read_csv: values, column selection, the CSV corners (quotes, CRLF, BOM, blank lines, pipes,
// chunk boundaries) and every error message: it must name the file, the line, the column, what
// was found and what was expected, on one line.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tapegrad/models/csv.hpp"
#include "tapegrad/models/errors.hpp"
#include "temp_dir.hpp"

using Catch::Matchers::Contains;
using tapegrad::models::CsvRequest;
using tapegrad::models::CsvTable;
using tapegrad::models::InputError;
using tapegrad::models::read_csv;

namespace {

namespace fs = std::filesystem;

using tapegrad::testing::TempDir;

CsvRequest request(const std::string& path, const std::string& target, std::vector<std::string> features = {}) {
  CsvRequest r;
  r.path = path;
  r.target = target;
  r.features = std::move(features);
  return r;
}

// The message of the InputError read_csv throws; fails the test if it throws nothing else.
std::string error_of(const CsvRequest& r) {
  try {
    read_csv(r);
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(message.find('\n') == std::string::npos);  // one line
    return message;
  }
  FAIL("read_csv did not throw");
  return {};
}

}  // namespace

TEST_CASE("read_csv reads the requested columns in the requested order", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("cars.csv",
                                     "mpg,cyl,wt,name\n"
                                     "21,6,2.62,Mazda\n"
                                     "22.8,4,2.32,Datsun\n"
                                     "18.7,8,3.44,Hornet\n");
  const CsvTable t = read_csv(request(path, "mpg", {"wt", "cyl"}));
  REQUIRE(t.features.rows() == 3);
  REQUIRE(t.features.cols() == 2);
  CHECK(t.feature_names == std::vector<std::string>{"wt", "cyl"});
  CHECK(t.features(0, 0) == 2.62);
  CHECK(t.features(1, 0) == 2.32);
  CHECK(t.features(2, 0) == 3.44);
  CHECK(t.features(0, 1) == 6);
  CHECK(t.features(2, 1) == 8);
  REQUIRE(t.target.size() == 3);
  CHECK(t.target[1] == 22.8);
  CHECK(t.target_text.empty());
  CHECK(t.rows_dropped == 0);
  CHECK(t.file_bytes == fs::file_size(path));
}

TEST_CASE("read_csv with no features listed takes every column but the target, in file order", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("all.csv", "a,y,b,c\n1,10,2,3\n4,20,5,6\n");
  const CsvTable t = read_csv(request(path, "y"));
  CHECK(t.feature_names == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(t.features.rows() == 2);
  CHECK(t.features(0, 0) == 1);
  CHECK(t.features(0, 1) == 2);
  CHECK(t.features(1, 2) == 6);
  CHECK(t.target[0] == 10);
  CHECK(t.target[1] == 20);
}

TEST_CASE("read_csv accepts decimal numbers and refuses anything else", "[csv]") {
  TempDir tmp;
  const std::string good = tmp.write("good.csv", "x,y\n1e-3,+2\n.5,-0.25\n5.,-.5\n1E+2,007\n-0,1.5e3\n");
  const CsvTable t = read_csv(request(good, "y", {"x"}));
  REQUIRE(t.features.rows() == 5);
  CHECK(t.features(0, 0) == 1e-3);
  CHECK(t.target[0] == 2);
  CHECK(t.features(1, 0) == 0.5);
  CHECK(t.target[1] == -0.25);
  CHECK(t.features(2, 0) == 5);
  CHECK(t.target[2] == -0.5);
  CHECK(t.features(3, 0) == 100);
  CHECK(t.target[3] == 7);
  CHECK(t.target[4] == 1500);
  CHECK(t.features(4, 0) == 0.0);

  for (const std::string bad :
       {"inf", "-inf", "Infinity", "abc", "1.5x", "0x10", "+-1", "--1", "1e", "+", "-", ".", "1 2", "1e400", "-nan"}) {
    CAPTURE(bad);
    const std::string path = tmp.write("bad.csv", "x,y\n1,2\n3,\"" + bad + "\"\n");
    const std::string message = error_of(request(path, "y", {"x"}));
    CHECK_THAT(message, Contains(path + ": line 3, column \"y\" (2): expected a number, found \"" + bad + "\""));
  }
  const std::string range = tmp.write("range.csv", "x,y\n1,1e999\n");
  CHECK_THAT(error_of(request(range, "y")), Contains("out of the range of a double"));
}

TEST_CASE("read_csv names the file, line, column and cell of a non-numeric cell", "[csv]") {
  TempDir tmp;
  std::string content = "mpg,cyl,hp\n";
  for (int i = 2; i < 18; ++i) content += "21,6,110\n";
  content += "21,6,abc\n";  // line 18
  const std::string path = tmp.write("hp.csv", content);
  CHECK(error_of(request(path, "mpg")) == path + ": line 18, column \"hp\" (3): expected a number, found \"abc\"");
  // The same cell in a column nobody asked for is fine.
  CHECK(read_csv(request(path, "mpg", {"cyl"})).features.rows() == 17);
}

TEST_CASE("read_csv handles quoted fields with delimiters, quotes and newlines", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("quoted.csv",
                                     "id,\"note, long\",y\n"
                                     "1,\"a, b\",\"3.5\"\n"
                                     "2,\"two\nlines \"\"quoted\"\"\",\" 4 \"\n"
                                     "3,\"three\n\nlines\",5\n"
                                     "4,x,oops\n");  // physical line 8
  const std::string message = error_of(request(path, "y", {"id"}));
  CHECK(message == path + ": line 8, column \"y\" (3): expected a number, found \"oops\"");

  const std::string ok = tmp.write("quoted_ok.csv",
                                   "id,note,y\n"
                                   "1,\"a, b\",\"3.5\"\n"
                                   "2,\"two\nlines \"\"quoted\"\"\",\" 4 \"\n");
  CsvRequest r = request(ok, "note", {"id", "y"});
  r.target_as_text = true;
  const CsvTable t = read_csv(r);
  REQUIRE(t.target_text.size() == 2);
  CHECK(t.target_text[0] == "a, b");
  CHECK(t.target_text[1] == "two\nlines \"quoted\"");
  CHECK(t.features(1, 1) == 4);
  CHECK(t.features(0, 1) == 3.5);
  CHECK(t.target.size() == 0);
}

TEST_CASE("read_csv reads CRLF files, a UTF-8 BOM and spaces around numbers", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("crlf.csv",
                                     "\xEF\xBB\xBF"
                                     "x , y\r\n"
                                     " 1.5 ,\t2\r\n"
                                     "\r\n"
                                     "3,\" 4 \"\r\n");
  const CsvTable t = read_csv(request(path, "y"));
  CHECK(t.feature_names == std::vector<std::string>{"x"});  // BOM and spaces gone from the name
  REQUIRE(t.features.rows() == 2);
  CHECK(t.features(0, 0) == 1.5);
  CHECK(t.target[0] == 2);
  CHECK(t.features(1, 0) == 3);
  CHECK(t.target[1] == 4);

  // Line numbers count CRLF once, and blank lines count.
  const std::string bad = tmp.write("crlf_bad.csv", "x,y\r\n1,2\r\n\r\n3,z\r\n");
  CHECK(error_of(request(bad, "y")) == bad + ": line 4, column \"y\" (2): expected a number, found \"z\"");
  const std::string lone_cr = tmp.write("cr.csv", "x,y\r1,2\r3,q\r");
  CHECK_THAT(error_of(request(lone_cr, "y")), Contains("line 3, column \"y\" (2)"));
}

TEST_CASE("read_csv skips blank lines and reads a last line without a newline", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("blank.csv", "\n\nx,y\n\n1,2\n   \n\"\"\n3,4\n\n\n");
  const CsvTable t = read_csv(request(path, "y"));
  REQUIRE(t.features.rows() == 2);
  CHECK(t.features(1, 0) == 3);
  CHECK(t.target[1] == 4);
  const std::string no_newline = tmp.write("nonl.csv", "x,y\n1,2\n3,4");
  CHECK(read_csv(request(no_newline, "y")).target[1] == 4);
}

TEST_CASE("read_csv refuses missing cells in used columns unless drop_missing", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("missing.csv",
                                     "a,b,y,unused\n"
                                     "1,2,3,\n"       // 2: missing only in an unused column
                                     "NA,2,3,x\n"     // 3
                                     "1, NaN ,3,x\n"  // 4
                                     "1,2,nan,x\n"    // 5
                                     "1,NULL,3,x\n"   // 6
                                     ",2,3,x\n"       // 7
                                     "7,8,9,x\n");    // 8
  const std::string message = error_of(request(path, "y", {"a", "b"}));
  CHECK(message ==
        path + ": line 3, column \"a\" (1): missing value (found \"NA\"); expected a value (set \"drop_missing\": true in the config's data to skip such rows)");

  CsvRequest r = request(path, "y", {"a", "b"});
  r.drop_missing = true;
  const CsvTable t = read_csv(r);
  CHECK(t.rows_dropped == 5);
  REQUIRE(t.features.rows() == 2);
  CHECK(t.features(0, 0) == 1);
  CHECK(t.features(1, 0) == 7);
  CHECK(t.features(1, 1) == 8);
  CHECK(t.target[1] == 9);

  // Each marker on its own, with the line and column named.
  const std::string empty = tmp.write("empty_cell.csv", "a,y\n1,2\n,3\n");
  CHECK_THAT(error_of(request(empty, "y")), Contains("line 3, column \"a\" (1): missing value (found \"\")"));
  const std::string nul = tmp.write("null_cell.csv", "a,y\n1,NULL\n");
  CHECK_THAT(error_of(request(nul, "y")), Contains("line 2, column \"y\" (2): missing value (found \"NULL\")"));

  // drop_missing does not hide a non-number.
  const std::string mixed = tmp.write("mixed.csv", "a,y\nNA,2\n1,x\n");
  CsvRequest rm = request(mixed, "y");
  rm.drop_missing = true;
  CHECK_THAT(error_of(rm), Contains("line 3, column \"y\" (2): expected a number, found \"x\""));

  // Every row dropped: nothing left to fit.
  const std::string all = tmp.write("all_missing.csv", "a,y\nNA,1\n2,NA\n");
  CsvRequest ra = request(all, "y");
  ra.drop_missing = true;
  CHECK(error_of(ra) == all + ": no data rows left: all 2 rows have a missing cell in a used column");
}

TEST_CASE("read_csv keeps a text target as trimmed strings", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("iris.csv", "len,species\n5.1, setosa \n7.0,\"versicolor\"\n6.3,NA\n5.0,x\n");
  CsvRequest r = request(path, "species");
  r.target_as_text = true;
  CHECK(error_of(r) ==
        path + ": line 4, column \"species\" (2): missing value (found \"NA\"); expected a value (set \"drop_missing\": true in the config's data to skip such rows)");
  r.drop_missing = true;
  const CsvTable t = read_csv(r);
  CHECK(t.target_text == std::vector<std::string>{"setosa", "versicolor", "x"});
  CHECK(t.rows_dropped == 1);
  REQUIRE(t.features.rows() == 3);
  CHECK(t.features(2, 0) == 5.0);
  CHECK(t.target.size() == 0);
}

TEST_CASE("read_csv reports ragged rows with the line, found and expected counts", "[csv]") {
  TempDir tmp;
  const std::string few =
      tmp.write("few.csv", "a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n");
  CHECK(error_of(request(few, "a")) == few + ": line 7: expected 5 fields as in the header, found 4");
  const std::string many = tmp.write("many.csv", "a,b\n1,2\n1,2,3\n");
  CHECK(error_of(request(many, "a")) == many + ": line 3: expected 2 fields as in the header, found 3");
  // A ragged row starting after a quoted newline.
  const std::string q = tmp.write("ragged_quoted.csv", "a,b,c\n1,\"x\ny\",3\n2\n");
  CHECK(error_of(request(q, "a", {"c"})) == q + ": line 4: expected 3 fields as in the header, found 1");
}

TEST_CASE("read_csv reports empty files, a header without rows and unopenable paths", "[csv]") {
  TempDir tmp;
  const std::string empty = tmp.write("empty.csv", "");
  CHECK(error_of(request(empty, "y")) == empty + ": empty file (expected a header row)");
  const std::string blank = tmp.write("blank.csv", "\n \r\n\n");
  CHECK(error_of(request(blank, "y")) == blank + ": empty file (expected a header row)");
  const std::string header = tmp.write("header.csv", "x,y\n");
  CHECK(error_of(request(header, "y")) == header + ": no data rows after the header");
  const std::string header_nonl = tmp.write("header_nonl.csv", "x,y");
  CHECK(error_of(request(header_nonl, "y")) == header_nonl + ": no data rows after the header");
  const std::string header_blank = tmp.write("header_blank.csv", "x,y\n\n\n");
  CHECK(error_of(request(header_blank, "y")) == header_blank + ": no data rows after the header");
  const std::string absent = tmp.path("absent.csv");
  CHECK(error_of(request(absent, "y")) == absent + ": cannot open: No such file or directory");
  const std::string dir = tmp.path("");
  CHECK_THAT(error_of(request(dir, "y")), Contains(": cannot read: Is a directory"));
}

TEST_CASE("read_csv checks column names against the header", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("cars.csv", "mpg,cyl,wt\n21,6,2.6\n");
  CHECK(error_of(request(path, "mpg", {"wtt"})) ==
        path + ": unknown column \"wtt\"; did you mean \"wt\"? (columns: mpg, cyl, wt)");
  CHECK(error_of(request(path, "mpg", {"horsepower"})) ==
        path + ": unknown column \"horsepower\" (columns: mpg, cyl, wt)");
  CHECK(error_of(request(path, "mgp")) ==
        path + ": unknown column \"mgp\"; did you mean \"mpg\"? (columns: mpg, cyl, wt)");
  CHECK(error_of(request(path, "mpg", {"cyl", "mpg"})) ==
        path + ": column \"mpg\" is the target and cannot also be a feature");
  CHECK(error_of(request(path, "mpg", {"cyl", "wt", "cyl"})) == path + ": feature \"cyl\" is listed twice");

  const std::string dup = tmp.write("dup.csv", "mpg,wt,cyl,wt\n1,2,3,4\n");
  CHECK(error_of(request(dup, "mpg", {"cyl"})) ==
        dup + ": line 1: column \"wt\" appears twice in the header (columns 2 and 4)");

  // An unnamed column (a pandas index) is fine unless it would be used.
  const std::string unnamed = tmp.write("unnamed.csv", ",x,y\n0,1,2\n1,3,4\n");
  CHECK(read_csv(request(unnamed, "y", {"x"})).features(1, 0) == 3);
  CHECK(error_of(request(unnamed, "y")) ==
        unnamed + ": line 1: column 1 has no name in the header; name it, or list the features to use");
}

TEST_CASE("read_csv reports a quote left open", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.write("open.csv", "x,y\n1,2\n3,\"4\n5,6\n");
  CHECK(error_of(request(path, "y")) ==
        path + ": line 3: a quoted field starting here is not closed before the end of the file");
}

TEST_CASE("read_csv streams across chunk boundaries", "[csv]") {
  TempDir tmp;
  // About 2.3 MB, CRLF: rows, CRs and quoted fields straddle the 1 MiB chunk boundaries.
  std::string content = "i,\"x\",label,y\r\n";
  const int n = 80000;
  for (int i = 0; i < n; ++i) {
    content += std::to_string(i) + "," + std::to_string(i * 0.5) + ",\"lab\nel " + std::to_string(i % 7) + "\"," +
               std::to_string(-i) + "\r\n";
  }
  const std::string path = tmp.write("big.csv", content);
  const CsvTable t = read_csv(request(path, "y", {"x", "i"}));
  REQUIRE(t.features.rows() == n);
  double sum_i = 0, sum_y = 0;
  for (int i = 0; i < n; ++i) {
    sum_i += t.features(i, 1);
    sum_y += t.target[i];
    if (t.features(i, 0) != i * 0.5) FAIL("row " << i);
  }
  CHECK(sum_i == static_cast<double>(n) * (n - 1) / 2);
  CHECK(sum_y == -sum_i);
  // The last line number is right after 2 physical lines per row.
  const std::string bad = tmp.write("big_bad.csv", content + "1,2,3,x\r\n");
  CHECK_THAT(error_of(request(bad, "y", {"x", "i"})),
             Contains("line " + std::to_string(2 * n + 2) + ", column \"y\" (4)"));
}

TEST_CASE("read_csv reads from a pipe", "[csv]") {
  TempDir tmp;
  const std::string path = tmp.path("fifo.csv");
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  const int n = 20000;  // more than the first growth step
  // Should read_csv stop early, the writer gets EPIPE rather than a fatal SIGPIPE.
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  std::thread writer([&] {
    std::ofstream out(path, std::ios::binary);
    out << "x,y\n";
    for (int i = 0; i < n; ++i) out << i << ',' << 2 * i << '\n';
  });
  CsvTable t;
  try {
    t = read_csv(request(path, "y"));
  } catch (...) {
    writer.join();
    std::signal(SIGPIPE, previous);
    throw;
  }
  writer.join();
  std::signal(SIGPIPE, previous);
  REQUIRE(t.features.rows() == n);
  CHECK(t.features(n - 1, 0) == n - 1);
  CHECK(t.target[n - 1] == 2.0 * (n - 1));
}

TEST_CASE("read_csv never crashes on random input", "[csv]") {
  TempDir tmp;
  std::mt19937 rng(12345);
  const char alphabet[] = {'"', ',', '\n', '\r', 'a', 'y', '1', '.', ' ', '\t', 'N', 'A', 'e', '-', '\0', '\xEF'};
  std::uniform_int_distribution<int> pick(0, sizeof alphabet - 1), length(0, 60);
  for (int trial = 0; trial < 1000; ++trial) {
    std::string content = trial % 2 ? "a,y\n" : "";
    for (int i = length(rng); i > 0; --i) content += alphabet[pick(rng)];
    // A new name each time: rewriting one file makes ext4 flush it to disk on every close.
    const std::string path = tmp.write("fuzz" + std::to_string(trial) + ".csv", content);
    for (const bool text : {false, true}) {
      CsvRequest r = request(path, "y");
      r.target_as_text = text;
      r.drop_missing = trial % 3 == 0;
      try {
        const CsvTable t = read_csv(r);
        CHECK(t.features.rows() > 0);
        CHECK(static_cast<std::size_t>(t.features.rows()) ==
              (text ? t.target_text.size() : static_cast<std::size_t>(t.target.size())));
      } catch (const InputError& e) {
        const std::string message = e.what();
        CHECK(message.rfind(path + ": ", 0) == 0);
        CHECK(message.find('\n') == std::string::npos);
      }
    }
    fs::remove(path);
  }
}

TEST_CASE("read_csv parts: the parts' rows, in order, are the whole file's, errors keep the file's line numbers",
          "[csv]") {
  tapegrad::testing::TempDir dir;
  // Uneven line lengths, a blank line, CRLF line ends and a quoted header cell.
  std::string text = "\"a\",b,y\r\n";
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> digits(0, 99999);
  for (int i = 0; i < 997; ++i) {
    text += std::to_string(digits(rng)) + "," + std::to_string(i) + "," + std::to_string(i % 2) + "\r\n";
    if (i == 500) text += "\r\n";
  }
  const std::string path = dir.write("data.csv", text);
  CsvRequest whole_request;
  whole_request.path = path;
  whole_request.target = "y";
  const CsvTable whole = read_csv(whole_request);
  REQUIRE(whole.features.rows() == 997);
  for (std::size_t parts : {2u, 3u, 7u}) {
    INFO("parts " << parts);
    Eigen::Index next = 0;
    for (std::size_t part = 0; part < parts; ++part) {
      CsvRequest request = whole_request;
      request.part = part;
      request.parts = parts;
      const CsvTable t = read_csv(request);
      CHECK(t.feature_names == whole.feature_names);
      CHECK(t.features.rows() > 997 / static_cast<Eigen::Index>(parts) - 10);  // near-equal in bytes
      CHECK(t.features == whole.features.middleRows(next, t.features.rows()));
      CHECK(t.target == whole.target.segment(next, t.target.size()));
      next += t.features.rows();
    }
    CHECK(next == 997);  // every row in exactly one part
  }
  // A bad cell near the end is reported by the part that holds it, at the file's line number.
  text.replace(text.rfind("\r\n", text.size() - 3) + 2, 1, "x");
  dir.write("data.csv", text);
  CsvRequest last = whole_request;
  last.part = 2;
  last.parts = 3;
  CHECK_THROWS_WITH(read_csv(last), Contains("line 999, column \"a\" (1): expected a number"));
  last.part = 0;
  CHECK_NOTHROW(read_csv(last));
}

namespace {

// The request on `threads` threads whatever the file's size.
CsvRequest on_threads(CsvRequest r, std::size_t threads) {
  r.threads = threads;
  r.parallel_min_bytes = 0;
  return r;
}

void check_same_table(const CsvTable& got, const CsvTable& want) {
  CHECK(got.feature_names == want.feature_names);
  CHECK(got.features.rows() == want.features.rows());
  CHECK(got.features == want.features);
  CHECK(got.target == want.target);
  CHECK(got.target_text == want.target_text);
  CHECK(got.rows_dropped == want.rows_dropped);
  CHECK(got.file_bytes == want.file_bytes);
}

// Uneven lines, CRLF line ends, a quoted header cell after a UTF-8 BOM, blank lines, "NA" cells,
// and a last line without a line end.
std::string mixed_csv(int rows) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> digits(0, 999999);
  std::string text = "\xEF\xBB\xBF\"a\",b,label,y\r\n";
  for (int i = 0; i < rows; ++i) {
    text += std::to_string(digits(rng)) + "e-3," + (i % 97 == 5 ? "NA" : std::to_string(i)) + ",class" +
            std::to_string(i % 3) + "," + std::to_string(i % 2);
    if (i + 1 < rows) text += "\r\n";
    if (i % 250 == 3) text += "\r\n";
  }
  return text;
}

}  // namespace

TEST_CASE("read_csv on several threads gives the table of one thread", "[csv]") {
  TempDir dir;
  const std::string path = dir.write("data.csv", mixed_csv(3001));
  CsvRequest numeric = request(path, "y", {"b", "a"});
  numeric.drop_missing = true;
  CsvRequest text = request(path, "label", {"a", "y"});
  text.target_as_text = true;
  for (const CsvRequest& r : {numeric, text}) {
    const CsvTable one = read_csv(r);
    REQUIRE(one.features.rows() > 2900);
    for (std::size_t threads : {2u, 3u, 8u}) {
      INFO("target " << r.target << ", threads " << threads);
      check_same_table(read_csv(on_threads(r, threads)), one);
    }
  }
  // More threads than lines: the empty parts add nothing. A long last line without a line end,
  // so that the parts after the first are empty (found by the CSV fuzzer).
  for (const char* text : {"x,y\n1,0\n2,1\n", "x,y\n1,0\n2.000000000000000000000000000000,1"}) {
    INFO(text);
    const std::string small = dir.write("small.csv", text);
    for (std::size_t threads : {2u, 5u}) check_same_table(read_csv(on_threads(request(small, "y"), threads)), read_csv(request(small, "y")));
  }
}

TEST_CASE("read_csv on several threads reports the error a one-thread read meets first", "[csv]") {
  TempDir dir;
  std::string text = "x,y\n";
  for (int i = 0; i < 2000; ++i) text += std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  const auto put = [&](int data_row, const std::string& cell) {  // data row r is line r + 1
    std::size_t at = 0;
    for (int line = 1; line <= data_row; ++line) at = text.find('\n', at) + 1;
    text.replace(at, text.find(',', at) - at, cell);
  };
  put(1900, "oops");  // in the last of 4 parts
  const std::string path = dir.write("data.csv", text);
  const std::string late = error_of(request(path, "y"));
  CHECK_THAT(late, Contains("line 1901, column \"x\" (1): expected a number, found \"oops\""));
  for (std::size_t threads : {2u, 4u}) CHECK(error_of(on_threads(request(path, "y"), threads)) == late);
  put(300, "1,2");  // a ragged row in the first part: reported instead
  dir.write("data.csv", text);
  const std::string early = error_of(request(path, "y"));
  CHECK_THAT(early, Contains("line 301: expected 2 fields as in the header, found 3"));
  CHECK(error_of(on_threads(request(path, "y"), 4)) == early);
  // Every row dropped: the message counts the rows of every part.
  const std::string gaps = dir.write("gaps.csv", "x,y\nNA,1\n2,\n,0\nNA,NA\n");
  CsvRequest dropping = request(gaps, "y");
  dropping.drop_missing = true;
  CHECK(error_of(on_threads(dropping, 3)) == error_of(dropping));
  CHECK_THAT(error_of(on_threads(dropping, 3)), Contains("all 4 rows"));
}

TEST_CASE("read_csv on several threads reads files it cannot split at line feeds on one thread", "[csv]") {
  TempDir dir;
  // A quoted cell of many lines across the middle of the file, and old Mac line ends (CR alone)
  // after a CRLF header: a line feed does not always end a row, so splitting at line feeds would
  // be wrong; the table is still the one-thread table.
  std::string quoted = "x,y,note\n", mac = "x,y\r\n", many_lines = "\"";
  for (int i = 0; i < 2000; ++i) many_lines += "x,y\n";
  many_lines += "\"";
  for (int i = 0; i < 400; ++i) {
    quoted += std::to_string(i) + ",1," + (i == 200 ? many_lines : "plain") + "\n";
    mac += std::to_string(i) + ",0\r";
  }
  for (const std::string& text : {quoted, mac}) {
    const std::string path = dir.write("data.csv", text);
    const CsvTable one = read_csv(request(path, "y", {"x"}));
    REQUIRE(one.features.rows() == 400);
    for (std::size_t threads : {2u, 3u}) check_same_table(read_csv(on_threads(request(path, "y", {"x"}), threads)), one);
  }
  // A line end inside the quoted header: still one table.
  const std::string header = dir.write("header.csv", "\"x\ncol\",y\n1,0\n2,1\n3,0\n");
  check_same_table(read_csv(on_threads(request(header, "y"), 2)), read_csv(request(header, "y")));
}

namespace {

// A read's outcome: the table, or the error message.
struct Outcome {
  std::string error;
  CsvTable table;
  std::vector<std::size_t> lines;  // the file line of each row
};

Outcome read_whole(const CsvRequest& r) {
  Outcome o;
  try {
    o.table = read_csv(r);
    for (Eigen::Index i = 0; i < o.table.features.rows(); ++i)
      o.lines.push_back(o.table.row_lines.line_of(static_cast<std::size_t>(i)));
  } catch (const InputError& e) {
    o.error = e.what();
  }
  return o;
}

// The parts' tables concatenated in part order, or the first failing part's error (the lowest
// rank's, as under mpirun), or require_rows's on the totals.
Outcome read_in_parts(CsvRequest r, std::size_t parts) {
  Outcome o;
  std::vector<CsvTable> tables;
  Eigen::Index rows = 0;
  std::size_t dropped = 0;
  r.parts = parts;
  for (std::size_t k = 0; k < parts; ++k) {
    r.part = k;
    try {
      tables.push_back(read_csv(r));
    } catch (const InputError& e) {
      o.error = e.what();
      return o;
    }
    rows += tables.back().features.rows();
    dropped += tables.back().rows_dropped;
  }
  try {
    tapegrad::models::require_rows(r.path, static_cast<std::size_t>(rows), dropped);
  } catch (const InputError& e) {
    o.error = e.what();
    return o;
  }
  CsvTable& t = o.table;
  t.feature_names = tables[0].feature_names;
  t.features.resize(rows, tables[0].features.cols());
  if (!r.target_as_text) t.target.resize(rows);
  Eigen::Index at = 0;
  for (const CsvTable& part : tables) {
    const Eigen::Index n = part.features.rows();
    if (n == 0) continue;  // an empty part (a block of an empty matrix is UB to Eigen's pointer arithmetic)
    if (t.features.cols() > 0) t.features.middleRows(at, n) = part.features;
    if (!r.target_as_text) t.target.segment(at, n) = part.target;
    t.target_text.insert(t.target_text.end(), part.target_text.begin(), part.target_text.end());
    for (Eigen::Index i = 0; i < n; ++i) o.lines.push_back(part.row_lines.line_of(static_cast<std::size_t>(i)));
    at += n;
  }
  t.rows_dropped = dropped;
  return o;
}

struct OddFile {
  OddFile() = default;
  OddFile(std::string n, std::string t, std::string y, std::vector<std::string> f = {}, bool as_text = false,
          bool drop = false)
      : name(std::move(n)), text(std::move(t)), target(std::move(y)), features(std::move(f)), text_target(as_text),
        drop_missing(drop) {}
  std::string name, text, target;
  std::vector<std::string> features;
  bool text_target = false, drop_missing = false;
};

// Small files with every corner a split read could get wrong.
std::vector<OddFile> odd_files() {
  return {
      {"cr_only", "x,y\r1,2\r3,4\r5,6\r7,8\r", "y"},
      {"cr_only_no_end", "x,y\r1,2\r3,4\r5,6", "y"},
      {"crlf", "x,y\r\n1,2\r\n3,4\r\n5,6\r\n7,8", "y"},
      {"mixed_ends", "x,y\n1,2\r\n3,4\r5,6\n7,8\r\n9,10\r", "y"},
      {"quoted_line_breaks", "x,note,y\n1,\"a\nb\",2\n3,c,4\n5,\"d\r\ne\n\nf\",6\n7,g,8\n", "y", {"x"}},
      {"quoted_numbers", "x,y\n\"1\",2\n3,\"4\"\n5,6\n", "y"},
      {"no_final_line_end", "x,y\n1,2\n3,4\n5,6", "y"},
      {"unclosed_quote", "x,y\n1,2\n3,4\n5,\"6\n7,8\n", "y"},
      {"unclosed_quote_header", "\"x,y\n1,2\n3,4\n", "y"},
      {"bom", "\xEF\xBB\xBFx,y\n1,2\n3,4\n5,6\n", "y"},
      {"bom_then_blank_lines", "\xEF\xBB\xBF\n\nx,y\n1,2\n3,4\n", "y"},
      {"blank_lines", "x,y\n\n1,2\n\n\n3,4\n\n5,6\n\n", "y"},
      {"blank_lines_before_header", "\n\n \r\n\t\nx,y\n1,2\n3,4\n5,6\n", "y"},
      {"quoted_empty_before_header", "\"\"\nx,y\n1,2\n3,4\n", "y"},
      {"quoted_header", "\"x\",\"y\"\n1,2\n3,4\n5,6\n", "y"},
      {"line_break_in_header", "\"x\nz\",y\n1,2\n3,4\n", "y"},
      {"na_rows_dropped", "x,y\n1,NA\n2,3\nNA,4\n5,6\n,\n7,8\n", "y", {}, false, true},
      {"na_rows_refused", "x,y\n1,2\n2,3\nNA,4\n5,6\n", "y"},
      {"all_dropped", "x,y\nNA,1\n2,NA\n", "y", {}, false, true},
      {"spaces_line", "x,y\n1,2\n   \n3,4\n", "y"},
      {"target_only", "y\n1\n2\n\n3\n4\n", "y"},
      {"target_only_spaces", "y\n1\n2\n \n3\n", "y"},
      {"target_only_na_dropped", "y\n1\nNA\n3\n", "y", {}, false, true},
      {"text_labels", "x,label\n1,b\n2,a\n3,\"c\"\n4,\"a\nb\"\n5,b\n", "label", {}, true},
      {"text_labels_plain", "x,label\n1,b\n2,a\n3,c\n4,a\n5,b\n", "label", {}, true},
      {"bad_cell_late", "x,y\n1,2\n3,4\n5,6\n7,oops\n9,10\n", "y"},
      {"bad_cell_after_quote", "x,note,y\n1,\"a\nb\",2\n3,c,4\n5,d,oops\n", "y", {"x"}},
      {"ragged", "x,y\n1,2\n3,4\n5\n7,8\n", "y"},
      {"header_only", "x,y\n", "y"},
      {"header_only_cr", "x,y\r", "y"},
      {"empty", "", "y"},
      {"one_row", "x,y\n1,2\n", "y"},
      {"two_rows_no_end", "x,y\n1,2\n3,4", "y"},
      {"duplicate_column", "x,x\n1,2\n", "x"},
      {"unknown_target", "x,y\n1,2\n", "z"},
      {"lone_cr_at_end", "x,y\n1,2\n3,4\r", "y"},
  };
}

// A random file: random line ends (LF, CRLF, CR), blank lines, quoted cells with line breaks,
// missing cells, a BOM, and sometimes a bad cell.
OddFile random_file(unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const char* ends[] = {"\n", "\r\n", "\r"};
  const int style = pick(4);  // 0: LF, 1: CRLF, 2: CR, 3: mixed
  auto end = [&] { return std::string(ends[style == 3 ? pick(3) : style]); };
  OddFile f;
  f.name = "random_" + std::to_string(seed);
  f.target = "y";
  f.features = {"a", "b"};
  f.drop_missing = pick(2) == 0;
  if (pick(4) == 0) f.text += "\xEF\xBB\xBF";
  for (int i = pick(3); i > 0; --i) f.text += end();
  f.text += "a,note,b,y" + end();
  const int rows = pick(40);
  for (int i = 0; i < rows; ++i) {
    if (pick(8) == 0) f.text += end();
    f.text += std::to_string(pick(1000)) + ",";
    const int note = pick(6);
    f.text += note == 0 ? "\"x" + end() + "y\"" : note == 1 ? "\"q\"\"q\"" : "n" + std::to_string(i);
    f.text += "," + (pick(15) == 0 ? std::string("NA") : std::to_string(pick(100))) + ",";
    f.text += pick(60) == 0 ? std::string("bad") : std::to_string(pick(2));
    if (i + 1 < rows || pick(2) == 0) f.text += end();
  }
  if (pick(25) == 0) f.text += "\"open";
  return f;
}

void check_parts_equal_whole(const TempDir& dir, const OddFile& f) {
  CsvRequest r = request(dir.write(f.name + ".csv", f.text), f.target, f.features);
  r.target_as_text = f.text_target;
  r.drop_missing = f.drop_missing;
  const Outcome whole = read_whole(r);
  for (std::size_t parts : {1u, 2u, 3u, 5u}) {
    INFO(f.name << " in " << parts << " parts; whole read: " << (whole.error.empty() ? "ok" : whole.error));
    const Outcome split = read_in_parts(r, parts);
    CHECK(split.error == whole.error);
    if (!whole.error.empty() || !split.error.empty()) continue;
    CHECK(split.table.feature_names == whole.table.feature_names);
    CHECK(split.table.features.rows() == whole.table.features.rows());
    CHECK(split.table.features == whole.table.features);
    CHECK(split.table.target == whole.table.target);
    CHECK(split.table.target_text == whole.table.target_text);
    CHECK(split.table.rows_dropped == whole.table.rows_dropped);
    CHECK(split.lines == whole.lines);
  }
}

}  // namespace

TEST_CASE("read_csv parts: any file gives the rows or the error of a whole read, in 1, 2, 3 and 5 parts",
          "[csv][parts]") {
  TempDir dir;
  for (const OddFile& f : odd_files()) check_parts_equal_whole(dir, f);
  for (unsigned seed = 1; seed <= 300; ++seed) check_parts_equal_whole(dir, random_file(seed));
}

TEST_CASE("read_csv parts: the row lines and the odd files' tables are those R's read.csv gives", "[csv][parts]") {
  TempDir dir;
  // CR-only line ends: 3 rows, not the whole file per part.
  CsvRequest cr = request(dir.write("cr.csv", "x,y\r1,2\r3,4\r5,6\r"), "y");
  cr.parts = 2;
  cr.part = 0;
  const CsvTable first = read_csv(cr);
  cr.part = 1;
  const CsvTable second = read_csv(cr);
  CHECK(first.features.rows() + second.features.rows() == 3);
  CHECK(second.row_lines.line_of(static_cast<std::size_t>(second.features.rows()) - 1) == 4);
  // Lines after blank lines and a quoted line break: each row's own.
  const CsvTable t = read_csv(request(dir.write("lines.csv", "x,n,y\n\n1,\"a\nb\",2\n\n3,c,4\n"), "y", {"x"}));
  REQUIRE(t.features.rows() == 2);
  CHECK(t.row_lines.line_of(0) == 3);
  CHECK(t.row_lines.line_of(1) == 6);
  // As read.csv: an empty line in a one-column file is skipped; NA is a missing value.
  CHECK(read_csv(request(dir.write("one.csv", "y\n1\n\n2\n"), "y")).target.size() == 2);
  CHECK_THROWS_WITH(read_csv(request(dir.write("one_na.csv", "y\n1\nNA\n2\n"), "y")),
                    Contains("one_na.csv: line 3, column \"y\" (1): missing value"));
}

TEST_CASE("read_csv: blank lines before the header cost linear time, on threads and in parts", "[csv]") {
  TempDir dir;
  // 4 MB of line ends before the header made the threaded reader re-read the prefix per line.
  std::string text(std::size_t{4} << 20, '\n');
  text += "x,y\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + "," + std::to_string(2 * i) + "\n";
  const std::string path = dir.write("blank_prefix.csv", text);
  const CsvTable threads = read_csv(on_threads(request(path, "y"), 2));
  REQUIRE(threads.features.rows() == 1000);
  CHECK(threads.target[999] == 1998);
  CHECK(threads.row_lines.line_of(0) == (std::size_t{4} << 20) + 2);
  CsvRequest part = request(path, "y");
  part.parts = 2;
  part.part = 1;
  const CsvTable second = read_csv(part);
  CHECK(second.features.rows() > 0);
  CHECK(second.target[second.target.size() - 1] == 1998);
}

TEST_CASE("read_csv limits the header's columns and keeps a wide pipe's first rows small", "[csv]") {
  TempDir dir;
  std::string wide;
  for (std::size_t i = 0; i <= tapegrad::models::kMaxColumns; ++i) wide += "c" + std::to_string(i) + ",";
  wide += "y\n";
  const std::string path = dir.write("wide.csv", wide + "1\n");
  CHECK_THROWS_WITH(read_csv(request(path, "y")),
                    Contains("wide.csv: line 1: the header has more than 1048576 columns (the limit)"));
  // 200,000 columns through a pipe: the matrix grows from a few rows, not from 4096 (6.5 GB).
  std::string header, row;
  for (int i = 0; i < 200000; ++i) {
    header += "c" + std::to_string(i) + ",";
    row += "1,";
  }
  const std::string fifo = dir.path("wide.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] { std::ofstream(fifo) << header << "y\n" << row << "2\n" << row << "3\n"; });
  const CsvTable t = read_csv(request(fifo, "y"));
  writer.join();
  CHECK(t.features.rows() == 2);
  CHECK(t.features.cols() == 200000);
  CHECK(t.target[1] == 3);
}
