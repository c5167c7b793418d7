#pragma once
// Exchange: the simulated market universe and its ground truth, independent of any transport.
// It owns the markets, the simulated clock and the day cache, and answers "which candles exist"
// exactly as Upbit would: a candle per bucket that had at least one trade at or before "now",
// labelled by its start, the newest one still open. Higher timeframes are folds of the visible
// 1-minute candles in time order, so aggregating the 1-minute candles reproduces them exactly.
//
// Time: now() = start_now + (clock.now_ms() - clock.now_ms() at construction) × clock_speed. With a
// ManualClock and the defaults, now() is simply the manual clock's time; clock_speed 0 freezes it.
//
// Thread-safe: every method is const and may be called from any thread.
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "timeframe/candle_series.h"
#include "timeframe/clock.h"
#include "timeframe/result.h"
#include "timeframe/time_range.h"
#include "tools/sim/candle_unit.h"
#include "tools/sim/day_cache.h"
#include "tools/sim/market.h"
#include "tools/sim/sim_candle.h"

namespace ck::sim {

struct ExchangeOptions {
  int markets = 200;      // how many markets make_markets() builds
  int history_days = 30;  // listing depth of the first 20 markets (others: 25–100 % of it)
  uint64_t seed = 42;
  // Used instead of make_markets() when non-empty (codes must be unique; listed_at is rounded up to
  // a whole minute).
  std::vector<MarketSpec> market_specs;
  std::shared_ptr<Clock> clock;         // default: SystemClock::shared()
  std::optional<Timestamp> start_now;   // simulated time at construction; default: clock->now_ms()
  double clock_speed = 1.0;             // simulated ms per clock ms; 0 = "now" stays at start_now
  size_t cache_days = 1024;             // (market, day)s kept generated (LRU)
};

// Everything /v1/ticker reports for one market at one instant.
struct Ticker {
  bool has_trade = false;  // false until the listing minute's first trade
  Trade last;              // the latest trade at or before now
  SimCandle today;         // UTC day so far (open/high/low/close, acc volume/value); empty: no trade yet
  double prev_close = 0;   // close before today's 00:00 UTC (today's open if listed today)
  int64_t volume_24h_q = 0, value_24h_q = 0;  // trades with now-24h < time <= now
  double high_52w = 0, low_52w = 0;           // over the UTC days of the last 52 weeks
  int64_t high_52w_day = 0, low_52w_day = 0;  // days since epoch
};

class Exchange {
 public:
  explicit Exchange(ExchangeOptions options = {});

  const std::vector<MarketSpec>& markets() const { return markets_; }
  // Index of the market with exactly this code (case-sensitive, like Upbit), or -1.
  int find(std::string_view code) const;
  // True once the market's listing time has come (markets listed later are invisible until then).
  bool listed(int market, Timestamp now) const { return markets_[market].listed_at <= now; }
  Timestamp now() const;
  const std::shared_ptr<Clock>& clock() const { return clock_; }
  uint64_t seed() const { return seed_; }

  // Newest first: up to `count` candles whose start < `to` (the candle containing `to` - 1 is
  // complete up to `now`, as Upbit returns it). Day candles carry prev_close.
  std::vector<SimCandle> latest(int market, CandleUnit unit, Timestamp to, size_t count, Timestamp now) const;
  // Oldest first: every candle with from <= start < to, as of `now`.
  std::vector<SimCandle> range(int market, CandleUnit unit, Timestamp from, Timestamp to, Timestamp now) const;
  // Ground truth for tests: range() of `code` as a CandleSeries (as of now()). Errors: unknown code.
  Result<CandleSeries> truth(std::string_view code, CandleUnit unit, TimeRange range) const;

  // Trades with after < time <= min(until, now), ascending; at most `limit` (the newest are dropped).
  std::vector<Trade> trades(int market, Timestamp after, Timestamp until, Timestamp now, size_t limit = 100000) const;
  // The latest trade at or before `now`.
  std::optional<Trade> last_trade(int market, Timestamp now) const;
  // Close of the last trade before `day_start` (a UTC midnight); NaN when the market had none.
  double close_before(int market, Timestamp day_start, Timestamp now) const;
  Ticker ticker(int market, Timestamp now) const;

  DayCacheStats cache_stats() const { return cache_->stats(); }

 private:
  // The visible part of one (market, day) as of `now`: bars[0, closed) plus the open minute.
  struct DayView {
    std::shared_ptr<const MarketDay> day;
    size_t closed = 0;
    std::optional<SimCandle> partial;
    size_t size() const { return closed + (partial ? 1 : 0); }
    SimCandle at(size_t i) const;
  };
  DayView view(int market, int64_t day, Timestamp now) const;
  std::optional<SimCandle> day_summary(int market, int64_t day, Timestamp now) const;
  std::optional<SimCandle> bucket(int market, CandleUnit unit, Timestamp start, Timestamp now) const;
  int64_t first_day(int market) const;
  void minute_buckets(int market, int64_t day, int minutes, Timestamp now, std::vector<SimCandle>& out) const;
  void second_buckets(int market, int64_t day, Timestamp now, std::vector<SimCandle>& out) const;

  std::vector<MarketSpec> markets_;
  std::unordered_map<std::string_view, int> by_code_;
  uint64_t seed_;
  std::shared_ptr<Clock> clock_;
  Timestamp start_now_;
  Timestamp clock_start_;
  double speed_;
  std::unique_ptr<DayCache> cache_;

  struct SummaryKey {
    int market;
    int64_t day;
    bool operator==(const SummaryKey&) const = default;
  };
  struct SummaryHash {
    size_t operator()(const SummaryKey& k) const { return std::hash<int64_t>()(k.day * 2654435761LL + k.market); }
  };
  mutable std::mutex summary_mu_;
  // Closed days only (they never change); a few dozen bytes each.
  mutable std::unordered_map<SummaryKey, std::optional<SimCandle>, SummaryHash> summaries_;
};

}  // namespace ck::sim
