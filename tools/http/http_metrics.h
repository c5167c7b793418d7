#pragma once
// HttpMetrics: what the server has served — requests by route and status, a latency histogram per
// route, open and refused connections — kept for GET /metrics (Prometheus text format). Routes are
// the fixed labels of api.h (route_of), so a client cannot grow the label set with odd paths.
//
// Thread-safe; recording costs one short mutex hold.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ck::http {

class HttpMetrics {
 public:
  // Upper bounds (seconds) of the latency histogram's buckets; +Inf is implied.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                       0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // One answered request: its route label, status code and time from request read to response written.
  void record(std::string_view route, int status, double seconds);

  void connection_opened() { ++open_; ++accepted_; }
  void connection_closed() { --open_; }
  void connection_refused() { ++refused_; }  // over the connection limit
  void websocket_opened() { ++ws_open_; }
  void websocket_closed() { --ws_open_; }
  int64_t open_connections() const { return open_; }
  int64_t open_websockets() const { return ws_open_; }

  // Appends the HTTP families (candlekeep_http_*) in Prometheus text format.
  void render(std::string& out) const;
  // Requests recorded for a route and status (for tests).
  uint64_t requests(std::string_view route, int status) const;

 private:
  struct Route {
    std::map<int, uint64_t> by_status;
    std::array<uint64_t, kBuckets.size() + 1> buckets{};  // last: +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, Route, std::less<>> routes_;
  std::atomic<int64_t> open_{0}, ws_open_{0};
  std::atomic<uint64_t> accepted_{0}, refused_{0};
};

// Appends "# HELP name help\n# TYPE name type\n".
void append_metric_header(std::string& out, std::string_view name, std::string_view type, std::string_view help);
// Appends "name{labels} value\n" (labels may be empty; value printed exactly).
void append_sample(std::string& out, std::string_view name, std::string_view labels, double value);

}  // namespace ck::http
