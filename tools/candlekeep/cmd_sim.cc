// candlekeep sim: runs the Upbit-compatible exchange simulator on loopback until SIGINT/SIGTERM.
// The first line on stdout is "listening on http://HOST:PORT" (flushed at once), so scripts and
// tests can start it with --port 0 and read the port. See docs/simulator.md.
#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>

#include "timeframe/timestamp.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/flags.h"
#include "tools/sim/exchange.h"
#include "tools/sim/server.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "sim";

Result<int64_t> int_flag(const Flags& flags, const char* name, int64_t fallback, int64_t min, int64_t max) {
  auto text = flags.get(name);
  if (!text) return fallback;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < min || v > max) {
    return Status::invalid_argument("--" + std::string(name) + " must be an integer in [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "], got '" + *text + "'");
  }
  return v;
}

Result<double> real_flag(const Flags& flags, const char* name, double fallback, double min, double max) {
  auto text = flags.get(name);
  if (!text) return fallback;
  double v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || !std::isfinite(v) || v < min || v > max) {
    return Status::invalid_argument("--" + std::string(name) + " must be a number in [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "], got '" + *text + "'");
  }
  return v;
}

int run_sim(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"bind", "port", "markets", "history-days", "seed", "rate-limit", "now",
                                   "clock-speed", "fault-5xx", "fault-malformed", "fault-reset", "fault-latency-ms",
                                   "fault-429-storm", "fault-429-storm-ms", "fault-ws-drop-s", "threads",
                                   "cache-days"});
  if (!flags) return usage_error(kName, flags.status().message());

#define CK_SIM_INT(var, name, def, lo, hi)                             \
  auto var = int_flag(*flags, name, def, lo, hi);                      \
  if (!var) return usage_error(kName, var.status().message());
#define CK_SIM_REAL(var, name, def, lo, hi)                            \
  auto var = real_flag(*flags, name, def, lo, hi);                     \
  if (!var) return usage_error(kName, var.status().message());

  CK_SIM_INT(port, "port", 0, 0, 65535);
  CK_SIM_INT(markets, "markets", 200, 1, 100000);
  CK_SIM_INT(history, "history-days", 30, 1, 36500);
  CK_SIM_INT(seed, "seed", 42, 0, INT64_MAX);
  CK_SIM_INT(rate, "rate-limit", 10, 0, 1000000);
  CK_SIM_REAL(speed, "clock-speed", 1.0, 0.0, 1e6);
  CK_SIM_REAL(p5xx, "fault-5xx", 0.0, 0.0, 1.0);
  CK_SIM_REAL(pmal, "fault-malformed", 0.0, 0.0, 1.0);
  CK_SIM_REAL(preset, "fault-reset", 0.0, 0.0, 1.0);
  CK_SIM_INT(latency, "fault-latency-ms", 0, 0, 600000);
  CK_SIM_REAL(pstorm, "fault-429-storm", 0.0, 0.0, 1.0);
  CK_SIM_INT(storm_ms, "fault-429-storm-ms", 2000, 1, 3600000);
  CK_SIM_INT(ws_drop, "fault-ws-drop-s", 0, 0, 86400);
  CK_SIM_INT(threads, "threads", 2, 1, 64);
  CK_SIM_INT(cache_days, "cache-days", 1024, 1, 10000000);
#undef CK_SIM_INT
#undef CK_SIM_REAL

  sim::ExchangeOptions ex;
  ex.markets = int(*markets);
  ex.history_days = int(*history);
  ex.seed = uint64_t(*seed);
  ex.clock_speed = *speed;
  ex.cache_days = size_t(*cache_days);
  if (auto now = flags->get("now")) {
    auto t = parse_time_value(*now);
    if (!t) return usage_error(kName, "--now: " + t.status().message());
    ex.start_now = *t;
    // A given "now" stays put unless a clock speed is asked for too.
    if (!flags->has("clock-speed")) ex.clock_speed = 0;
  }

  sim::ServerOptions so;
  so.bind = flags->get_or("bind", "127.0.0.1");
  so.port = uint16_t(*port);
  so.threads = int(*threads);
  so.api.rate_limit.per_second = int(*rate);
  so.api.faults.error_5xx = *p5xx;
  so.api.faults.malformed = *pmal;
  so.api.faults.reset = *preset;
  so.api.faults.latency_ms = *latency;
  so.api.faults.storm_429 = *pstorm;
  so.api.faults.storm_429_ms = *storm_ms;
  so.api.faults.ws_drop_ms = *ws_drop * 1000;
  so.api.faults.seed = uint64_t(*seed) ^ 0x5EED;

  // Block the stop signals before any thread starts, so that only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto exchange = std::make_shared<sim::Exchange>(std::move(ex));
  sim::Server server(exchange, so);
  if (Status st = server.start(); !st) return failure(kName, st.message());
  std::printf("listening on %s\n", server.base_url().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.stop();
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(sim, kName,
                    "sim [--bind 127.0.0.1] [--port 0] [--markets 200] [--history-days 30] [--seed 42] "
                    "[--rate-limit 10] [--now T] [--clock-speed 1] [--fault-5xx P] [--fault-malformed P] "
                    "[--fault-reset P] [--fault-latency-ms MS] [--fault-429-storm P] [--fault-429-storm-ms MS] "
                    "[--fault-ws-drop-s S] [--threads 2] [--cache-days 1024]",
                    run_sim);

}  // namespace ck::cli
