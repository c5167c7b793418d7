// candlekeep sync: collects the missing 1-minute candles of markets over a range. SIGINT or
// SIGTERM stops it cleanly: what arrived is stored, the exit code is 130, and the next sync resumes.
#include <csignal>
#include <cstdio>
#include <set>

#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"
#include "tools/candlekeep/progress_bar.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "sync";
std::atomic<bool> g_interrupted{false};

void on_signal(int) { g_interrupted = true; }

int run_sync(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"data", "exchange-url", "markets", "from", "to", "rate", "jobs"});
  if (!flags) return usage_error(kName, flags.status().message());
  if (!flags->has("data")) return usage_error(kName, "missing required flag --data");
  auto spec = flags->require("markets");
  if (!spec) return usage_error(kName, spec.status().message());
  EngineOptions eo;
  auto range = parse_range_flags(*flags, eo.clock->now_ms());
  if (!range) return usage_error(kName, range.status().message());
  if (auto rate = flags->get("rate")) {
    char* end = nullptr;
    eo.requests_per_second = std::strtod(rate->c_str(), &end);
    if (end == rate->c_str() || *end || eo.requests_per_second < 0) {
      return usage_error(kName, "bad --rate '" + *rate + "' (requests per second, 0 = unlimited)");
    }
  }
  if (auto jobs = flags->get("jobs")) {
    eo.jobs = std::atoi(jobs->c_str());
    if (eo.jobs < 1 || eo.jobs > 64) return usage_error(kName, "bad --jobs '" + *jobs + "' (1..64)");
  }
  auto engine = open_engine(*flags, eo);
  if (!engine) return failure(kName, engine.status().message());
  auto markets = (*engine)->resolve_markets(*spec, true);
  if (!markets) {
    bool user = markets.status().code() == StatusCode::kInvalidArgument;
    return user ? usage_error(kName, markets.status().message()) : failure(kName, markets.status().message());
  }
  // A name the exchange does not list is a typo or a delisted market: refuse it before anything is
  // registered, so that a misspelling never becomes an empty market in the store.
  auto listed = (*engine)->exchange_markets();
  if (!listed) return failure(kName, "listing the exchange's markets: " + listed.status().message());
  std::set<std::string> names;
  for (const auto& m : *listed) names.insert(m.market);
  for (const auto& m : *markets) {
    if (!names.count(m)) {
      return usage_error(kName, "market " + m + " is not listed by the exchange (candlekeep markets lists them)");
    }
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  ProgressBar bar("sync");
  SyncOptions so;
  so.cancel = &g_interrupted;
  so.on_progress = [&](const SyncProgress& p) {
    bar.update(p.markets_done, p.markets_total,
               std::to_string(p.pages) + " pages, " + std::to_string(p.candles) + " candles");
  };
  auto started = std::chrono::steady_clock::now();
  auto run = (*engine)->sync(*markets, *range, so);
  bar.finish();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!run) return failure(kName, run.status().message());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("sync: %zu markets, %lld pages, %lld candles, %lld retries, %.1f s, %s%s%s\n", markets->size(),
              (long long)run->pages, (long long)run->candles, (long long)run->retries, secs,
              std::string(run_status_name(run->status)).c_str(), run->error.empty() ? "" : ": ",
              run->error.c_str());
  std::fflush(stdout);
  if (g_interrupted) return 130;
  return run->status == RunStatus::kFailed ? kExitFailure : kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(sync, kName,
                    "sync --data DIR [--exchange-url URL] --markets A,B|all|KRW-* --from T [--to T] [--rate N] "
                    "[--jobs N]",
                    run_sync);

}  // namespace ck::cli
