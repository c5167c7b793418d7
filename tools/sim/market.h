#pragma once
// MarketSpec: what the simulator knows about one market before generating any trade — its code and
// names, the price level and volatility of its random walk, how liquid it is, and when it was
// listed. make_markets() builds Upbit-like defaults: KRW-BTC, KRW-ETH, … (real codes first, most
// liquid first), then generated codes; liquidity falls with rank so the tail leaves most minutes
// without a trade.
#include <cstdint>
#include <string>
#include <vector>

#include "timeframe/timestamp.h"

namespace ck::sim {

struct MarketSpec {
  std::string code;          // "KRW-BTC": quote first, upper case
  std::string korean_name;   // /v1/market/all korean_name
  std::string english_name;  // /v1/market/all english_name
  double base_price = 1000;  // KRW; the price level the walk wanders around
  double daily_volatility = 0.03;  // std-dev of one day's log return
  // Probability that a minute has at least one trade (1 = every minute). Scaled by a mild daily
  // cycle for markets below 1.
  double active_share = 1.0;
  double trades_per_active_minute = 5;  // mean number of trades in a minute that has trades (>= 1)
  double notional_per_trade = 1e6;      // mean KRW per trade
  // First minute that has trades (the listing minute always trades). Aligned to a minute.
  Timestamp listed_at = 0;
  bool warning = false;  // market_event.warning in /v1/market/all?is_details=true
};

// `count` markets; market i is listed history_days(i) before `now` (floored to the minute), where
// the 20 first markets have the full `history_days` and the others between a quarter of it and
// all of it. Same arguments, same markets.
std::vector<MarketSpec> make_markets(int count, uint64_t seed, int history_days, Timestamp now);

}  // namespace ck::sim
