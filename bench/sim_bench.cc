// Simulator throughput: candle requests per second over loopback, unthrottled (--rate-limit 0),
// 200 candles per answer, keep-alive connections. Goal (issue 3): >= 5,000 requests/s on this
// machine, so the simulator is never the bottleneck of the collector's benchmarks.
//
// Scenarios (each for --seconds):
//   hot     every request is the newest 200 1-minute candles of KRW-BTC (all cached)
//   paging  every connection pages backwards through a market's 1-minute history the way a
//           collector does (to = oldest row's candle_date_time_utc), moving to the next market
//           when it reaches the listing; the first pass generates the days, later passes hit the
//           day cache
// By default the server runs in this process (--server-threads); --port P benchmarks a running
// `candlekeep sim --rate-limit 0 --port P` instead.
//
//   ck_sim_bench [--seconds 5] [--connections 8] [--client-threads 1] [--server-threads 2]
//                [--markets 200] [--history-days 30] [--port P] [--scenario hot|paging|all]
#include <utility>  // before Asio: its awaitable.hpp uses std::exchange without including it
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tools/sim/exchange.h"
#include "tools/sim/server.h"

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Config {
  double seconds = 5;
  int connections = 8;
  int client_threads = 1;
  int server_threads = 2;
  int markets = 200;
  int history_days = 30;
  int port = 0;  // 0: run the server in-process
  std::string scenario = "all";
};

struct Totals {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> errors{0};
};

// One keep-alive connection issuing requests back to back until the deadline. A deliberately
// small HTTP/1.1 client (head up to the blank line, then Content-Length bytes), so that the client
// spends as little as possible of the two cores the server also needs.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(net::io_context& ioc, uint16_t port, bool paging, int first_market, int markets,
             const std::vector<std::string>& codes, Totals& totals, Clock::time_point deadline)
      : socket_(net::make_strand(ioc)),
        port_(port),
        paging_(paging),
        market_(first_market),
        markets_(markets),
        codes_(codes),
        totals_(totals),
        deadline_(deadline) {}

  void start() {
    socket_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_),
                          [self = shared_from_this()](boost::system::error_code ec) {
                            if (ec) {
                              ++self->totals_.errors;
                              return;
                            }
                            self->socket_.set_option(tcp::no_delay(true));
                            self->send();
                          });
  }

 private:
  void send() {
    if (Clock::now() >= deadline_) return;
    request_ = "GET /v1/candles/minutes/1?market=" + codes_[size_t(market_)] + "&count=200";
    if (paging_ && !to_.empty()) request_ += "&to=" + to_;
    request_ += " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    net::async_write(socket_, net::buffer(request_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (ec) {
        ++self->totals_.errors;
        return;
      }
      self->read_head();
    });
  }

  void read_head() {
    net::async_read_until(socket_, net::dynamic_buffer(in_), "\r\n\r\n",
                          [self = shared_from_this()](boost::system::error_code ec, size_t head) {
                            if (ec) {
                              ++self->totals_.errors;
                              return;
                            }
                            self->on_head(head);
                          });
  }

  void on_head(size_t head) {
    std::string_view h(in_.data(), head);
    int status = h.size() > 12 ? std::atoi(in_.data() + 9) : 0;
    size_t length = 0;
    size_t cl = h.find("Content-Length: ");
    if (cl != std::string_view::npos) length = size_t(std::atoll(in_.data() + cl + 16));
    if (status != 200) ++totals_.errors;
    size_t have = in_.size() - head;
    auto done = [self = shared_from_this(), head, length]() { self->on_body(head, length); };
    if (have >= length) {
      done();
      return;
    }
    in_.resize(head + length);
    net::async_read(socket_, net::buffer(in_.data() + head + have, length - have),
                    [self = shared_from_this(), done](boost::system::error_code ec, size_t) {
                      if (ec) {
                        ++self->totals_.errors;
                        return;
                      }
                      done();
                    });
  }

  void on_body(size_t head, size_t length) {
    std::string_view body(in_.data() + head, length);
    ++totals_.requests;
    totals_.bytes += body.size();
    if (paging_) {
      // Cursor = the oldest row's candle_date_time_utc (naive UTC, exclusive), as a collector does.
      static constexpr std::string_view kKey = "\"candle_date_time_utc\":\"";
      size_t pos = body.rfind(kKey);
      if (body.size() <= 2 || pos == std::string_view::npos) {
        market_ = (market_ + 1) % markets_;  // reached the listing: next market
        to_.clear();
      } else {
        to_ = std::string(body.substr(pos + kKey.size(), 19)) + "Z";
      }
    }
    in_.erase(0, head + length);
    send();
  }

  tcp::socket socket_;
  uint16_t port_;
  bool paging_;
  int market_;
  int markets_;
  const std::vector<std::string>& codes_;
  Totals& totals_;
  Clock::time_point deadline_;
  std::string request_;
  std::string in_;
  std::string to_;
};

