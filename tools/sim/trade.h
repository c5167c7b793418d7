#pragma once
// Trade: one simulated execution. Volumes and traded values are kept as integer multiples of
// 1/256 (base units and KRW): such numbers print exactly with Upbit's 8 decimals and add up exactly
// in a double, so a 15-minute candle equals the sum of its 1-minute candles bit for bit, whichever
// side (the simulator, ck::aggregate, or a client parsing our JSON) does the adding.
#include <cstdint>

#include "timeframe/timestamp.h"

namespace ck::sim {

inline constexpr double kQuantum = 1.0 / 256.0;  // volume and value unit

struct Trade {
  Timestamp time = 0;        // ms
  double price = 0;          // KRW, on the tick ladder
  int64_t volume_q = 0;      // base volume × 256
  int64_t value_q = 0;       // price × volume × 256, rounded to an integer
  bool bid = false;          // taker side: true = "BID" (buy), false = "ASK"
  int64_t sequential_id = 0; // unique per market, increasing with time

  double volume() const { return double(volume_q) * kQuantum; }
  double value() const { return double(value_q) * kQuantum; }
};

}  // namespace ck::sim
