#pragma once
// The benchmark data set: 1-minute candles of a random-walk market with a share of minutes missing
// (no trades, no candle), the same for a given seed on every machine. The C++ benchmark and
// compare_pandas.py (through ck_bench_data) use exactly these candles.
#include <cstdint>

#include "timeframe/candle_series.h"

namespace ck::bench {

struct RandomWalkOptions {
  Timestamp start = 1704067200000;  // 2024-01-01T00:00:00Z
  int64_t minutes = 525'600;        // one (non-leap) year
  double missing = 0.10;            // share of minutes without a candle
  uint64_t seed = 20240101;
};

CandleSeries random_walk_minutes(const RandomWalkOptions& options = {});

}  // namespace ck::bench