void run_scenario(const Config& cfg, const std::string& name, uint16_t port, const std::vector<std::string>& codes,
                  ck::sim::Server* server) {
  bool paging = name != "hot";
  Totals totals;
  net::io_context ioc(cfg.client_threads);
  auto start = Clock::now();
  auto deadline = start + std::chrono::milliseconds(int64_t(cfg.seconds * 1000));
  uint64_t candles_before = server ? server->stats().candles_served : 0;
  for (int i = 0; i < cfg.connections; ++i) {
    int first_market = int((int64_t(i) * int64_t(codes.size())) / cfg.connections);
    std::make_shared<Connection>(ioc, port, paging, first_market, int(codes.size()), codes, totals, deadline)->start();
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < cfg.client_threads; ++t) threads.emplace_back([&] { ioc.run(); });
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  double rps = double(totals.requests) / secs;
  std::printf("%-8s %8.0f requests/s  %6.1f MB/s  %9llu requests  %llu errors  (goal >= 5,000 requests/s: %s)\n",
              name.c_str(), rps, double(totals.bytes) / secs / 1e6,
              static_cast<unsigned long long>(totals.requests.load()),
              static_cast<unsigned long long>(totals.errors.load()), rps >= 5000 ? "met" : "NOT met");
  if (server) {
    uint64_t candles = server->stats().candles_served - candles_before;
    auto cache = server->exchange().cache_stats();
    std::printf("         %.0f candles/s served (%.1f per request); day cache: %zu days, %.1f MB, %llu generated\n",
                double(candles) / secs, totals.requests ? double(candles) / double(totals.requests) : 0.0,
                cache.entries, double(cache.bytes) / 1e6, static_cast<unsigned long long>(cache.misses));
  }
}

bool parse_args(int argc, char** argv, Config& cfg) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "flag %s needs a value\n", a.c_str());
      return false;
    }
    std::string v = argv[++i];
    if (a == "--seconds") cfg.seconds = std::atof(v.c_str());
    else if (a == "--connections") cfg.connections = std::atoi(v.c_str());
    else if (a == "--client-threads") cfg.client_threads = std::atoi(v.c_str());
    else if (a == "--server-threads") cfg.server_threads = std::atoi(v.c_str());
    else if (a == "--markets") cfg.markets = std::atoi(v.c_str());
    else if (a == "--history-days") cfg.history_days = std::atoi(v.c_str());
    else if (a == "--port") cfg.port = std::atoi(v.c_str());
    else if (a == "--scenario") cfg.scenario = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", a.c_str());
      return false;
    }
  }
  return cfg.seconds > 0 && cfg.connections > 0 && cfg.client_threads > 0 && cfg.server_threads > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  if (!parse_args(argc, argv, cfg)) {
    std::fprintf(stderr,
                 "usage: ck_sim_bench [--seconds 5] [--connections 8] [--client-threads 1] [--server-threads 2] "
                 "[--markets 200] [--history-days 30] [--port P] [--scenario hot|paging|all]\n");
    return 2;
  }
  ck::sim::ExchangeOptions eo;
  eo.markets = cfg.markets;
  eo.history_days = cfg.history_days;
  eo.start_now = *ck::parse_timestamp("2025-07-30T12:34:56.789Z");
  eo.clock_speed = 0;
  auto exchange = std::make_shared<ck::sim::Exchange>(eo);
  std::vector<std::string> codes;
  for (const auto& m : exchange->markets()) codes.push_back(m.code);

  std::unique_ptr<ck::sim::Server> server;
  uint16_t port = uint16_t(cfg.port);
  if (port == 0) {
    ck::sim::ServerOptions so;
    so.threads = cfg.server_threads;
    so.api.rate_limit.per_second = 0;
    server = std::make_unique<ck::sim::Server>(exchange, so);
    if (auto st = server->start(); !st) {
      std::fprintf(stderr, "%s\n", st.to_string().c_str());
      return 1;
    }
    port = server->port();
  }
  std::printf("simulator throughput: GET /v1/candles/minutes/1 count=200, keep-alive, unthrottled; %d connections, "
              "%d client thread(s), %s; %d markets x %d days of history; %.0f s per scenario; %u cores\n",
              cfg.connections, cfg.client_threads,
              server ? ("in-process server with " + std::to_string(cfg.server_threads) + " thread(s)").c_str()
                     : ("external server on port " + std::to_string(port)).c_str(),
              cfg.markets, cfg.history_days, cfg.seconds, std::thread::hardware_concurrency());
  if (cfg.scenario == "all" || cfg.scenario == "hot") run_scenario(cfg, "hot", port, codes, server.get());
  if (cfg.scenario == "all" || cfg.scenario == "paging") {
    run_scenario(cfg, "paging1", port, codes, server.get());  // first pass: days are generated
    run_scenario(cfg, "paging2", port, codes, server.get());  // the same pages again: day cache
  }
  if (server) server->stop();
  return 0;
}
