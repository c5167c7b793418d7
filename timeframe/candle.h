#pragma once
// Candle: one bucket of trades, labelled by its open time. `value` is the traded value in the
// quote currency (Upbit's candle_acc_trade_price); sources without it carry 0.
#include "timeframe/timestamp.h"

namespace ck {

struct Candle {
  Timestamp time = 0;
  double open = 0, high = 0, low = 0, close = 0;
  double volume = 0, value = 0;
  friend bool operator==(const Candle&, const Candle&) = default;
};

}  // namespace ck
