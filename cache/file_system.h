#pragma once
// FileSystem: the narrow seam through which the L2 file tier touches the disk — whole-file reads,
// sequential writes with fsync, rename, remove, directory listing and directory fsync. Production
// uses FileSystem::posix(); tests wrap it in FaultInjectingFileSystem to fail any step (including
// half-way through a write) and to see the order of operations.
//
// Every method returns errors as values: kNotFound when the path does not exist, kIOError for any
// other failure (the message names the path and the OS error). Implementations are thread-safe.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "timeframe/result.h"
#include "timeframe/status.h"

namespace ck {

// A file being written front to back. Destroying it without close() closes it, ignoring errors.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status append(std::string_view data) = 0;
  // Makes everything appended so far durable (fsync).
  virtual Status sync() = 0;
  virtual Status close() = 0;
};

struct DirEntry {
  std::string name;  // leaf name, no directory part
  bool is_dir = false;
  uint64_t size = 0;  // bytes, for regular files
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates or truncates `path` for writing.
  virtual Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) = 0;
  // The whole content of `path`.
  virtual Result<std::string> read_file(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (POSIX rename).
  virtual Status rename_file(const std::string& from, const std::string& to) = 0;
  virtual Status remove_file(const std::string& path) = 0;
  // Creates `path` and any missing parents; OK if it already exists. New directories are made
  // durable in their parents.
  virtual Status create_dirs(const std::string& path) = 0;
  // fsyncs a directory, making renames and removals inside it durable.
  virtual Status sync_dir(const std::string& path) = 0;
  // Entries of a directory, excluding "." and "..", in no particular order.
  virtual Result<std::vector<DirEntry>> list_dir(const std::string& path) = 0;

  // The real thing (POSIX calls). A process-wide instance without state.
  static FileSystem* posix();
};

// Replaces `path` with `data` so that a crash at any moment leaves either the old content or the
// new one, never a mix: writes `path + ".tmp"`, fsyncs it, renames it over `path`, fsyncs the
// directory. On failure the temp file is removed (best effort) and `path` is untouched.
Status write_file_atomically(FileSystem& fs, const std::string& path, std::string_view data);

// The suffix write_file_atomically() gives its temp files, so a directory scan can remove the
// leftovers of a crash.
inline constexpr std::string_view kTempFileSuffix = ".tmp";

// Wraps another FileSystem (not owned) and fails chosen operations on demand. Thread-safe.
class FaultInjectingFileSystem final : public FileSystem {
 public:
  enum class Op { kCreate, kAppend, kSync, kClose, kRead, kRename, kRemove, kCreateDirs, kSyncDir, kList };

  explicit FaultInjectingFileSystem(FileSystem* base) : base_(base) {}

  // Every later call of `op` fails with kIOError (until set_failing(op, false)).
  void set_failing(Op op, bool failing);
  // Appends succeed until `bytes` more bytes have been written in total; the append that crosses
  // the limit writes only the bytes up to it and then fails — a disk that fills mid-write.
  // A negative value disarms it.
  void fail_writes_after(int64_t bytes);
  // Disarms every fault.
  void clear_faults();
  // One line per call so far, e.g. "append a/b.tmp", "sync a/b.tmp", "rename a/b.tmp a/b".
  std::vector<std::string> log() const;
  void clear_log();

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override;
  Result<std::string> read_file(const std::string& path) override;
  Status rename_file(const std::string& from, const std::string& to) override;
  Status remove_file(const std::string& path) override;
  Status create_dirs(const std::string& path) override;
  Status sync_dir(const std::string& path) override;
  Result<std::vector<DirEntry>> list_dir(const std::string& path) override;

 private:
  class File;
  // Records the call and says whether it must fail.
  bool should_fail(Op op, const std::string& what);
  // For an append of `n` bytes: how many may be written before failing (n if no limit is hit).
  size_t allowed_append(size_t n);

  FileSystem* base_;
  mutable std::mutex mu_;
  uint32_t failing_ = 0;  // bit per Op
  int64_t write_budget_ = -1;
  std::vector<std::string> log_;
};

}  // namespace ck
