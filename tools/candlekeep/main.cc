// candlekeep: the command-line entry point. Dispatches to the registered subcommands.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "timeframe/allocator_tuning.h"
#include "tools/candlekeep/command.h"

namespace ck::cli {

std::vector<Command>& command_registry() {
  static std::vector<Command> registry;
  return registry;
}

int usage_error(const char* command, const std::string& message) {
  std::fprintf(stderr, "candlekeep %s: %s\n", command, message.c_str());
  return kExitUsage;
}

int failure(const char* command, const std::string& message) {
  std::fprintf(stderr, "candlekeep %s: %s\n", command, message.c_str());
  return kExitFailure;
}

namespace {

void print_usage(FILE* out) {
  std::fprintf(out, "usage: candlekeep <command> [flags]\n\ncommands:\n");
  auto cmds = command_registry();
  std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return std::strcmp(a.name, b.name) < 0; });
  for (const Command& c : cmds) std::fprintf(out, "  candlekeep %s\n", c.usage);
}

}  // namespace
}  // namespace ck::cli

int main(int argc, char** argv) {
  using namespace ck::cli;
  ck::keep_freed_memory();
  // Logs go to stderr so that stdout carries only the command's output.
  auto logger = spdlog::stderr_color_mt("candlekeep");
  spdlog::set_default_logger(logger);
  if (const char* level = std::getenv("CANDLEKEEP_LOG")) {
    spdlog::set_level(spdlog::level::from_str(level));
  } else {
    spdlog::set_level(spdlog::level::warn);
  }

  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "help") == 0) {
    print_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : command_registry()) {
    if (std::strcmp(c.name, argv[1]) != 0) continue;
    // "candlekeep CMD --help" anywhere among the flags: the command's usage line, nothing run.
    if (std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; })) {
      std::printf("usage: candlekeep %s\n", c.usage);
      return kExitOk;
    }
    return c.run(args);
  }
  std::fprintf(stderr, "candlekeep: unknown command '%s'\n", argv[1]);
  print_usage(stderr);
  return kExitUsage;
}
