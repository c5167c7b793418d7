// candlekeep serve: the HTTP API over a data directory (tools/http/; docs/http-api.md), so programs
// in any language read from a running engine. Prints "listening on http://HOST:PORT" as its first
// line on stdout, serves until SIGINT or SIGTERM, then stops cleanly and exits 0.
#include <pthread.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "collection/upbit_source.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"
#include "tools/http/counting_source.h"
#include "tools/http/server.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "serve";

template <typename T>
Result<T> parse_whole(const Flags& flags, const char* name, T fallback, T min, T max) {
  auto text = flags.get(name);
  if (!text) return fallback;
  T v{};
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < min || v > max) {
    return Status::invalid_argument("bad --" + std::string(name) + " '" + *text + "' (a whole number from " +
                                    std::to_string(min) + " to " + std::to_string(max) + ")");
  }
  return v;
}

int run_serve(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"data", "bind", "port", "token", "exchange-url", "max-connections", "feed"});
  if (!flags) return usage_error(kName, flags.status().message());
  if (!flags->has("data")) return usage_error(kName, "missing required flag --data");
  auto port = parse_whole<int>(*flags, "port", 8080, 0, 65535);
  if (!port) return usage_error(kName, port.status().message());
  auto max_connections = parse_whole<int>(*flags, "max-connections", 256, 1, 1'000'000);
  if (!max_connections) return usage_error(kName, max_connections.status().message());
  http::ServerOptions so;
  so.bind = flags->get_or("bind", "127.0.0.1");
  so.port = uint16_t(*port);
  so.max_connections = size_t(*max_connections);
  // The token may come from the environment, so it does not show in `ps`.
  if (auto token = flags->get("token")) {
    if (token->empty()) return usage_error(kName, "--token is empty");
    so.token = *token;
  } else if (const char* env = std::getenv("CANDLEKEEP_API_TOKEN"); env && *env) {
    so.token = env;
  }
  EngineOptions eo;
  std::string feed = flags->get_or("feed", "websocket");
  if (feed == "polling") {
    eo.live.feed = LiveFeedKind::kPolling;
  } else if (feed != "websocket") {
    return usage_error(kName, "bad --feed '" + feed + "'; accepted: websocket, polling");
  }

  // SIGINT and SIGTERM are taken by sigwait below: block them before any thread starts (the engine
  // starts some), so every thread inherits the mask and none is killed by them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Count what the exchange answers, for /metrics.
  auto counting = std::make_shared<http::CountingSource>(std::make_shared<UpbitSource>(
      UpbitSourceOptions{flags->get_or("exchange-url", eo.exchange_url), {}}));
  eo.source = counting;
  so.source_counts = counting;
  auto engine = open_engine(*flags, eo);
  if (!engine) return failure(kName, engine.status().message());

  http::Server server(**engine, so);
  Status st = server.start();
  if (!st) return st.code() == StatusCode::kInvalidArgument ? usage_error(kName, st.message()) : failure(kName, st.message());
  std::printf("listening on %s\n", server.base_url().c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::fprintf(stderr, "candlekeep serve: %s received; stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(serve, kName,
                    "serve --data DIR [--bind 127.0.0.1] [--port 8080] [--token TOKEN] [--exchange-url URL] "
                    "[--max-connections 256] [--feed websocket|polling]",
                    run_serve);

}  // namespace ck::cli
