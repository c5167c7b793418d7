#pragma once
// `candlekeep serve` as a child process for the CLI contract tests: its stdout read line by line
// while it runs, then a signal and its exit code.
#include <sys/types.h>

#include <string>
#include <vector>

namespace ck::testing {

class ServeProcess {
 public:
  ServeProcess(const std::string& program, const std::vector<std::string>& args);
  ~ServeProcess();  // SIGKILLs the child if it still runs
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // The next stdout line without its newline; "" at the end of output or after `timeout_ms`.
  std::string read_line(int timeout_ms = 20000);
  // Sends `sig`, waits, and returns the exit code (128 + signal number when a signal killed it).
  int signal_and_wait(int sig);
  // Waits for an exit without signalling (for a child that fails at once).
  int wait();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffered_;
};

}  // namespace ck::testing
