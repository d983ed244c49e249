#pragma once
// A folder of this fuzzer process's own under the system's temporary folder, for the files an
// input is written to (the readers under test take paths). Removed when the process exits.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace tapegrad_fuzz {

class ScratchDir {
 public:
  ScratchDir()
      : dir_(std::filesystem::temp_directory_path() / ("tapegrad_fuzz_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  // Writes `bytes` to the file `name` in this folder (replacing it); returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return path.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string dir() const { return dir_.string(); }

 private:
  std::filesystem::path dir_;
};

// The one scratch folder of the process (a function-local static: built on first use, removed at exit).
inline const ScratchDir& scratch() {
  static const ScratchDir dir;
  return dir;
}

}  // namespace tapegrad_fuzz
