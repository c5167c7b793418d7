// candlekeep live: live monitoring of a few markets in several timeframes — a table that updates in
// place on a terminal, JSON lines otherwise. Runs until --duration elapses or SIGINT/SIGTERM.
#include <unistd.h>

#include <csignal>
#include <map>
#include <mutex>
#include <thread>

#include "timeframe/candle_csv.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "live";
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

std::string update_json(const LiveUpdate& u) {
  std::string out = "{\"market\":\"" + u.market + "\",\"timeframe\":\"" + u.timeframe.to_string() + "\",\"time\":\"" +
                    format_timestamp(u.candle.time) + "\"";
  const char* names[] = {"open", "high", "low", "close", "volume", "value"};
  const double vals[] = {u.candle.open, u.candle.high, u.candle.low, u.candle.close, u.candle.volume, u.candle.value};
  for (int i = 0; i < 6; ++i) {
    out += ",\"";
    out += names[i];
    out += "\":";
    append_number(out, vals[i]);
  }
  out += u.closed ? ",\"closed\":true}\n" : ",\"closed\":false}\n";
  return out;
}

int run_live(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"data", "exchange-url", "markets", "timeframes", "format", "duration", "feed"});
  if (!flags) return usage_error(kName, flags.status().message());
  if (!flags->has("data")) return usage_error(kName, "missing required flag --data");
  auto spec = flags->require("markets");
  if (!spec) return usage_error(kName, spec.status().message());
  std::vector<Timeframe> timeframes;
  std::string tf_list = flags->get_or("timeframes", "1m,15m,1h,4h");
  for (size_t start = 0; start <= tf_list.size();) {
    size_t comma = tf_list.find(',', start);
    std::string item = tf_list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? tf_list.size() + 1 : comma + 1;
    auto tf = Timeframe::parse(item);
    if (!tf) return usage_error(kName, "--timeframes: " + tf.status().message());
    timeframes.push_back(*tf);
  }
  bool tty = ::isatty(STDOUT_FILENO) == 1;
  auto format = flags->has("format") ? parse_format(*flags, {"table", "jsonl"})
                                     : Result<std::string>(std::string(tty ? "table" : "jsonl"));
  if (!format) return usage_error(kName, format.status().message());
  double duration = 0;
  if (auto d = flags->get("duration")) {
    char* end = nullptr;
    duration = std::strtod(d->c_str(), &end);
    if (end == d->c_str() || *end || duration <= 0) return usage_error(kName, "bad --duration '" + *d + "' (seconds > 0)");
  }
  EngineOptions eo;
  std::string feed = flags->get_or("feed", "websocket");
  if (feed == "polling") {
    eo.live.feed = LiveFeedKind::kPolling;
  } else if (feed != "websocket") {
    return usage_error(kName, "bad --feed '" + feed + "'; accepted: websocket, polling");
  }
  auto engine = open_engine(*flags, eo);
  if (!engine) return failure(kName, engine.status().message());
  auto markets = (*engine)->resolve_markets(*spec, true);
  if (!markets) return usage_error(kName, markets.status().message());

  std::mutex mu;
  std::map<std::pair<std::string, std::string>, LiveUpdate> latest;  // for the table
  bool dirty = false;
  const bool jsonl = *format == "jsonl";
  auto sub = (*engine)->subscribe(*markets, timeframes, [&](const LiveUpdate& u) {
    std::lock_guard lock(mu);
    if (jsonl) {
      std::string line = update_json(u);
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fflush(stdout);
    } else {
      latest[{u.market, u.timeframe.to_string()}] = u;
      dirty = true;
    }
  });
  if (!sub) return failure(kName, sub.status().message());

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(int64_t(duration * 1000));
  while (!g_stop && (duration == 0 || std::chrono::steady_clock::now() < until)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (jsonl) continue;
    std::lock_guard lock(mu);
    if (!dirty) continue;
    dirty = false;
    std::string screen = "\033[H\033[2J" + std::string("market       tf    time                  open          high          low           close         volume        state\n");
    char line[256];
    for (const auto& [key, u] : latest) {
      std::snprintf(line, sizeof line, "%-12s %-5s %-21s %-13.10g %-13.10g %-13.10g %-13.10g %-13.8g %s\n", u.market.c_str(),
                    key.second.c_str(), format_timestamp(u.candle.time).c_str(), u.candle.open, u.candle.high, u.candle.low,
                    u.candle.close, u.candle.volume, u.closed ? "closed" : "open");
      screen += line;
    }
    std::fwrite(screen.data(), 1, screen.size(), stdout);
    std::fflush(stdout);
  }
  (*sub)->unsubscribe();
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(live, kName,
                    "live --data DIR [--exchange-url URL] --markets A,B,C,D,E --timeframes 1m,15m,1h,4h "
                    "[--format table|jsonl] [--duration SECONDS] [--feed websocket|polling]",
                    run_live);

}  // namespace ck::cli
