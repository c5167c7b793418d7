#pragma once
// A child process whose stdout is read line by line while it runs (for `candlekeep sim`, which
// prints its address and then serves until signalled).
#include <sys/types.h>

#include <string>
#include <vector>

namespace ck::testing {

class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args);
  ~ChildProcess();  // kills the child if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // The next line of stdout without the newline; "" at end of output or after `timeout_ms`.
  std::string read_line(int timeout_ms = 10000);
  // Sends `sig` and waits for the exit; returns the exit code (128 + signal when killed by one).
  int stop(int sig);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string pending_;
};

}  // namespace ck::testing
