#pragma once
// The screener: one row per market over the last N closed candles of a timeframe — market, time of
// the last candle, bars, close, change over the window, volume and traded value summed over the
// window, and the last value of each requested indicator — filtered by a --where expression and
// sorted by a column (docs/screener.md).
//
// Every figure is computed over the N-bucket window Engine::latest reads and nothing older, so a
// result never depends on how much history happens to be stored. A bucket without trades is no
// bar: an illiquid market's window holds fewer than N candles, and its `bars` column says so.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/screen_filter.h"

namespace ck {

enum class IndicatorKind : uint8_t { kSma, kEma, kRsi, kRet, kRollingMaxPrev, kNewHigh, kBbUpper, kBbLower, kTvMa };

struct IndicatorSpec {
  IndicatorKind kind = IndicatorKind::kSma;
  int n = 0;
  double k = 2;        // Bollinger width in standard deviations (bb_upper / bb_lower only)
  std::string column;  // "sma20", "rsi14", "bb_upper20_2", "new_high20", ...
};

// "sma:20,rsi:14,bb_upper:20:2,..." — name:n, and for bb_upper / bb_lower name:n[:k] (k default 2).
// Names: sma ema rsi ret rolling_max_prev new_high bb_upper bb_lower tv_ma; 1 <= n <= 100000;
// k > 0. Errors name the item and the accepted forms; a column asked for twice is an error.
Result<std::vector<IndicatorSpec>> parse_indicators(std::string_view text);

// The indicator over every bar of `candles` (timeframe/indicators.h), NaN during its warm-up.
std::vector<double> compute_indicator(const IndicatorSpec& spec, const CandleSeries& candles);

// The numeric columns of a row, in output order: bars, close, change, volume, value, then one per
// indicator. (market and time come first in the output and are not numeric.)
std::vector<std::string> screen_columns(const std::vector<IndicatorSpec>& indicators);

// What to screen for, parsed and checked before any data is read.
struct ScreenSpec {
  std::vector<IndicatorSpec> indicators;
  std::vector<std::string> columns;    // screen_columns(indicators)
  std::optional<ScreenFilter> where;   // none: every market
  // Sort key: "market", "time" or a numeric column; none keeps the order of the markets.
  std::string sort_column;
  bool sort_descending = false;        // a leading '-' in the sort text

  // `indicators` as parse_indicators, `where` as ScreenFilter::parse over the columns, `sort` a
  // column name with an optional leading '-' (descending) or '+'. Empty texts mean "none".
  static Result<ScreenSpec> parse(std::string_view indicators, std::string_view where, std::string_view sort);
};

struct ScreenRow {
  std::string market;
  std::optional<Timestamp> time;  // open time of the last candle; none when the window is empty
  std::vector<double> values;     // one per ScreenSpec::columns; NaN where there is no value
};

struct ScreenOptions {
  bool fetch_missing = false;  // fetch the uncovered minutes of the windows first
  int threads = 0;             // Engine::latest readers; 0 = one per core
  int64_t day_origin_ms = 0;   // for 1d and 1w
};

// The row of one market's window (no filter).
ScreenRow screen_row(const std::string& market, const CandleSeries& window, const ScreenSpec& spec);
// Rows of windows already read: computed, filtered by spec.where, sorted by spec.sort_column
// (stably; NaN and empty values last in either direction). A window with an error status fails
// the screen with that status.
Result<std::vector<ScreenRow>> screen_windows(const std::vector<MarketWindow>& windows, const ScreenSpec& spec);
// Reads the last `bars` closed candles of each market (Engine::latest) and screens them.
Result<std::vector<ScreenRow>> screen(Engine& engine, const std::vector<std::string>& markets, Timeframe timeframe,
                                      size_t bars, const ScreenSpec& spec, const ScreenOptions& options = {});

}  // namespace ck
