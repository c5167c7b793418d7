#include "tools/sim/rate_limiter.h"

#include <algorithm>

namespace ck::sim {
namespace {

// The deprecated `min` value Upbit still sends per group (upbit-api.md §5.2).
int min_value(std::string_view group) {
  if (group == "origin") return 6;
  if (group == "websocket") return 300;
  return 600;
}

}  // namespace

std::string remaining_req_header(std::string_view group, int sec) {
  std::string out = "group=";
  out += group;
  out += "; min=";
  out += std::to_string(min_value(group));
  out += "; sec=";
  out += std::to_string(std::max(0, sec));
  return out;
}

RateLimiter::RateLimiter(RateLimitOptions options, std::shared_ptr<Clock> clock)
    : options_(options), clock_(clock ? std::move(clock) : SystemClock::shared()) {}

RateDecision RateLimiter::check(std::string_view ip, std::string_view group, bool origin) {
  RateDecision d;
  if (origin) group = "origin";
  const int limit = group == "origin" ? 1 : group == "websocket" ? options_.websocket_per_second : options_.per_second;
  const int64_t window_ms = group == "origin" ? 10'000 : 1'000;
  if (unlimited()) {
    // No budget to report: send what a fresh second of the default budget would show, in the
    // shape strict parsers expect.
    const int nominal = group == "origin" ? 1 : group == "websocket" ? options_.websocket_per_second : 10;
    d.remaining_req = remaining_req_header(group, nominal - 1);
    return d;
  }
  const int64_t now = clock_->monotonic_ns() / 1'000'000;
  std::lock_guard lock(mu_);
  IpState& s = ips_[std::string(ip)];
  if (now < s.blocked_until) {
    d.verdict = RateVerdict::kBlocked;
    d.block_left_ms = s.blocked_until - now;
    d.block_ms = std::min(options_.max_block_ms, options_.first_block_ms << std::min(s.blocks - 1, 20));
    d.remaining_req = remaining_req_header(group, 0);
    return d;
  }
  Window& w = s.windows[std::string(group)];
  int64_t index = now / window_ms;
  if (w.index != index) {
    w.index = index;
    w.count = 0;
  }
  if (w.count < limit) {
    ++w.count;
    d.remaining_req = remaining_req_header(group, limit - w.count);
    return d;
  }
  // Over the limit.
  d.remaining_req = remaining_req_header(group, 0);
  if (now - s.strike_window_start > options_.ban_window_ms) {
    s.strike_window_start = now;
    s.strikes = 0;
  }
  ++s.strikes;
  if (options_.ban_after > 0 && s.strikes >= options_.ban_after) {
    if (s.blocks > 0 && now - s.last_block_end > options_.block_memory_ms) s.blocks = 0;
    int64_t block = std::min(options_.max_block_ms, options_.first_block_ms << std::min(s.blocks, 20));
    ++s.blocks;
    s.blocked_until = now + block;
    s.last_block_end = s.blocked_until;
    s.strikes = 0;
    d.verdict = RateVerdict::kBlocked;
    d.block_left_ms = block;
    d.block_ms = block;
    return d;
  }
  d.verdict = RateVerdict::kTooMany;
  return d;
}

}  // namespace ck::sim
