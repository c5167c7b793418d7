#pragma once
// The single definition of how a later 1-minute candle folds into a bucket. The incremental
// aggregator calls it; the batch calculator (aggregate.cc, fold_row) does exactly these operations
// on several timeframes at once in vector lanes. Both add volumes in the same order and agree bit
// for bit (tests/timeframe/incremental_test.cc checks it on thousands of random series).
#include <algorithm>

#include "timeframe/candle.h"

namespace ck {

inline void fold_minute(Candle& bucket, double high, double low, double close, double volume, double value) {
  bucket.high = std::max(bucket.high, high);
  bucket.low = std::min(bucket.low, low);
  bucket.close = close;
  bucket.volume += volume;
  bucket.value += value;
}

inline void fold_minute(Candle& bucket, const Candle& m) {
  fold_minute(bucket, m.high, m.low, m.close, m.volume, m.value);
}

}  // namespace ck
