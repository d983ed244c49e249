#include "tapegrad/models/output_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "tapegrad/models/errors.hpp"

namespace tapegrad::models {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLockName = ".tapegrad.lock";
constexpr const char* kJournalName = ".tapegrad.commit";
constexpr const char* kTemporaryMark = ".tmp-";
constexpr std::size_t kSuffixLength = 6;

std::string error_text(int error) { return std::strerror(error); }

// A file descriptor closed on scope exit.
class Descriptor {
 public:
  explicit Descriptor(int fd = -1) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error (a delayed write error can surface here).
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result == 0 || errno == EINTR ? 0 : errno;  // Linux closes the descriptor even on EINTR
  }

 private:
  int fd_;
};

// Six random letters or digits: the unique part of a temporary's name.
std::string random_suffix() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng = [] {
    std::seed_seq seed{static_cast<std::uint64_t>(std::random_device{}()), static_cast<std::uint64_t>(::getpid()),
                       static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
    return std::mt19937_64(seed);
  }();
  std::string s(kSuffixLength, 'a');
  for (char& c : s) c = kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  return s;
}

// Whether `name` is one of our temporaries: ".<target>.tmp-XXXXXX".
bool is_temporary(const std::string& name) {
  const std::size_t mark = name.size() >= kSuffixLength + 5 ? name.size() - kSuffixLength - 5 : std::string::npos;
  if (name.empty() || name[0] != '.' || mark == std::string::npos || mark < 2) return false;
  if (name.compare(mark, 5, kTemporaryMark) != 0) return false;
  for (std::size_t i = mark + 5; i < name.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

// Writes `content` to a new file beside `target`, fsynced; returns its path. Throws
// std::runtime_error (having removed the temporary) when any step fails.
std::string write_temporary(const fs::path& target, const std::string& content) {
  const fs::path folder = target.parent_path();
  const std::string stem = "." + target.filename().string() + kTemporaryMark;
  for (int attempt = 0;; ++attempt) {
    const fs::path path = folder / (stem + random_suffix());
    Descriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (fd.get() < 0) {
      if (errno == EEXIST && attempt < 100) continue;
      throw std::runtime_error(target.string() + ": cannot create a temporary file in " + folder.string() + " (" +
                               error_text(errno) + ")");
    }
    int error = 0;
    for (std::size_t done = 0; done < content.size() && !error;) {
      const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n > 0) done += static_cast<std::size_t>(n);
      else if (n < 0 && errno != EINTR) error = errno;
      else if (n == 0) error = EIO;
    }
    while (!error && ::fsync(fd.get()) != 0)
      if (errno != EINTR) error = errno;
    const int closed = fd.close();
    if (!error) error = closed;
    if (error) {
      ::unlink(path.c_str());
      throw std::runtime_error(target.string() + ": cannot write (" + error_text(error) + ")");
    }
    return path.string();
  }
}

// Makes the renames and removals in `folder` durable (where the file system can).
void sync_folder(const fs::path& folder) {
  Descriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

// An exclusive flock on `folder`/.tapegrad.lock while it lives.
class FolderLock {
 public:
  explicit FolderLock(const fs::path& folder) {
    const fs::path path = folder / kLockName;
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) throw std::runtime_error(path.string() + ": cannot open the lock file (" + error_text(errno) + ")");
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      // A file system without locks (some network mounts): the writes stay all-or-nothing
      // for one run, only concurrent runs are not kept apart.
      if (errno == ENOLCK || errno == EOPNOTSUPP) break;
      const int error = errno;
      ::close(fd_);
      throw std::runtime_error(path.string() + ": cannot lock (" + error_text(error) + ")");
    }
  }
  ~FolderLock() { ::close(fd_); }  // closing releases the lock
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

// The journal: "temporary\0target\0" per rename, names within the folder.
std::string journal_text(const std::vector<std::pair<std::string, std::string>>& renames) {
  std::string text;
  for (const auto& [from, to] : renames) {
    text += fs::path(from).filename().string();
    text += '\0';
    text += fs::path(to).filename().string();
    text += '\0';
  }
  return text;
}

// Under the lock: finishes a killed commit's renames, then removes stale temporaries.
void recover_locked(const fs::path& folder) {
  const fs::path journal = folder / kJournalName;
  std::error_code error;
  if (fs::exists(journal, error)) {
    std::string text;
    {
      Descriptor fd(::open(journal.c_str(), O_RDONLY | O_CLOEXEC));
      char buffer[4096];
      ssize_t n = 0;
      while (fd.get() >= 0 && ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
    }
    std::vector<std::string> names;
    for (std::size_t at = 0, end; (end = text.find('\0', at)) != std::string::npos; at = end + 1)
      names.push_back(text.substr(at, end - at));
    for (std::size_t i = 0; i + 1 < names.size(); i += 2) {
      const std::string& from = names[i];
      const std::string& to = names[i + 1];
      // Only renames this code writes: a temporary to a plain name, both inside the folder.
      if (!is_temporary(from) || to.empty() || to.find('/') != std::string::npos || to == "." || to == "..") continue;
      ::rename((folder / from).c_str(), (folder / to).c_str());  // absent: already renamed
    }
    sync_folder(folder);
    ::unlink(journal.c_str());
  }
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error))
    if (is_temporary(it->path().filename().string())) ::unlink(it->path().c_str());
}

