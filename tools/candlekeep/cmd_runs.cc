// candlekeep runs / issues: the recorded sync runs and the data-quality issues they found.
#include <nlohmann/json.hpp>

#include "engine/run_log.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"

namespace ck::cli {
namespace {

int run_runs(const std::vector<std::string>& args) {
  const char* name = "runs";
  auto flags = Flags::parse(args, {"data", "format"});
  if (!flags) return usage_error(name, flags.status().message());
  if (!flags->has("data")) return usage_error(name, "missing required flag --data");
  auto format = parse_format(*flags, {"table", "json"});
  if (!format) return usage_error(name, format.status().message());
  auto engine = open_engine(*flags);
  if (!engine) return failure(name, engine.status().message());
  auto runs = (*engine)->runs();
  if (!runs) return failure(name, runs.status().message());
  if (*format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const RunRecord& r : *runs) {
      out.push_back(run_json(r));
    }
    print(out.dump() + "\n");
    return kExitOk;
  }
  std::string text = "  id  status     started               markets    pages    candles  retries  issues\n";
  char line[256];
  for (const RunRecord& r : *runs) {
    std::snprintf(line, sizeof line, "%4lld  %-9s  %-20s %8zu %8lld %10lld %8lld %7zu%s%s\n", (long long)r.id,
                  std::string(run_status_name(r.status)).c_str(), format_timestamp(r.started).c_str(), r.markets.size(),
                  (long long)r.pages, (long long)r.candles, (long long)r.retries, r.issues.size(),
                  r.error.empty() ? "" : "  ", r.error.c_str());
    text += line;
  }
  print(text);
  return kExitOk;
}

int run_issues(const std::vector<std::string>& args) {
  const char* name = "issues";
  auto flags = Flags::parse(args, {"data", "format"});
  if (!flags) return usage_error(name, flags.status().message());
  if (!flags->has("data")) return usage_error(name, "missing required flag --data");
  auto format = parse_format(*flags, {"table", "json"});
  if (!format) return usage_error(name, format.status().message());
  auto engine = open_engine(*flags);
  if (!engine) return failure(name, engine.status().message());
  auto issues = (*engine)->issues();
  if (!issues) return failure(name, issues.status().message());
  if (*format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& i : *issues) out.push_back(issue_json(i));
    print(out.dump() + "\n");
    return kExitOk;
  }
  std::string text;
  for (const auto& i : *issues) {
    text += std::string(severity_name(i.severity)) + "  " + i.code + "  " + i.market + "  " + format_timestamp(i.time) +
            "  " + i.detail + "\n";
  }
  print(text);
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(runs, "runs", "runs --data DIR [--format table|json]", run_runs);
CK_REGISTER_COMMAND(issues, "issues", "issues --data DIR [--format table|json]", run_issues);

}  // namespace ck::cli
