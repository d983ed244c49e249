// read_csv throughput on a numeric CSV of 200,000 x 21 (about 85 MB, in the temp directory,
// written once, page cache warm): the whole read_csv on one thread and on two, against its
// floors, reading the file twice in 1 MiB chunks (what read_csv's row-bound pass and parse pass
// cost in I/O alone) and libcsv tokenising without callbacks.

#include <csv.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include <tapegrad/models/csv.hpp>

#include "ratio_reporter.hpp"

namespace {

constexpr int kRows = 200000;
constexpr int kCols = 21;  // y and x1..x20
constexpr std::size_t kChunk = std::size_t{1} << 20;

const std::string& data_file() {
  static const std::string path = [] {
    const std::string p =
        (std::filesystem::temp_directory_path() / ("tapegrad_bench_csv_" + std::to_string(::getpid()) + ".csv"))
            .string();
    std::FILE* f = std::fopen(p.c_str(), "wb");
    if (f == nullptr) {
      std::perror(p.c_str());
      std::exit(1);
    }
    std::fputs("y", f);
    for (int j = 1; j < kCols; ++j) std::fprintf(f, ",x%d", j);
    std::fputs("\n", f);
    std::mt19937_64 rng(11);
    std::normal_distribution<double> z;
    for (int i = 0; i < kRows; ++i) {
      for (int j = 0; j < kCols; ++j) std::fprintf(f, j ? ",%.17g" : "%.17g", z(rng));
      std::fputs("\n", f);
    }
    std::fclose(f);
    return p;
  }();
  return path;
}

std::size_t file_size() { return std::filesystem::file_size(data_file()); }

// state.range(0): the threads that parse the file (CsvRequest::threads).
void BM_read_csv(benchmark::State& state) {
  tapegrad::models::CsvRequest request;
  request.path = data_file();
  request.target = "y";
  request.threads = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const tapegrad::models::CsvTable table = tapegrad::models::read_csv(request);
    benchmark::DoNotOptimize(table.features.data());
    if (table.features.rows() != kRows || table.features.cols() != kCols - 1) state.SkipWithError("wrong shape");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(file_size()));
}

// The I/O floor: the file read twice in 1 MiB chunks, newlines counted.
void BM_read_twice(benchmark::State& state) {
  std::unique_ptr<char[]> buf(new char[kChunk]);
  for (auto _ : state) {
    std::size_t newlines = 0;
    for (int pass = 0; pass < 2; ++pass) {
      const int fd = ::open(data_file().c_str(), O_RDONLY);
      for (ssize_t n; (n = ::read(fd, buf.get(), kChunk)) > 0;) {
        for (const char *s = buf.get(), *e = s + n; (s = static_cast<const char*>(std::memchr(s, '\n', e - s))); ++s)
          ++newlines;
      }
      ::close(fd);
    }
    benchmark::DoNotOptimize(newlines);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(file_size()));
}

// libcsv's tokenising alone (one read, no callbacks).
void BM_libcsv_tokenise(benchmark::State& state) {
  std::unique_ptr<char[]> buf(new char[kChunk]);
  for (auto _ : state) {
    csv_parser p;
    csv_init(&p, CSV_REPALL_NL);
    const int fd = ::open(data_file().c_str(), O_RDONLY);
    for (ssize_t n; (n = ::read(fd, buf.get(), kChunk)) > 0;)
      csv_parse(&p, buf.get(), static_cast<std::size_t>(n), nullptr, nullptr, nullptr);
    ::close(fd);
    csv_fini(&p, nullptr, nullptr, nullptr);
    csv_free(&p);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(file_size()));
}

BENCHMARK(BM_read_csv)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_read_twice)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_libcsv_tokenise)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  std::printf("CSV file: %d rows x %d numeric columns, %.1f MB, %s\n\n", kRows, kCols, file_size() / 1e6,
              data_file().c_str());
  const int status = tapegrad_bench::run_and_print_ratios(
      argc, argv,
      {{"read_csv / read the file twice", "BM_read_csv/1/real_time", "BM_read_twice/real_time", 0},
       {"read_csv / libcsv tokenising alone", "BM_read_csv/1/real_time", "BM_libcsv_tokenise/real_time", 0},
       {"read_csv on 2 threads / on 1", "BM_read_csv/2/real_time", "BM_read_csv/1/real_time", 0}},
      [](const tapegrad_bench::MedianCollector& medians) {
        std::printf("\nThroughput (median, MB/s = 1e6 bytes of CSV per second):\n");
        for (const char* name : {"BM_read_csv/1/real_time", "BM_read_csv/2/real_time", "BM_read_twice/real_time",
                                 "BM_libcsv_tokenise/real_time"}) {
          const double bytes_per_s = medians.counter(name, "bytes_per_second");
          if (bytes_per_s > 0) std::printf("  %-32s %8.1f MB/s\n", name, bytes_per_s / 1e6);
        }
      });
  std::remove(data_file().c_str());
  return status;
}
