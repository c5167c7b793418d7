#pragma once
// SimStats: what the simulator has done, for tests to assert on. GET /sim/stats serves
// to_json(), shaped exactly as issue 3 asks:
//   {"requests": {"<path>": N, …}, "status": {"<code>": N, …}, "rate_limit_violations": N,
//    "faults": {"<kind>": N, …}, "candles_served": N}
// <path> is the request path without the query. /sim/* requests are not counted (observing must
// not change what is observed). Every fault kind is listed, with 0 when it never fired.
// Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ck::sim {

// Fault kinds, as they appear under "faults".
inline constexpr std::string_view kFault5xx = "5xx";
inline constexpr std::string_view kFaultMalformed = "malformed";
inline constexpr std::string_view kFaultReset = "reset";
inline constexpr std::string_view kFaultLatency = "latency";
inline constexpr std::string_view kFault429Storm = "429_storm";
inline constexpr std::string_view kFaultWsDrop = "ws_drop";

struct StatsSnapshot {
  std::map<std::string, uint64_t> requests;  // by path
  std::map<int, uint64_t> status;            // by HTTP status sent
  uint64_t rate_limit_violations = 0;        // requests answered 429 or 418 by the rate limiter
  std::map<std::string, uint64_t> faults;    // by kind
  uint64_t candles_served = 0;               // candle objects in 200 answers of /v1/candles/*

  uint64_t request_count(const std::string& path) const;
  uint64_t status_count(int code) const;
  uint64_t fault_count(std::string_view kind) const;
  std::string to_json() const;
};

class SimStats {
 public:
  SimStats();
  void count_request(std::string_view path);
  void count_status(int status);
  void count_violation();
  void count_fault(std::string_view kind);
  void add_candles(uint64_t n);
  StatsSnapshot snapshot() const;
  void reset();

 private:
  static constexpr size_t kMaxPaths = 1000;  // beyond this, unknown paths count under "(other)"
  mutable std::mutex mu_;
  StatsSnapshot s_;
};

}  // namespace ck::sim
