#pragma once
// The subcommands of the candlekeep CLI register themselves here (one cmd_<name>.cc per command),
// so adding a command touches no shared file.
#include <string>
#include <vector>

namespace ck::cli {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the work failed (I/O, exchange, ...)
inline constexpr int kExitUsage = 2;    // bad flags or bad input

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* usage;  // one line: "resample --input FILE --timeframe TF ..."
  CommandFn run;
};

std::vector<Command>& command_registry();

struct CommandRegistrar {
  explicit CommandRegistrar(Command c) { command_registry().push_back(c); }
};

// Prints "candlekeep <cmd>: <message>" to stderr and returns kExitUsage.
int usage_error(const char* command, const std::string& message);
// Prints "candlekeep <cmd>: <message>" to stderr and returns kExitFailure.
int failure(const char* command, const std::string& message);

}  // namespace ck::cli

#define CK_REGISTER_COMMAND(ident, name, usage, fn) \
  static ::ck::cli::CommandRegistrar ck_command_##ident({name, usage, fn})
