#pragma once
// RateGovernor: keeps requests to one exchange request group under its limit. Requests are spaced
// evenly (a token bucket with a burst of one), so no one-second window — fixed or sliding — ever
// sees more than `requests_per_second`; the exchange's own Remaining-Req count and its 429s pause
// every caller further. Thread-safe; time comes from the injected Clock.
#include <cstdint>
#include <memory>
#include <deque>
#include <mutex>

#include "timeframe/clock.h"

namespace ck {

struct RateGovernorOptions {
  // Upbit's candle group allows 10 requests per second per IP. 0 means no limit.
  double requests_per_second = 10.0;
  // Fraction of the limit actually used, leaving room for clock skew between us and the exchange.
  double safety = 0.97;
  // Pause after a 429 before anyone sends again.
  int64_t backoff_after_429_ms = 1000;
};

class RateGovernor {
 public:
  RateGovernor(RateGovernorOptions options, std::shared_ptr<Clock> clock);

  // Blocks until this caller may send one request, and books its slot.
  void acquire();
  // The exchange said `remaining` requests are left in the current second: at 0, nobody sends
  // until a second has passed since the oldest of the last `requests_per_second` requests.
  void observe_remaining(int remaining);
  // The exchange answered 429: everybody waits.
  void on_too_many_requests();

  int64_t interval_ns() const { return interval_ns_; }
  int64_t requests() const;

 private:
  void push_back_locked(int64_t until_ns);

  RateGovernorOptions options_;
  std::shared_ptr<Clock> clock_;
  int64_t interval_ns_ = 0;
  mutable std::mutex mu_;
  int64_t next_slot_ns_ = 0;
  int64_t requests_ = 0;
  std::deque<int64_t> recent_;  // slots of the last requests_per_second requests
};

}  // namespace ck
