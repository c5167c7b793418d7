#pragma once
// Writing candles as CSV: header time,open,high,low,close,volume,value,closed; time as ISO-8601
// "…Z"; numbers in shortest round-trip form (reading them back gives the same doubles).
#include <string>

#include "timeframe/candle_series.h"

namespace ck {

// Appends the shortest decimal text that round-trips `v`.
void append_number(std::string& out, double v);

// The whole CSV document. Every row is closed except the last when `last_closed` is false.
std::string candles_to_csv(const CandleSeries& candles, bool last_closed);

}  // namespace ck
