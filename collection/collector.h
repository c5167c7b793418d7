#pragma once
// Collector: fills the gaps in a store's coverage with 1-minute candles from a CandleSource,
// paging backwards 200 candles at a time under a RateGovernor, and records what it did.
//
// Coverage is only ever extended with proof: a page of fewer candles than asked for proves that
// every minute from the gap's start to the page's `to` without a candle had no trade; a full page
// proves it from its oldest candle to `to`. A failed page proves nothing, so a later run fetches
// it again; the still-open minute is never covered. Each page's candles and the coverage it proves
// are handed to the sink together, so a crash can never leave one without the other.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "collection/candle_source.h"
#include "collection/rate_governor.h"
#include "collection/retry_policy.h"
#include "collection/run_record.h"
#include "timeframe/candle_series.h"
#include "timeframe/clock.h"

namespace ck {

// Where collected candles go; the engine implements it over the tiered store.
class CollectionSink {
 public:
  virtual ~CollectionSink() = default;
  // The parts of `range` not yet collected for `market`, oldest first.
  virtual Result<std::vector<TimeRange>> missing(const std::string& market, const TimeRange& range) = 0;
  // Stores `candles` and marks `covered` as collected, atomically.
  virtual Status store(const std::string& market, const CandleSeries& candles,
                       const std::vector<TimeRange>& covered) = 0;
};

struct SyncProgress {
  size_t markets_total = 0;
  size_t markets_done = 0;
  int64_t pages = 0;
  int64_t candles = 0;
};

struct CollectorOptions {
  int jobs = 4;            // markets fetched at once
  int page_size = 200;     // Upbit's maximum
  RetryPolicy retry;
  std::shared_ptr<Clock> clock = SystemClock::shared();
  uint64_t seed = 0x5eed;  // for retry jitter
};

// Per-call control of one sync.
struct CollectorRunOptions {
  const std::atomic<bool>* cancel = nullptr;  // set to stop early; what arrived stays stored
  std::function<void(const SyncProgress&)> on_progress;  // called from worker threads
};

class Collector {
 public:
  // The source, governor and sink must outlive the collector.
  Collector(CandleSource& source, RateGovernor& governor, CollectionSink& sink, CollectorOptions options);

  // Collects every missing minute of `range` (clamped to the last closed minute) for each market.
  // Safe to call from several threads: a market being collected by one call is waited for by
  // the others, which then find it covered, so no page is ever requested twice.
  RunRecord sync(const std::vector<std::string>& markets, TimeRange range, const CollectorRunOptions& run = {});

 private:
  struct RunState;
  void sync_market(RunState& run, const std::string& market);
  // Pages backwards through one gap; false when the run must stop (fatal error or cancel).
  bool fill_gap(RunState& run, const std::string& market, const TimeRange& gap, std::mt19937_64& rng);
  std::mutex& market_mutex(const std::string& market);

  CandleSource& source_;
  RateGovernor& governor_;
  CollectionSink& sink_;
  CollectorOptions options_;
  std::mutex markets_mu_;
  std::map<std::string, std::unique_ptr<std::mutex>> market_mutexes_;
};

}  // namespace ck
