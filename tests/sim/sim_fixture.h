#pragma once
// Shared helpers of the simulator tests: a small exchange at a fixed instant, and time literals.
#include <gtest/gtest.h>

#include <memory>

#include "timeframe/clock.h"
#include "timeframe/timestamp.h"
#include "tools/sim/exchange.h"

namespace ck::sim::testing {

inline Timestamp at(const char* iso) {
  auto t = parse_timestamp(iso);
  EXPECT_TRUE(t) << iso;
  return t ? *t : 0;
}

// The instant most tests freeze the simulator at: mid-minute, mid-day.
inline Timestamp fixed_now() { return at("2025-07-30T12:34:56.789Z"); }

inline ExchangeOptions small_options(int markets = 30, int history_days = 10) {
  ExchangeOptions o;
  o.markets = markets;
  o.history_days = history_days;
  o.seed = 42;
  o.start_now = fixed_now();
  o.clock_speed = 0;
  return o;
}

inline std::shared_ptr<Exchange> small_exchange(int markets = 30, int history_days = 10) {
  return std::make_shared<Exchange>(small_options(markets, history_days));
}

// An exchange whose now() is a ManualClock's time.
inline std::shared_ptr<Exchange> manual_exchange(const std::shared_ptr<ManualClock>& clock, int markets = 30,
                                                 int history_days = 10) {
  ExchangeOptions o = small_options(markets, history_days);
  o.clock = clock;
  o.start_now.reset();
  o.clock_speed = 1;
  return std::make_shared<Exchange>(o);
}

}  // namespace ck::sim::testing