fs::path folder_of(const std::string& path) { return fs::absolute(path).lexically_normal().parent_path(); }

}  // namespace

void refuse_overlap(const std::vector<std::string>& outputs, const std::vector<std::string>& inputs) {
  for (const auto& out : outputs) {
    for (const auto& in : inputs) {
      if (in.empty()) continue;
      std::error_code e1, e2, e3;
      // The same file by inode (a hard link, a symlink), or the same path once resolved.
      const bool same = fs::equivalent(out, in, e1) ||
                        (fs::weakly_canonical(out, e2) == fs::weakly_canonical(in, e3) && !e2 && !e3);
      if (same)
        throw InputError("the output " + fs::absolute(out).lexically_normal().string() + " would overwrite the input " +
                         fs::absolute(in).lexically_normal().string() +
                         " (the same file); choose another output folder (--output or output.dir) or move the input");
    }
  }
}

OutputFiles::OutputFiles(std::vector<std::string> inputs) : inputs_(std::move(inputs)) {}

void OutputFiles::add(const std::string& path, std::string content) {
  if (!files_.empty() && folder_of(path) != folder_of(files_.front().first))
    throw std::invalid_argument("OutputFiles: " + path + " is not in the folder of " + files_.front().first);
  for (const auto& f : files_)
    if (fs::absolute(f.first).lexically_normal() == fs::absolute(path).lexically_normal())
      throw std::invalid_argument("OutputFiles: " + path + " is added twice");
  files_.emplace_back(path, std::move(content));
}

std::vector<std::string> OutputFiles::paths() const {
  std::vector<std::string> out;
  for (const auto& f : files_) out.push_back(f.first);
  return out;
}

void OutputFiles::check_inputs() const { refuse_overlap(paths(), inputs_); }

void OutputFiles::commit() {
  if (files_.empty()) return;
  check_inputs();
  const fs::path folder = folder_of(files_.front().first);
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) throw InputError(folder.string() + ": cannot create the output folder (" + error.message() + ")");
  for (const auto& f : files_)
    if (fs::is_directory(f.first, error))
      throw InputError(f.first + ": is a folder, so the output file cannot be written there");

  const FolderLock lock(folder);
  recover_locked(folder);
  std::vector<std::pair<std::string, std::string>> renames;  // temporary, target
  auto remove_temporaries = [&] {
    for (const auto& r : renames) ::unlink(r.first.c_str());
  };
  try {
    for (const auto& [path, content] : files_) renames.emplace_back(write_temporary(fs::absolute(path), content), path);
    if (renames.size() > 1) {
      // The list of renames, in place before the first: a kill midway is finished by the next run.
      const std::string journal = write_temporary(folder / kJournalName, journal_text(renames));
      if (::rename(journal.c_str(), (folder / kJournalName).c_str()) != 0) {
        const int e = errno;
        ::unlink(journal.c_str());
        throw std::runtime_error((folder / kJournalName).string() + ": cannot write (" + error_text(e) + ")");
      }
      sync_folder(folder);
    }
  } catch (const std::runtime_error& e) {
    remove_temporaries();
    throw std::runtime_error(std::string(e.what()) + "; the previous files are left as they were");
  }
  for (std::size_t i = 0; i < renames.size(); ++i) {
    // rename() replaces each file in one step: a reader sees the old file or the new, never a
    // part. It can only fail here for reasons checked above (a folder in the way), or a
    // vanished folder: then the remaining temporaries go and the journal is finished later.
    if (::rename(renames[i].first.c_str(), renames[i].second.c_str()) != 0) {
      const int e = errno;
      for (std::size_t j = i; j < renames.size(); ++j) ::unlink(renames[j].first.c_str());
      throw std::runtime_error(renames[i].second + ": cannot replace (" + error_text(e) + ")");
    }
  }
  sync_folder(folder);
  if (renames.size() > 1) ::unlink((folder / kJournalName).c_str());
}

void recover_outputs(const std::string& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return;
  const FolderLock lock(dir);
  recover_locked(dir);
}

}  // namespace tapegrad::models
