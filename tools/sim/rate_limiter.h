#pragma once
// RateLimiter: Upbit's quotation limits, per client IP and group (upbit-api.md §5). Each group
// (candles, market, ticker, websocket) allows `per_second` requests in each one-second window of
// the injected clock's monotonic time (fixed windows; Upbit's window kind is UNVERIFIED); the
// `origin` group (any request with an Origin header) allows 1 per 10 s. Over the limit: 429. An
// IP that keeps going — `ban_after` 429s within `ban_window_ms` — is blocked: every request of
// every group gets 418 for a block time that doubles with each block (first_block_ms, 2×, 4×, …
// up to max_block_ms), forgotten after `block_memory_ms` without a block.
//
// Every decision carries the Remaining-Req header value in Upbit's exact shape
// ("group=candles; min=600; sec=9"). Thread-safe.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "timeframe/clock.h"

namespace ck::sim {

struct RateLimitOptions {
  int per_second = 10;               // per IP and group; 0 = unlimited (no 429, no 418)
  int websocket_per_second = 5;      // WebSocket connects per IP
  int ban_after = 20;                // 429s within ban_window_ms that trigger a 418 block
  int64_t ban_window_ms = 10'000;
  int64_t first_block_ms = 10'000;   // doubles with every block of the same IP
  int64_t max_block_ms = 600'000;
  int64_t block_memory_ms = 3'600'000;
};

enum class RateVerdict { kAllowed, kTooMany /* 429 */, kBlocked /* 418 */ };

struct RateDecision {
  RateVerdict verdict = RateVerdict::kAllowed;
  std::string remaining_req;   // the Remaining-Req header value
  int64_t block_left_ms = 0;   // for kBlocked: how long the block still lasts
  int64_t block_ms = 0;        // for kBlocked: the length of this block
};

class RateLimiter {
 public:
  RateLimiter(RateLimitOptions options, std::shared_ptr<Clock> clock);

  // Counts one request of `group` ("candles", "market", "ticker", "websocket") from `ip`; with
  // `origin`, the request is charged to the origin group instead (Upbit's rule for requests that
  // carry an Origin header).
  RateDecision check(std::string_view ip, std::string_view group, bool origin = false);

  bool unlimited() const { return options_.per_second <= 0; }
  const RateLimitOptions& options() const { return options_; }

 private:
  struct Window {
    int64_t index = -1;
    int count = 0;
  };
  struct IpState {
    std::unordered_map<std::string, Window> windows;
    int strikes = 0;
    int64_t strike_window_start = 0;
    int64_t blocked_until = 0;
    int64_t last_block_end = 0;
    int blocks = 0;
  };

  RateLimitOptions options_;
  std::shared_ptr<Clock> clock_;
  std::mutex mu_;
  std::unordered_map<std::string, IpState> ips_;
};

// "group=<group>; min=<min>; sec=<sec>" with Upbit's fixed `min` per group.
std::string remaining_req_header(std::string_view group, int sec);

}  // namespace ck::sim
