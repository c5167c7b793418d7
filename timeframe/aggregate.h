#pragma once
// The batch calculator: 1-minute candles in, candles of any timeframe out, in one pass over the
// columns. Rules (design.md): a bucket is labelled by its open time; open = first, high = max,
// low = min, close = last, volume and value = sums in time order; a bucket without 1-minute
// candles yields no candle unless Fill::kForward is asked for.
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "timeframe/candle_series.h"
#include "timeframe/result.h"
#include "timeframe/time_range.h"
#include "timeframe/timeframe.h"

namespace ck {

enum class Fill : uint8_t {
  kNone,     // exchange behaviour: no trades, no candle
  kForward,  // an empty bucket gets the previous close as open/high/low/close, volume and value 0
};
// "none" or "ffill".
Result<Fill> parse_fill(std::string_view text);
std::string_view fill_name(Fill fill);

struct AggregateOptions {
  // Day origin for 1d and 1w buckets, milliseconds after 00:00 UTC (see parse_day_origin).
  int64_t day_origin_ms = 0;
  Fill fill = Fill::kNone;
  // The span the input is known to cover. A bucket that ends after covered->to is still open
  // (not closed); ffill extends to the last bucket that overlaps it. Default: from the first
  // input minute to one minute after the last.
  std::optional<TimeRange> covered;
  // Check the input against the candle rules first (see CandleSeries::validate). Only callers
  // whose data was validated when it was stored may turn this off.
  bool validate = true;
};

struct Aggregated {
  Timeframe timeframe;
  CandleSeries candles;
  // False when the last bucket extends past the covered range (its candle may still change).
  bool last_closed = true;
};

// Aggregates a 1-minute series into `timeframe`. Rejects input that breaks the rules (times not
// increasing or duplicated, not on a minute boundary, NaN, high < low, negative volume) with an
// error naming the row.
Result<Aggregated> aggregate(const CandleSeries& minutes, Timeframe timeframe,
                             const AggregateOptions& options = {});

// Several timeframes at once (up to four per pass over the input); results in the order of
// `timeframes`.
Result<std::vector<Aggregated>> aggregate_many(const CandleSeries& minutes, std::span<const Timeframe> timeframes,
                                               const AggregateOptions& options = {});

// Inserts forward-filled candles for the empty buckets of `grid` between the first candle and the
// last bucket that starts before `until`.
CandleSeries fill_forward(const CandleSeries& sparse, const TimeGrid& grid, Timestamp until);

}  // namespace ck
