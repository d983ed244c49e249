#pragma once
// A run's output files, replaced together or not at all (the rules of `tapegrad fit`):
//
// - Inputs are never overwritten: an output path that is, or resolves to, an input file (the
//   config, the data; through "..", a symlink or a hard link) is refused with an InputError
//   naming both, before anything is written.
// - All or nothing: every file is written to a unique temporary in its target folder
//   (".results.json.tmp-XXXXXX", created with O_EXCL) and fsynced. Only when every one was
//   written are they renamed into place, then the folder is fsynced. A failed write (a full
//   disk, say) removes every temporary: the previous set stays whole.
// - Concurrent runs on one folder: the write-and-rename phase holds an exclusive flock on
//   ".tapegrad.lock" in that folder, so the final set always comes from one run (the last one
//   to take the lock). A lock rather than a folder per run: the outputs stay where users and
//   scripts look for them. The lock file is empty and never removed (removing it would let two
//   runs lock two different files).
// - A kill between two renames: before the first rename the list of renames is written to
//   ".tapegrad.commit"; the next commit in that folder finishes those renames first (and
//   removes temporaries that a killed run left behind), so the set is completed, never mixed
//   for good. While ".tapegrad.commit" exists the folder is between two sets.
#include <string>
#include <utility>
#include <vector>

namespace tapegrad::models {

class OutputFiles {
 public:
  // `inputs`: files this run read, which no output may overwrite.
  explicit OutputFiles(std::vector<std::string> inputs = {});

  // Adds a file to the set (its folder must be that of the files added before).
  void add(const std::string& path, std::string content);

  // Throws InputError when an output is, or resolves to, an input.
  void check_inputs() const;

  // Writes the set (see above). Creates the folder if needed. Throws InputError (an output
  // overlaps an input, or its folder cannot be created) or std::runtime_error (a write failed;
  // the message names the file and says the previous files were left as they were).
  void commit();

  // The paths added, in order.
  std::vector<std::string> paths() const;

 private:
  std::vector<std::string> inputs_;
  std::vector<std::pair<std::string, std::string>> files_;  // path, content
};

// Throws InputError when one of `outputs` is, or resolves to, one of `inputs` (naming both).
void refuse_overlap(const std::vector<std::string>& outputs, const std::vector<std::string>& inputs);

// Finishes the renames of a commit that was killed midway and removes leftover temporaries in
// `dir` (what every commit does first, under the lock). For tools and tests; a no-op when clean.
void recover_outputs(const std::string& dir);

}  // namespace tapegrad::models
