#pragma once
// TempDir: a fresh directory under $TMPDIR for one test, removed with everything in it when the
// object goes away.
#include <string>

namespace ck::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to file(name) and returns its path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// The whole content of a file ("" if it cannot be read).
std::string read_file(const std::string& path);

}  // namespace ck::testing
