#pragma once
// Writing candles as JSON: the array `candlekeep get --format json` prints and `GET /v1/candles
// ?format=json` answers, byte for byte — both call this. One object per candle,
// {"time","open","high","low","close","volume","value","closed"}, time as ISO-8601 "…Z", numbers in
// shortest round-trip form (timeframe/candle_csv.h's append_number); the document ends in "\n".
#include <string>

#include "timeframe/candle_series.h"

namespace ck {

// Every candle is closed except the last when `last_closed` is false.
std::string candles_to_json(const CandleSeries& candles, bool last_closed);

}  // namespace ck
