#pragma once
// Market data for the cache tests and benchmarks: the real sets in tests/data/real, and synthetic
// KRW markets shaped like Upbit's (integer prices on Upbit's tick ladder, volumes with 8 decimals,
// traded values = the exact decimal sum of price × volume over the minute's trades, parsed to the
// nearest double as a JSON reader would).
#include <cstdint>
#include <string>
#include <vector>

#include "timeframe/candle_series.h"

namespace ck::testing {

// The directory holding the real sets (tests/data/real).
std::string real_data_dir();
// Reads a real set (gzip or plain) from real_data_dir(); an empty series if it cannot be read.
CandleSeries load_real(const std::string& file);
// The 1-minute real sets: bybit BTCUSDT, bybit DOGEUSDT, kraken XBTUSDC, upbit KRW-BTC.
std::vector<std::string> real_minute_files();

struct KrwMarketShape {
  double start_price = 11'500'000;  // KRW
  double trades_per_minute = 40;    // mean; a minute with no trade has no candle
  double median_trade_volume = 0.02;
  uint64_t seed = 1;
};
// Upbit's KRW price unit (tick) for a price.
double krw_tick(double price);
// The shape of market i of a screener's universe (the benchmarks' 200 markets): a price
// log-uniform from 5 to 100 M KRW on Upbit's ladder, a median trade of about 200,000 KRW,
// 8-47 trades a minute, and every 5th market illiquid (0.3 trades a minute).
KrwMarketShape screener_market_shape(int i);
// `days` whole UTC days of 1-minute candles starting at `first_day` (a midnight).
CandleSeries synthetic_krw_minutes(const KrwMarketShape& shape, int64_t first_day, int days);

}  // namespace ck::testing
