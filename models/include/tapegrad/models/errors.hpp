#pragma once
// The two ways a run can fail, kept apart because users' scripts branch on them (exit status):
//   InputError  a bad config, data file or argument (exit 2). The message names the file, the
//               JSON path or the CSV line and column, what was found and what was expected.
//   FitError    the input was fine but the fit or check failed (exit 1).
#include <stdexcept>
#include <string>

namespace tapegrad::models {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tapegrad::models
