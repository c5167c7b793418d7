#include "cache/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ck {
namespace {

Status os_error(std::string_view what, const std::string& path, int err) {
  std::string m = std::string(what) + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::not_found(std::move(m));
  return Status::io_error(std::move(m));
}

std::string parent_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return os_error("writing", path_, errno);
      }
      data.remove_prefix(size_t(n));
    }
    return Status::ok();
  }
  Status sync() override {
    if (::fsync(fd_) != 0) return os_error("fsync of", path_, errno);
    return Status::ok();
  }
  Status close() override {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return os_error("closing", path_, errno);
    return Status::ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return os_error("creating", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  Result<std::string> read_file(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return os_error("opening", path, errno);
    std::string out;
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(size_t(st.st_size));
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return os_error("reading", path, err);
      }
      if (n == 0) break;
      out.append(buf, size_t(n));
    }
    ::close(fd);
    return out;
  }

  Status rename_file(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return os_error("renaming " + from + " to", to, errno);
    return Status::ok();
  }

  Status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return os_error("removing", path, errno);
    return Status::ok();
  }

  Status create_dirs(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return Status::ok();
      return Status::io_error("creating directory " + path + ": a file of that name exists");
    }
    std::string parent = parent_of(path);
    if (parent != path) CK_RETURN_IF_ERROR(create_dirs(parent));
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return os_error("creating directory", path, errno);
    // The new directory entry lives in the parent: make it durable like a renamed file.
    return sync_dir(parent);
  }

  Status sync_dir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error("opening directory", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return os_error("fsync of directory", path, err);
    return Status::ok();
  }

  Result<std::vector<DirEntry>> list_dir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return os_error("listing", path, errno);
    std::vector<DirEntry> out;
    while (dirent* ent = ::readdir(d)) {
      std::string name = ent->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      if (::fstatat(::dirfd(d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // raced away
      out.push_back({std::move(name), S_ISDIR(st.st_mode), S_ISREG(st.st_mode) ? uint64_t(st.st_size) : 0});
    }
    ::closedir(d);
    return out;
  }
};

}  // namespace

FileSystem* FileSystem::posix() {
  static PosixFileSystem fs;
  return &fs;
}

Status write_file_atomically(FileSystem& fs, const std::string& path, std::string_view data) {
  std::string tmp = path + std::string(kTempFileSuffix);
  auto write_tmp = [&]() -> Status {
    CK_ASSIGN_OR_RETURN(auto file, fs.new_writable_file(tmp));
    CK_RETURN_IF_ERROR(file->append(data));
    // Durable before it becomes visible: a rename of unsynced data can surface as an empty file
    // after a crash on some filesystems.
    CK_RETURN_IF_ERROR(file->sync());
    CK_RETURN_IF_ERROR(file->close());
    return fs.rename_file(tmp, path);
  };
  if (Status st = write_tmp(); !st.is_ok()) {
    (void)fs.remove_file(tmp);  // best effort; a leftover is removed by the next directory scan
    return st;
  }
  return fs.sync_dir(parent_of(path));
}

// --- FaultInjectingFileSystem ---

class FaultInjectingFileSystem::File final : public WritableFile {
 public:
  File(FaultInjectingFileSystem* fs, std::string path, std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Status append(std::string_view data) override {
    if (fs_->should_fail(Op::kAppend, "append " + path_)) return injected("append", path_);
    size_t n = fs_->allowed_append(data.size());
    CK_RETURN_IF_ERROR(base_->append(data.substr(0, n)));
    if (n < data.size()) return Status::io_error("injected fault: disk full while writing " + path_);
    return Status::ok();
  }
  Status sync() override {
    if (fs_->should_fail(Op::kSync, "sync " + path_)) return injected("sync", path_);
    return base_->sync();
  }
  Status close() override {
    if (fs_->should_fail(Op::kClose, "close " + path_)) return injected("close", path_);
    return base_->close();
  }

  static Status injected(std::string_view op, const std::string& path) {
    return Status::io_error("injected fault: " + std::string(op) + " " + path);
  }

 private:
  FaultInjectingFileSystem* fs_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

void FaultInjectingFileSystem::set_failing(Op op, bool failing) {
  std::lock_guard lock(mu_);
  uint32_t bit = 1u << int(op);
  failing_ = failing ? (failing_ | bit) : (failing_ & ~bit);
}

void FaultInjectingFileSystem::fail_writes_after(int64_t bytes) {
  std::lock_guard lock(mu_);
  write_budget_ = bytes;
}

void FaultInjectingFileSystem::clear_faults() {
  std::lock_guard lock(mu_);
  failing_ = 0;
  write_budget_ = -1;
}

std::vector<std::string> FaultInjectingFileSystem::log() const {
  std::lock_guard lock(mu_);
  return log_;
}

void FaultInjectingFileSystem::clear_log() {
  std::lock_guard lock(mu_);
  log_.clear();
}

bool FaultInjectingFileSystem::should_fail(Op op, const std::string& what) {
  std::lock_guard lock(mu_);
  log_.push_back(what);
  return (failing_ >> int(op)) & 1u;
}

size_t FaultInjectingFileSystem::allowed_append(size_t n) {
  std::lock_guard lock(mu_);
  if (write_budget_ < 0) return n;
  size_t allowed = std::min(n, size_t(write_budget_));
  write_budget_ -= int64_t(allowed);
  if (allowed < n) write_budget_ = 0;
  return allowed;
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::new_writable_file(const std::string& path) {
  if (should_fail(Op::kCreate, "create " + path)) return File::injected("create", path);
  CK_ASSIGN_OR_RETURN(auto base, base_->new_writable_file(path));
  return std::unique_ptr<WritableFile>(new File(this, path, std::move(base)));
}

Result<std::string> FaultInjectingFileSystem::read_file(const std::string& path) {
  if (should_fail(Op::kRead, "read " + path)) return File::injected("read", path);
  return base_->read_file(path);
}

Status FaultInjectingFileSystem::rename_file(const std::string& from, const std::string& to) {
  if (should_fail(Op::kRename, "rename " + from + " " + to)) return File::injected("rename", from);
  return base_->rename_file(from, to);
}

Status FaultInjectingFileSystem::remove_file(const std::string& path) {
  if (should_fail(Op::kRemove, "remove " + path)) return File::injected("remove", path);
  return base_->remove_file(path);
}

Status FaultInjectingFileSystem::create_dirs(const std::string& path) {
  if (should_fail(Op::kCreateDirs, "create_dirs " + path)) return File::injected("create_dirs", path);
  return base_->create_dirs(path);
}

Status FaultInjectingFileSystem::sync_dir(const std::string& path) {
  if (should_fail(Op::kSyncDir, "sync_dir " + path)) return File::injected("sync_dir", path);
  return base_->sync_dir(path);
}

Result<std::vector<DirEntry>> FaultInjectingFileSystem::list_dir(const std::string& path) {
  if (should_fail(Op::kList, "list " + path)) return File::injected("list", path);
  return base_->list_dir(path);
}

}  // namespace ck
