// candlekeep export: writes candles of markets × timeframes as backtest files (CSV or NumPy .npy)
// plus manifest.json into a directory (engine/export.h; docs/export.md). SIGINT or SIGTERM stops
// it cleanly: nothing is left half-written and the exit code is 130.
#include <csignal>
#include <cstdio>
#include <map>

#include "engine/export.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"
#include "tools/candlekeep/progress_bar.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "export";
std::atomic<bool> g_interrupted{false};

void on_signal(int) { g_interrupted = true; }

Result<std::vector<Timeframe>> parse_timeframes(const std::string& list) {
  std::vector<Timeframe> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? list.size() + 1 : comma + 1;
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    auto tf = Timeframe::parse(item);
    if (!tf) return Status::invalid_argument("--timeframes: " + tf.status().message());
    out.push_back(*tf);
  }
  if (out.empty()) return Status::invalid_argument("--timeframes is empty (expected a list like 15m,1h,4h)");
  return out;
}

bool is_user_error(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kNotFound ||
         st.code() == StatusCode::kAlreadyExists;
}

std::string with_flag_hints(const Status& st) {
  if (st.code() == StatusCode::kAlreadyExists) return st.message() + "; choose another --out, or pass --overwrite";
  if (st.code() == StatusCode::kNotFound) return st.message() + "; run candlekeep sync first, or export with --fetch";
  return st.message();
}

int run_export(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"data", "markets", "timeframes", "from", "to", "format", "out", "origin", "exchange-url"},
                            {"fetch", "overwrite"});
  if (!flags) return usage_error(kName, flags.status().message());
  ExportRequest req;
  for (const char* name : {"data", "markets", "timeframes", "out"}) {
    if (!flags->has(name)) return usage_error(kName, std::string("missing required flag --") + name);
  }
  auto timeframes = parse_timeframes(*flags->get("timeframes"));
  if (!timeframes) return usage_error(kName, timeframes.status().message());
  req.timeframes = std::move(*timeframes);
  auto range = parse_range_flags(*flags);
  if (!range) return usage_error(kName, range.status().message());
  req.range = *range;
  auto format = parse_format(*flags, {"csv", "npy"});
  if (!format) return usage_error(kName, format.status().message());
  req.format = *parse_export_format(*format);
  if (auto origin = flags->get("origin")) {
    auto o = parse_day_origin(*origin);
    if (!o) return usage_error(kName, "--origin: " + o.status().message());
    req.day_origin_ms = *o;
  }
  req.out_dir = *flags->get("out");
  req.overwrite = flags->has("overwrite");
  req.fetch_missing = flags->has("fetch");

  auto engine = open_engine(*flags);
  if (!engine) return failure(kName, engine.status().message());
  auto markets = (*engine)->resolve_markets(*flags->get("markets"), req.fetch_missing);
  if (!markets) {
    const Status& st = markets.status();
    return is_user_error(st) ? usage_error(kName, "--markets: " + st.message()) : failure(kName, st.message());
  }
  req.markets = std::move(*markets);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  req.cancel = &g_interrupted;
  ProgressBar fetch_bar("fetch"), write_bar("export");
  auto manifest = export_candles(**engine, req, [&](const ExportProgress& p) {
    if (p.stage == ExportProgress::Stage::kFetching) {
      fetch_bar.update(p.sync.markets_done, p.sync.markets_total,
                       std::to_string(p.sync.pages) + " pages, " + std::to_string(p.sync.candles) + " candles");
    } else {
      fetch_bar.finish();
      write_bar.update(p.files_done, p.files_total, "files");
    }
  });
  fetch_bar.finish();
  write_bar.finish();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!manifest) {
    const Status& st = manifest.status();
    if (st.code() == StatusCode::kCancelled) {
      std::fprintf(stderr, "candlekeep export: interrupted; nothing was written\n");
      return 130;
    }
    return is_user_error(st) ? usage_error(kName, with_flag_hints(st)) : failure(kName, st.message());
  }

  size_t rows = 0;
  uint64_t bytes = 0;
  std::string listing;
  std::map<std::string, int64_t> uncovered;  // per market, the most over its timeframes
  for (const ExportFile& f : manifest->files) {
    rows += f.rows;
    bytes += f.bytes;
    listing += "  " + f.name + "  " + std::to_string(f.rows) + " rows";
    if (f.first) listing += "  " + format_timestamp(*f.first) + " .. " + format_timestamp(*f.last);
    listing += "\n";
    int64_t minutes = 0;
    for (const TimeRange& m : f.missing) minutes += m.length() / kMinuteMs;
    uncovered[f.market] = std::max(uncovered[f.market], minutes);
  }
  for (const auto& [market, minutes] : uncovered) {
    if (minutes == 0) continue;
    std::fprintf(stderr, "candlekeep export: warning: %s: %lld minutes of the range are not collected "
                 "(candlekeep sync, or export with --fetch)\n", market.c_str(), (long long)minutes);
  }
  std::string summary = "export: " + std::to_string(manifest->files.size()) + " files, " + std::to_string(rows) +
                        " rows, " + std::to_string(bytes) + " bytes in " + req.out_dir + " (" +
                        kExportManifestName + ")\n";
  print(summary + listing);
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(export, kName,
                    "export --data DIR --markets A,B|all|KRW-* --timeframes 15m,1h,4h --from T --to T "
                    "[--format csv|npy] --out DIR [--overwrite] [--origin HH:MMZ] [--fetch [--exchange-url URL]]",
                    run_export);

}  // namespace ck::cli
