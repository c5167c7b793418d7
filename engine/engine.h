#pragma once
// Engine: the one object users program against. It owns the tiered store over a data directory and
// the collector for one exchange, reads from the store, and fetches from the exchange only what the
// store lacks — each missing minute exactly once, however many callers ask at the same time.
//
// Thread-safe: every method may be called concurrently.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cache/tiered_store.h"
#include "collection/candle_source.h"
#include "collection/collector.h"
#include "collection/minute_feed.h"
#include "collection/run_record.h"
#include "engine/live.h"
#include "timeframe/clock.h"

namespace ck {

struct EngineOptions {
  std::string data_dir;                               // required
  std::string exchange_url = "https://api.upbit.com";  // Upbit or a compatible server
  std::shared_ptr<CandleSource> source;                // default: UpbitSource over exchange_url
  std::shared_ptr<Clock> clock = SystemClock::shared();  // decides "now" and so what is closed
  double requests_per_second = 10.0;                   // Upbit's candle limit; 0 = unlimited
  int jobs = 4;                                        // markets collected at once
  RetryPolicy retry;
  size_t l1_capacity_bytes = size_t{256} << 20;
  int l2_retention_days = 7;
  uint64_t l2_budget_bytes = uint64_t{1} << 30;
  std::shared_ptr<spdlog::logger> logger;
  // Live monitoring's 1-minute stream; default: the exchange's WebSocket (or polling, per
  // LiveOptions::feed). Tests inject their own.
  std::function<std::unique_ptr<MinuteFeed>()> live_feed_factory;
  LiveOptions live;
};

struct ReadOptions {
  bool fetch_missing = false;  // fetch the uncovered minutes of the range from the exchange first
  Fill fill = Fill::kNone;
  bool closed_only = false;    // drop a last candle that may still change
  int64_t day_origin_ms = 0;   // for 1d and 1w
};

struct LatestOptions {
  bool include_open = false;   // keep a last candle that may still change (closed only by default)
  bool fetch_missing = false;  // fetch the uncovered minutes behind the window first
  int64_t day_origin_ms = 0;   // for 1d and 1w
  int threads = 0;             // readers in parallel; 0 = one per core
};

// One market's window of candles from Engine::latest.
struct MarketWindow {
  std::string market;
  CandleSeries candles;  // the last n candles (fewer when the store holds fewer)
  bool last_closed = true;
  Status status;         // not OK when this market could not be read (e.g. not stored)
};

struct SyncOptions {
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const SyncProgress&)> on_progress;
  bool record = true;  // keep a run record (live monitoring's minute-by-minute syncs do not)
};

class LiveHub;

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(EngineOptions options);
  ~Engine();

  // Collects every missing minute of `range` for the markets, stores it, and records the run.
  // The record is returned even when the run failed; an error Status means it could not start.
  Result<RunRecord> sync(const std::vector<std::string>& markets, TimeRange range, const SyncOptions& options = {});

  // Candles of `market` whose open time is in `range`.
  Result<StoreRead> get(const std::string& market, Timeframe timeframe, TimeRange range,
                        const ReadOptions& options = {});

  // The last `n` candles of each market, reading every market in one pass over the tiers (in
  // parallel where it helps). Results are in the order of `markets`. Defined in engine/latest.cc.
  Result<std::vector<MarketWindow>> latest(const std::vector<std::string>& markets, Timeframe timeframe, size_t n,
                                           const LatestOptions& options = {});

  // Markets in the store.
  std::vector<MarketInfo> markets() const;
  // Markets the exchange lists.
  Result<std::vector<ExchangeMarket>> exchange_markets();
  // "KRW-BTC,KRW-ETH", "all" or a glob like "KRW-*": against the exchange's list when `use_exchange`,
  // else against the stored markets. Names given explicitly are kept as written.
  Result<std::vector<std::string>> resolve_markets(const std::string& spec, bool use_exchange);

  // Stored runs, newest first, and the data-quality issues they recorded.
  Result<std::vector<RunRecord>> runs();
  Result<std::vector<DataQualityIssue>> issues();

  // Live monitoring: `callback` receives each update of a still-open candle and each candle that
  // closes, for every market and timeframe, on the subscription's own thread. Closed minutes are
  // stored as they close. Delivery stops when the handle is destroyed or unsubscribed.
  Result<std::unique_ptr<Subscription>> subscribe(const std::vector<std::string>& markets,
                                                  const std::vector<Timeframe>& timeframes, LiveCallback callback);

  StoreStats stats() const;
  TieredStore& store() { return *store_; }
  const EngineOptions& options() const { return options_; }

 private:
  class StoreSink;
  explicit Engine(EngineOptions options);
  Status save_run(RunRecord& record);

  EngineOptions options_;
  std::unique_ptr<TieredStore> store_;
  std::shared_ptr<CandleSource> source_;
  std::unique_ptr<RateGovernor> governor_;
  std::unique_ptr<StoreSink> sink_;
  std::unique_ptr<Collector> collector_;
  std::mutex run_id_mu_;
  std::mutex live_mu_;
  std::unique_ptr<LiveHub> live_;  // created by the first subscribe
};

// Matches a market name against a glob with '*' and '?'.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace ck
