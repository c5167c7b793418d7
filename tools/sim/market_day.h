#pragma once
// MarketDay: one market's trading for one UTC day, generated from the seed alone. The day's
// mid-price path is a Brownian bridge between two "anchor" prices (a smooth multi-scale noise of
// the day number, computable without history), so days can be generated independently, in any
// order, yet join up. Each minute then draws its own trades from a stream seeded by
// (seed, market, day, minute): whether it trades at all, how many trades, their times, prices on
// the tick ladder, and volumes. A MarketDay keeps only the per-minute aggregates (MinuteBar) and
// the mid-price at both ends of each traded minute; the trades of one minute are regenerated on
// demand from those (open candle, seconds, WebSocket). Minutes without trades cost one random draw
// and no memory.
#include <cstdint>
#include <vector>

#include "tools/sim/market.h"
#include "tools/sim/trade.h"

namespace ck::sim {

// A minute with at least one trade: the complete (closed) 1-minute candle.
struct MinuteBar {
  int32_t minute = 0;   // minute of the day, 0..1439
  int32_t last_ms = 0;  // offset of the last trade inside the minute, 0..59999
  double open = 0, high = 0, low = 0, close = 0;
  int64_t volume_q = 0, value_q = 0;
  int64_t bid_volume_q = 0;  // volume of the trades whose taker bought (ticker acc_bid_volume)
  double log_mid0 = 0, log_mid1 = 0;  // ln(mid) at the minute's start and end: regenerates its trades
};

struct MarketDay {
  int64_t day = 0;                 // days since 1970-01-01
  std::vector<MinuteBar> bars;     // ascending minute
  size_t memory_bytes() const { return sizeof(MarketDay) + bars.capacity() * sizeof(MinuteBar); }
};

// Everything a generator needs to know about a market.
struct MarketStream {
  const MarketSpec* spec = nullptr;
  uint64_t seed = 0;
  int index = 0;  // market position; part of every stream seed
};

// ln(mid) at 00:00 UTC of `day`.
double anchor_log_price(const MarketStream& m, int64_t day);

// Generates the whole day (as if it had ended; callers cut at "now").
MarketDay generate_market_day(const MarketStream& m, int64_t day);

// Appends the trades of a minute that has trades (one of day.bars), ascending by time, to `out`.
void generate_minute_trades(const MarketStream& m, int64_t day, const MinuteBar& bar, std::vector<Trade>& out);

}  // namespace ck::sim
