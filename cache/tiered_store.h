#pragma once
// TieredStore: every collected 1-minute candle, kept forever, read back in any timeframe from the
// cheapest tier that has it. A read walks L1 (memory) → L2 (recent LZ4 files) → L3 (RocksDB, the
// store of record), stitches the day chunks, derives the timeframe with the calculator, and
// promotes what it touched. Derived chunks of timeframes that divide a day are cached per UTC day
// like the 1-minute chunks; a write of 1-minute candles invalidates exactly the chunks of the days
// it touched, in every timeframe. Coverage (which minutes have been collected) is kept per market:
// inside it a missing minute means no trade.
//
// Thread-safe: many readers and writers may call at once. A reader never caches a chunk older than
// a write that finished before the reader's own read of L3 began.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cache/coverage.h"
#include "cache/file_tier.h"
#include "cache/memory_tier.h"
#include "cache/rocks_tier.h"
#include "timeframe/aggregate.h"
#include "timeframe/clock.h"
#include "timeframe/result.h"

namespace ck {

struct TieredStoreOptions {
  std::string data_dir;                          // required; created if missing
  size_t l1_capacity_bytes = size_t{256} << 20;  // L1 budget
  int l2_retention_days = 7;                     // days of chunks kept as L2 files, counting today
  uint64_t l2_budget_bytes = uint64_t{1} << 30;  // L2 size budget
  bool l2_enabled = true;
  std::shared_ptr<Clock> clock = SystemClock::shared();
  std::shared_ptr<spdlog::logger> logger;        // default: spdlog's default logger
};

struct StoreReadOptions {
  Fill fill = Fill::kNone;
  int64_t day_origin_ms = 0;  // for 1d and 1w
  bool closed_only = false;   // drop a last candle whose bucket is not fully covered yet
  // For a derived timeframe: keep the 1-minute chunks it is built from in L1 (while L1 is under half
  // full), so that other timeframes of the same days (a backtest's 15m, 1h, 4h) decode them once.
  // A caller that reads one timeframe only (the screener) turns it off: no memory spent on inputs.
  bool cache_inputs = true;
};

struct StoreRead {
  CandleSeries candles;  // buckets whose open time is in the range, each built from all its minutes
  bool last_closed = true;              // the last candle's bucket is fully covered
  std::vector<TimeRange> covered;       // the parts of the minute span read that are covered
  std::vector<TimeRange> missing;       // ...and that are not
};

struct TierCounters {
  uint64_t entries = 0, bytes = 0, hits = 0, misses = 0, evictions = 0;
};

struct StoreStats {
  TierCounters l1, l2, l3;
  uint64_t l2_corrupt_files = 0;
  uint64_t l1_rejected_inserts = 0;
};

class TieredStore {
 public:
  static Result<std::unique_ptr<TieredStore>> open(TieredStoreOptions options);
  ~TieredStore();

  // The market's id; with create = false an unknown market is NotFound ("market X is not stored").
  Result<uint32_t> market_id(const std::string& market, bool create);
  std::vector<MarketInfo> markets() const;

  // Reads `range` of `market` in `timeframe`: candles whose open time is in [range.from, range.to).
  Result<StoreRead> read(const std::string& market, Timeframe timeframe, TimeRange range,
                         const StoreReadOptions& options = {});

  // Upserts 1-minute candles and marks `covered` as collected, atomically (one L3 write batch,
  // synced: acknowledged means durable), then invalidates the cached chunks of the touched days.
  Status write_minutes(const std::string& market, const CandleSeries& minutes, const std::vector<TimeRange>& covered);

  // The coverage of a market (empty when it is unknown).
  Result<CoverageSet> coverage(const std::string& market);
  // The parts of `range` not yet covered.
  Result<std::vector<TimeRange>> missing(const std::string& market, const TimeRange& range);

  // Waits until every chunk a read queued for L2 is written (or found stale and skipped). Reads
  // never wait for L2: its files are written by a background thread (see cached_chunk).
  void flush_l2_writes();

  StoreStats stats() const;
  RocksTier& l3() { return *l3_; }
  FileTier* l2() { return l2_.get(); }  // null when L2 is disabled
  MemoryTier& l1() { return *l1_; }

 private:
  struct MarketState;
  explicit TieredStore(TieredStoreOptions options);
  MarketState& state(uint32_t id);
  // A chunk held for reading: pinned in L1, or owned here when L1 could not take it.
  struct ChunkRef {
    MemoryTier::Pin pin;
    std::shared_ptr<const CandleSeries> owned;
    const CandleSeries& series() const { return pin ? pin.series() : *owned; }
  };
  // The 1-minute chunk of one UTC day (possibly empty), from the cheapest tier; promotes it (into
  // L1 only when `into_l1`).
  Result<ChunkRef> minute_chunk(uint32_t id, Timestamp day, bool into_l1 = true);
  // L1, then L2, then `build`; stores what it built in L2 (recent days) and, when `into_l1`, L1.
  template <typename Build>
  Result<ChunkRef> cached_chunk(const ChunkKey& key, MarketState& st, Build&& build, bool into_l1 = true);
  // A derived chunk (timeframe divides a day) of one UTC day; built from the minute chunk on a miss.
  Result<ChunkRef> derived_chunk(uint32_t id, Timeframe tf, Timestamp day, bool cache_inputs);
  // The 1-minute candles of [span), stitched from day chunks.
  Result<CandleSeries> minutes_between(uint32_t id, TimeRange span);
  // The last close before `t` within `lookback_days` (for forward fill), if any.
  std::optional<double> close_before(uint32_t id, Timestamp t, int lookback_days);
  bool l2_wants(Timestamp day) const;
  // Queues `series` for the L2 writer; dropped when the queue is full (L2 is only a cache).
  void queue_l2_write(const ChunkKey& key, std::shared_ptr<const CandleSeries> series, uint64_t generation,
                      MarketState& st);
  void l2_writer_loop();

  TieredStoreOptions options_;
  std::unique_ptr<RocksTier> l3_;
  std::unique_ptr<FileTier> l2_;
  std::unique_ptr<MemoryTier> l1_;
  mutable std::mutex states_mu_;
  std::unordered_map<uint32_t, std::unique_ptr<MarketState>> states_;
  std::unordered_map<std::string, uint32_t> ids_;  // guarded by states_mu_
  mutable std::atomic<uint64_t> l3_hits_{0}, l3_misses_{0};

  // The L2 writer: a file write costs two fsyncs (file and directory), far more than the read that
  // produced the chunk, so reads hand their chunks to one background thread. Pending writes still
  // when the store closes are dropped (after up to 250 ms when there are at most kL2GraceJobs):
  // the data is in L3 and the next read queues them again.
  struct L2Job {
    ChunkKey key;
    std::shared_ptr<const CandleSeries> series;
    uint64_t generation;
    MarketState* state;
  };
  static constexpr size_t kMaxL2Queue = 8192;
  static constexpr size_t kL2GraceJobs = 32;
  std::mutex l2q_mu_;
  std::condition_variable l2q_cv_;       // a job arrived, or stop
  std::condition_variable l2q_idle_cv_;  // the queue drained
  std::deque<L2Job> l2q_;
  bool l2q_busy_ = false;  // the writer holds a job outside the queue
  bool l2q_stop_ = false;
  std::thread l2_writer_;
};

}  // namespace ck
