#pragma once
// Server: the simulator on the network — HTTP/1.1 with keep-alive and the WebSocket stream at
// /websocket/v1, on Boost.Beast, serving a RestApi over an Exchange. Built for embedding in tests:
//
//   auto exchange = std::make_shared<ck::sim::Exchange>(ck::sim::ExchangeOptions{...});
//   ck::sim::Server server(exchange, {.port = 0});
//   ASSERT_TRUE(server.start().is_ok());
//   std::string url = server.base_url();   // "http://127.0.0.1:41237"
//   ... server.stats(), exchange->truth(...) ...
//   server.stop();                           // also done by the destructor
//
// The transport applies the faults that live below HTTP: added latency, a connection reset in the
// middle of a body, and a WebSocket dropped without a close frame. The Date header carries the
// simulated now. Requests are served by `threads` threads.
#include <cstdint>
#include <memory>
#include <string>

#include "timeframe/status.h"
#include "tools/sim/exchange.h"
#include "tools/sim/rest_api.h"
#include "tools/sim/sim_stats.h"

namespace ck::sim {

namespace detail {
struct ServerImpl;
}

struct ServerOptions {
  std::string bind = "127.0.0.1";  // loopback unless told otherwise
  uint16_t port = 0;               // 0 = pick a free port (see port())
  int threads = 2;
  ApiOptions api;
  int64_t ws_poll_ms = 100;        // how often (real time) WebSocket feeds look for new trades
  int64_t idle_timeout_ms = 120'000;  // an idle connection is closed after this
};

class Server {
 public:
  explicit Server(std::shared_ptr<const Exchange> exchange, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Errors: the address cannot be bound.
  Status start();
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  void stop();

  // REQUIRES: start() succeeded.
  uint16_t port() const;
  // "http://<bind>:<port>".
  std::string base_url() const;

  StatsSnapshot stats() const;
  RestApi& api();
  const Exchange& exchange() const;

 private:
  std::unique_ptr<detail::ServerImpl> impl_;
};

}  // namespace ck::sim
