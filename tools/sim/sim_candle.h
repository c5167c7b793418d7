#pragma once
// SimCandle: one candle as the simulator serves it — the bucket start, OHLC, volume and traded
// value in 1/256 units (see trade.h), the time of the bucket's last trade (Upbit's `timestamp`),
// and, for day candles, the previous close (`prev_closing_price`).
#include <cstdint>

#include "timeframe/candle.h"
#include "tools/sim/trade.h"

namespace ck::sim {

struct SimCandle {
  Timestamp start = 0;
  double open = 0, high = 0, low = 0, close = 0;
  int64_t volume_q = 0, value_q = 0;
  int64_t bid_volume_q = 0;  // not an Upbit candle field; feeds the ticker's acc_bid_volume
  Timestamp last_trade = 0;
  double prev_close = 0;  // days only: close of the last trade before `start` (or open on listing day)

  double volume() const { return double(volume_q) * kQuantum; }
  double value() const { return double(value_q) * kQuantum; }
  Candle to_candle() const { return Candle{start, open, high, low, close, volume(), value()}; }

  // Folds a later, non-empty piece of the same bucket into this one (aggregation rules of design.md).
  void absorb(const SimCandle& later) {
    high = later.high > high ? later.high : high;
    low = later.low < low ? later.low : low;
    close = later.close;
    volume_q += later.volume_q;
    value_q += later.value_q;
    bid_volume_q += later.bid_volume_q;
    last_trade = later.last_trade;
  }
  friend bool operator==(const SimCandle&, const SimCandle&) = default;
};

}  // namespace ck::sim
