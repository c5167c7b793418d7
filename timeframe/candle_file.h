#pragma once
// Reading 1-minute (or any) candles from the files users bring:
//  (a) CSV with a header naming a time column (`time` or `timestamp`) and open,high,low,close,volume,
//      optionally `value` (or `turnover`); other columns are ignored;
//  (b) headerless CSV: time,open,high,low,close,volume[,…] (extra columns ignored);
//  (c) a JSON array of Upbit candle objects, in any order.
// Times are ISO-8601 UTC or epoch seconds/milliseconds. Errors name the file, the line (or JSON
// element) and the problem. The series returned is sorted and obeys CandleSeries::validate().
#include <string>
#include <string_view>

#include "timeframe/candle_series.h"
#include "timeframe/result.h"

namespace ck {

// With `align_ms` > 0 every time must be a multiple of it (kMinuteMs for 1-minute files).
Result<CandleSeries> read_candle_file(const std::string& path, int64_t align_ms = 0);
// `name` is used in error messages in place of a path.
Result<CandleSeries> parse_candles(std::string_view content, std::string_view name, int64_t align_ms = 0);

}  // namespace ck
