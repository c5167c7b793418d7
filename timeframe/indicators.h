#pragma once
// Technical indicators over columns of a candle series, one output value per input bar, computed in
// one pass each (sliding sums, a monotonic queue, a recursion) rather than window by window.
//
// Contract shared by every function here:
//   - bars are candles in time order; a bucket without trades is no bar (the series is not filled);
//   - out[i] uses bars 0..i only (never a later bar);
//   - out[i] is NaN where there are not enough bars before it (the "warm-up"), and everywhere when
//     n < 1; each function names its warm-up;
//   - results depend on the bars passed in and nothing else, so a caller that passes a fixed window
//     gets the same answer however much older history the store holds.
// Definitions (docs/screener.md has them with formulas):
#include <span>
#include <vector>

namespace ck::indicators {

// Simple moving average: mean of x[i-n+1..i]. Warm-up: i < n-1.
std::vector<double> sma(std::span<const double> x, int n);

// Exponential moving average with alpha = 2 / (n + 1), seeded at i = n-1 with the simple mean of
// the first n values: out[i] = out[i-1] + alpha * (x[i] - out[i-1]). Warm-up: i < n-1.
std::vector<double> ema(std::span<const double> x, int n);

// Relative strength index (Wilder), 0..100. Changes d[i] = close[i] - close[i-1]; the averages of
// gains and losses start as the simple means over d[1..n] (value at i = n), then follow Wilder's
// smoothing avg = (avg * (n-1) + d) / n. RSI = 100 * gain / (gain + loss): 100 when nothing fell,
// 50 when nothing moved at all. Warm-up: i < n.
std::vector<double> rsi(std::span<const double> close, int n);

// n-bar return as a fraction: close[i] / close[i-n] - 1. Warm-up: i < n.
std::vector<double> ret(std::span<const double> close, int n);

// The previous n-bar high: max(high[i-n..i-1]) — bar i itself excluded. Warm-up: i < n.
std::vector<double> rolling_max_prev(std::span<const double> high, int n);

// 1 when close[i] > rolling_max_prev(high, n)[i] (a close above the previous n-bar high), else 0.
// Warm-up: i < n. REQUIRES: close.size() == high.size().
std::vector<double> new_high(std::span<const double> close, std::span<const double> high, int n);

// Bollinger bands: sma(n) ± k * the population standard deviation (divisor n, as Bollinger defines
// it; pandas' rolling std() defaults to the sample one, divisor n-1) of x[i-n+1..i]. Warm-up: i < n-1.
std::vector<double> bb_upper(std::span<const double> x, int n, double k);
std::vector<double> bb_lower(std::span<const double> x, int n, double k);

// Moving average of traded value (the candles' value column): sma(value, n).
std::vector<double> tv_ma(std::span<const double> value, int n);

}  // namespace ck::indicators
