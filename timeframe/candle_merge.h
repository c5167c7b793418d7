#pragma once
// The single definition of how a later 1-minute candle folds into a bucket. Batch and incremental
// aggregation both use it, so they add volumes in the same order and agree bit for bit.
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
