#pragma once
// The deterministic workload of the SIGKILL crash test: batch `index` of run `seed` is always the
// same candles and coverage, so the test process can recompute what the writer process wrote.
#include <cstdint>
#include <string>

#include "timeframe/candle_series.h"

namespace ck::crash {

inline constexpr int kMarkets = 3;
inline constexpr Timestamp kFirstDay = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

std::string market_name(int market);

struct Batch {
  int market = 0;
  CandleSeries minutes;  // 1..400 minutes somewhere in 5 days: crosses midnights, overlaps others
  TimeRange covered;
};
Batch make_batch(uint64_t seed, uint64_t index);

}  // namespace ck::crash
