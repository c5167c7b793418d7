#pragma once
// The Upbit candle object (GET /v1/candles/...) as candlekeep reads it: candle_date_time_utc is
// the open time (naive = UTC), trade_price the close, candle_acc_trade_volume the volume and
// candle_acc_trade_price the traded value.
#include <nlohmann/json_fwd.hpp>

#include "timeframe/candle.h"
#include "timeframe/result.h"

namespace ck {

// Fails with a message naming the missing or mistyped field.
Result<Candle> candle_from_upbit_json(const nlohmann::json& object);

}  // namespace ck
