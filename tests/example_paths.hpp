#pragma once
// Paths of the shipped examples, for tests that run them (TAPEGRAD_SOURCE_DIR is set by CMake).
#include <string>

namespace tapegrad::testing {

inline std::string example_config(const std::string& folder) {
  return std::string(TAPEGRAD_SOURCE_DIR) + "/examples/" + folder + "/config.json";
}
inline std::string example_file(const std::string& folder, const std::string& file) {
  return std::string(TAPEGRAD_SOURCE_DIR) + "/examples/" + folder + "/" + file;
}
inline std::string example_data(const std::string& file) {
  return std::string(TAPEGRAD_SOURCE_DIR) + "/examples/data/" + file;
}

}  // namespace tapegrad::testing
