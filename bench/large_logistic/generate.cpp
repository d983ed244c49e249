// Writes a logistic-regression data set for the scale check (bench/large_logistic/run.sh):
//
//   generate [N [OUT]]     N rows (default 1000000) to OUT (default large.csv)
//
// Header x1,...,x20,y; x_j ~ N(0, 1); y ~ Bernoulli(sigmoid(0.5 + sum_j beta_j x_j)) with
// beta_j = 0.1 j (-1)^j (so -0.1, 0.2, -0.3, ..., 2.0). Seeded with std::mt19937_64(42): the same
// N gives the same file with the same standard library. Numbers carry 9 significant digits
// (printf's %.9g, via std::to_chars). The file is written to OUT.tmp and renamed at the end, so
// an interrupted run leaves no truncated OUT behind.
//
// Standard library only: g++ -std=c++17 -O2 generate.cpp -o generate
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace {

constexpr int kFeatures = 20;
constexpr double kIntercept = 0.5;
constexpr std::size_t kBufferBytes = std::size_t{8} << 20;
constexpr std::size_t kMaxRowBytes = 64 * (kFeatures + 1);  // generous: a %.9g number is at most 15 chars

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "generate: %s\n", message.c_str());
  std::exit(1);
}

class Writer {
 public:
  Writer(std::FILE* f, const std::string& path) : f_(f), path_(path), buf_(kBufferBytes) {}
  char* reserve() {  // room for one row
    if (buf_.size() - used_ < kMaxRowBytes) flush();
    return buf_.data() + used_;
  }
  void commit(char* end) { used_ = static_cast<std::size_t>(end - buf_.data()); }
  void flush() {
    if (used_ > 0 && std::fwrite(buf_.data(), 1, used_, f_) != used_) die(path_ + ": cannot write: " + std::strerror(errno));
    used_ = 0;
  }

 private:
  std::FILE* f_;
  std::string path_;
  std::vector<char> buf_;
  std::size_t used_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc > 3) die("usage: generate [N [OUT]]");
  long long n = 1000000;
  if (argc > 1) {
    const char* s = argv[1];
    const auto [ptr, ec] = std::from_chars(s, s + std::strlen(s), n);
    if (ec != std::errc() || *ptr != '\0' || n < 1) die(std::string("N must be a positive integer, found \"") + s + "\"");
  }
  const std::string out = argc > 2 ? argv[2] : "large.csv";
  const std::string tmp = out + ".tmp";

  double beta[kFeatures];
  for (int j = 1; j <= kFeatures; ++j) beta[j - 1] = 0.1 * j * (j % 2 == 0 ? 1.0 : -1.0);

  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) die(tmp + ": cannot open: " + std::strerror(errno));
  Writer w(f, tmp);

  {
    std::string header;
    for (int j = 1; j <= kFeatures; ++j) header += "x" + std::to_string(j) + ",";
    header += "y\n";
    char* p = w.reserve();
    std::memcpy(p, header.data(), header.size());
    w.commit(p + header.size());
  }

  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  long long ones = 0;
  for (long long i = 0; i < n; ++i) {
    char* p = w.reserve();
    char* const end = p + kMaxRowBytes;
    double eta = kIntercept;
    for (int j = 0; j < kFeatures; ++j) {
      const double x = normal(rng);
      eta += beta[j] * x;
      p = std::to_chars(p, end, x, std::chars_format::general, 9).ptr;
      *p++ = ',';
    }
    const double prob = 1.0 / (1.0 + std::exp(-eta));
    const bool y = uniform(rng) < prob;
    ones += y;
    *p++ = y ? '1' : '0';
    *p++ = '\n';
    w.commit(p);
  }
  w.flush();
  if (std::fclose(f) != 0) die(tmp + ": cannot write: " + std::strerror(errno));
  if (std::rename(tmp.c_str(), out.c_str()) != 0) die(out + ": cannot rename " + tmp + ": " + std::strerror(errno));
  std::fprintf(stderr, "generate: %lld rows (%lld with y = 1) -> %s\n", n, ones, out.c_str());
  return 0;
}
