#pragma once
// Server: the HTTP API (api.h) on the network — HTTP/1.1 with keep-alive on Boost.Beast, the
// /v1/live WebSocket, and the export worker — over an Engine the caller owns. `candlekeep serve`
// runs one; tests and the benchmark embed one:
//
//   ck::http::Server server(*engine, {.port = 0});
//   ASSERT_TRUE(server.start().is_ok());
//   std::string url = server.base_url();   // "http://127.0.0.1:41237"
//   ...
//   server.stop();                           // also done by the destructor
//
// Requests are parsed and answered on `threads` I/O threads; requests that may take long (a
// screen, anything that asks the exchange, a live subscription's warm-up) run on `slow_threads`
// others, so they never hold up the rest. Limits: `max_connections` open connections (beyond it a
// connection gets 503 and is closed), `max_body_bytes` per request body (413), 16 KiB of headers
// (431). Every error answer has the JSON body of api_response.h.
#include <cstdint>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "timeframe/status.h"
#include "tools/http/counting_source.h"
#include "tools/http/export_jobs.h"
#include "tools/http/http_metrics.h"

namespace ck::http {

struct ServerOptions {
  std::string bind = "127.0.0.1";  // loopback unless told otherwise
  uint16_t port = 8080;            // 0 = pick a free port (see port())
  int threads = 2;                 // I/O threads
  int slow_threads = 4;            // threads for slow requests
  std::string token;               // "" = no authentication; else "Authorization: Bearer <token>"
  size_t max_connections = 256;    // open connections (HTTP and WebSocket) at once
  size_t max_body_bytes = size_t{1} << 20;
  int64_t idle_timeout_ms = 60'000;  // a keep-alive connection idle this long is closed
  std::string exports_dir;         // default: <engine data dir>/exports
  size_t max_pending_exports = 64;
  size_t candle_cache_bytes = size_t{64} << 20;  // rendered /v1/candles bodies kept for reuse; 0 = none
  // The engine's source wrapped in a CountingSource, if it is (for the exchange counters of /metrics).
  std::shared_ptr<const CountingSource> source_counts;
};

namespace detail {
struct ServerImpl;
}

class Server {
 public:
  // REQUIRES: `engine` outlives the server.
  Server(Engine& engine, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Errors: a bad bind address (InvalidArgument), an address
  // that cannot be bound (Unavailable), started twice (FailedPrecondition).
  Status start();
  // Stops accepting, ends live subscriptions, cancels a running export, closes every connection
  // and joins the threads. Idempotent.
  void stop();

  // REQUIRES: start() succeeded.
  uint16_t port() const;
  // "http://<bind>:<port>".
  std::string base_url() const;

  // Live subscriptions open now (one per subscribed /v1/live socket).
  size_t live_subscriptions() const;

  HttpMetrics& metrics();
  ExportJobs& exports();

 private:
  std::unique_ptr<detail::ServerImpl> impl_;
};

}  // namespace ck::http
