#pragma once
// Runs a program as a child process and collects its exit code, stdout and stderr, for tests of
// the CLI's contract.
#include <string>
#include <vector>

namespace ck::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CommandResult run_command(const std::string& program, const std::vector<std::string>& args);

// Runs the candlekeep CLI built with this tree.
CommandResult run_cli(const std::vector<std::string>& args);

}  // namespace ck::testing
