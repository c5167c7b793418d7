#pragma once
// Checks one page of 1-minute candles from an exchange before anything of it is stored: minute
// alignment, inside the asked window, high >= max(open, close), low <= min(open, close), finite
// fields, volume and value >= 0, no duplicate minutes. Candles that fail are dropped and reported;
// the rest are returned sorted ascending.
#include <string>
#include <vector>

#include "collection/data_quality.h"
#include "timeframe/candle_series.h"

namespace ck {

struct CheckedPage {
  CandleSeries candles;                  // the good candles, ascending
  std::vector<DataQualityIssue> issues;  // one per dropped or suspicious candle
};

// `candles` in any order; every candle must be before `to` (Upbit's `to` is exclusive).
CheckedPage check_page(const std::string& market, std::vector<Candle> candles, Timestamp to);

}  // namespace ck
