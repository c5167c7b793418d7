#include "cache/tiered_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace ck {
namespace {

// Minute counts of every timeframe whose buckets nest inside UTC days; their derived chunks are
// cached per day and must be dropped when a day's minutes change.
const std::vector<uint32_t>& day_divisors() {
  static const std::vector<uint32_t> divisors = [] {
    std::vector<uint32_t> d;
    for (uint32_t m = 2; m <= 1440; ++m)
      if (1440 % m == 0) d.push_back(m);
    return d;
  }();
  return divisors;
}

bool cached_per_day(const Timeframe& tf) {
  return tf.unit() == Timeframe::Unit::kMinute && kDayMs % tf.length_ms() == 0;
}

Timestamp day_of(Timestamp t) { return floor_div(t, kDayMs) * kDayMs; }

}  // namespace

struct TieredStore::MarketState {
  // Writers hold it exclusively while they change L3, invalidate the caches and then bump `generation`.
  // A reader notes the generation before it reads L2/L3 and caches what it read only if, under the
  // shared lock, the generation is unchanged: so no reader ever caches a chunk a write replaced.
  std::shared_mutex mu;
  std::atomic<uint64_t> generation{0};
  std::mutex coverage_mu;
  bool coverage_loaded = false;
  CoverageSet coverage;
};

TieredStore::TieredStore(TieredStoreOptions options) : options_(std::move(options)) {}
TieredStore::~TieredStore() {
  if (l2_writer_.joinable()) {
    size_t dropped;
    {
      // A one-shot command's few L2 writes get a short grace period to land; a long queue (a cold
      // screener's thousands of chunks) is dropped at once rather than hold the process up.
      std::unique_lock lock(l2q_mu_);
      if (l2q_.size() <= kL2GraceJobs) {
        l2q_idle_cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return l2q_.empty() && !l2q_busy_; });
      }
      l2q_stop_ = true;
      dropped = l2q_.size();
      l2q_.clear();
    }
    l2q_cv_.notify_all();
    l2_writer_.join();
    if (dropped > 0) spdlog::debug("closing the store: {} queued L2 writes dropped (the data is in L3)", dropped);
  }
}

void TieredStore::queue_l2_write(const ChunkKey& key, std::shared_ptr<const CandleSeries> series, uint64_t generation,
                                 MarketState& st) {
  {
    std::lock_guard lock(l2q_mu_);
    if (l2q_stop_ || l2q_.size() >= kMaxL2Queue) return;
    if (!l2_writer_.joinable()) l2_writer_ = std::thread([this] { l2_writer_loop(); });
    l2q_.push_back(L2Job{key, std::move(series), generation, &st});
  }
  l2q_cv_.notify_one();
}

void TieredStore::l2_writer_loop() {
  std::unique_lock lock(l2q_mu_);
  for (;;) {
    l2q_cv_.wait(lock, [&] { return l2q_stop_ || !l2q_.empty(); });
    if (l2q_stop_) return;
    L2Job job = std::move(l2q_.front());
    l2q_.pop_front();
    l2q_busy_ = true;
    lock.unlock();
    {
      // As for L1 (see MarketState::mu): write only if no write to the market finished since the
      // chunk was read, and hold the shared lock so that none can finish during the put.
      std::shared_lock market_lock(job.state->mu);
      if (job.state->generation.load() == job.generation) {
        Status put = l2_->put(job.key, *job.series);
        if (!put) spdlog::warn("L2 put failed (served from L3 anyway): {}", put.message());
      }
    }
    job.series.reset();
    lock.lock();
    l2q_busy_ = false;
    if (l2q_.empty()) l2q_idle_cv_.notify_all();
  }
}

void TieredStore::flush_l2_writes() {
  std::unique_lock lock(l2q_mu_);
  l2q_idle_cv_.wait(lock, [&] { return l2q_stop_ || (l2q_.empty() && !l2q_busy_); });
}

Result<std::unique_ptr<TieredStore>> TieredStore::open(TieredStoreOptions options) {
  if (options.data_dir.empty()) return Status::invalid_argument("no data directory given");
  if (!options.clock) options.clock = SystemClock::shared();
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Status::io_error("cannot create data directory " + options.data_dir + ": " + ec.message());
  std::unique_ptr<TieredStore> s(new TieredStore(std::move(options)));
  RocksTierOptions ro;
  ro.path = s->options_.data_dir + "/l3";
  ro.logger = s->options_.logger;
  CK_ASSIGN_OR_RETURN(s->l3_, RocksTier::open(ro));
  if (s->options_.l2_enabled) {
    FileTierOptions fo;
    fo.dir = s->options_.data_dir;
    fo.retention_days = s->options_.l2_retention_days;
    fo.budget_bytes = s->options_.l2_budget_bytes;
    fo.clock = s->options_.clock;
    fo.logger = s->options_.logger;
    CK_ASSIGN_OR_RETURN(s->l2_, FileTier::open(fo));
  }
  MemoryTierOptions mo;
  mo.capacity_bytes = s->options_.l1_capacity_bytes;
  s->l1_ = std::make_unique<MemoryTier>(mo);
  return s;
}

Result<uint32_t> TieredStore::market_id(const std::string& market, bool create) {
  {
    std::lock_guard lock(states_mu_);
    auto it = ids_.find(market);
    if (it != ids_.end()) return it->second;
  }
  auto id = l3_->market_id(market, create);
  if (!id) {
    if (id.status().code() == StatusCode::kNotFound) {
      return Status::not_found("market " + market + " is not stored in " + options_.data_dir +
                               " (import or sync it first)");
    }
    return id.status();
  }
  std::lock_guard lock(states_mu_);
  ids_[market] = *id;
  return *id;
}

std::vector<MarketInfo> TieredStore::markets() const {
  auto m = l3_->markets();
  return m ? std::move(m).value() : std::vector<MarketInfo>{};
}

TieredStore::MarketState& TieredStore::state(uint32_t id) {
  std::lock_guard lock(states_mu_);
  auto& s = states_[id];
  if (!s) s = std::make_unique<MarketState>();
  return *s;
}

Result<CoverageSet> TieredStore::coverage(const std::string& market) {
  auto id = market_id(market, false);
  if (!id) return id.status().code() == StatusCode::kNotFound ? Result<CoverageSet>(CoverageSet{}) : id.status();
  MarketState& st = state(*id);
  std::lock_guard lock(st.coverage_mu);
  if (!st.coverage_loaded) {
    CK_ASSIGN_OR_RETURN(st.coverage, l3_->coverage(*id));
    st.coverage_loaded = true;
  }
  return st.coverage;
}

Result<std::vector<TimeRange>> TieredStore::missing(const std::string& market, const TimeRange& range) {
  CK_ASSIGN_OR_RETURN(CoverageSet cov, coverage(market));
  return cov.missing(range);
}

bool TieredStore::l2_wants(Timestamp day) const {
  if (!l2_) return false;
  Timestamp today = day_of(options_.clock->now_ms());
  return day > today - int64_t(std::max(1, options_.l2_retention_days)) * kDayMs;
}

template <typename Build>
Result<TieredStore::ChunkRef> TieredStore::cached_chunk(const ChunkKey& key, MarketState& st, Build&& build,
                                                       bool into_l1) {
  ChunkRef ref;
  ref.pin = l1_->lookup(key);
  if (ref.pin) return ref;
  const uint64_t generation = st.generation.load();
  bool recent = l2_wants(key.start);
  std::optional<CandleSeries> series;
  bool from_l2 = false;
  if (recent) {
    auto hit = l2_->get(key);
    if (hit.is_ok() && hit->has_value()) {
      series = std::move(**hit);
      from_l2 = true;
    }
  }
  if (!series) {
    CK_ASSIGN_OR_RETURN(CandleSeries built, build());
    series = std::move(built);
  }
  auto shared = std::make_shared<const CandleSeries>(std::move(*series));
  {
    // Cache only if no write to this market finished since the read began (see MarketState::mu).
    std::shared_lock lock(st.mu);
    if (st.generation.load() == generation) {
      if (recent && !from_l2 && !shared->empty()) queue_l2_write(key, shared, generation, st);
      if (into_l1) ref.pin = l1_->insert(key, shared);
    }
  }
  if (!ref.pin) ref.owned = std::move(shared);  // stale, not for L1, or L1 full of pinned data
  return ref;
}

Result<TieredStore::ChunkRef> TieredStore::minute_chunk(uint32_t id, Timestamp day, bool into_l1) {
  ChunkKey key{id, 1, 0, day};
  return cached_chunk(
      key, state(id),
      [&]() -> Result<CandleSeries> {
        auto r = l3_->read_day(id, day);
        if (r.is_ok()) (r->empty() ? l3_misses_ : l3_hits_)++;
        return r;
      },
      into_l1);
}

Result<TieredStore::ChunkRef> TieredStore::derived_chunk(uint32_t id, Timeframe tf, Timestamp day,
                                                         bool cache_inputs) {
  ChunkKey key{id, uint32_t(tf.minutes_count()), 0, day};
  return cached_chunk(key, state(id), [&]() -> Result<CandleSeries> {
    // The minute chunk is only the input here, up to 60x larger than the derived chunk the reader
    // asked for: it goes into L1 only while L1 is less than half full, so inputs never push out
    // what readers use (a screener's 200 markets x 30 days of minutes evicted its own hourly
    // chunks from a 256 MB L1: every "warm" pass re-decoded all 6,000 days from L3), while a few
    // timeframes read in turn over the same days (a backtest's 15m, 1h, 4h) decode them once.
    const bool input_into_l1 = cache_inputs && l1_->stats().bytes < l1_->capacity() / 2;
    AggregateOptions ao;
    ao.validate = false;  // validated when stored
    if (!input_into_l1 && !l2_wants(day)) {
      // An input no tier will keep: unless L1 has it, decode it into this thread's scratch series,
      // whose memory is reused — no allocation and no fresh pages per day (a cold screener reads
      // thousands of days).
      if (MemoryTier::Pin pin = l1_->lookup(ChunkKey{id, 1, 0, day})) {
        CK_ASSIGN_OR_RETURN(Aggregated a, aggregate(pin.series(), tf, ao));
        return std::move(a.candles);
      }
      thread_local CandleSeries scratch;
      CK_RETURN_IF_ERROR(l3_->read_day_into(id, day, scratch));
      (scratch.empty() ? l3_misses_ : l3_hits_)++;
      CK_ASSIGN_OR_RETURN(Aggregated a, aggregate(scratch, tf, ao));
      return std::move(a.candles);
    }
    CK_ASSIGN_OR_RETURN(ChunkRef minutes, minute_chunk(id, day, input_into_l1));
    CK_ASSIGN_OR_RETURN(Aggregated a, aggregate(minutes.series(), tf, ao));
    return std::move(a.candles);
  });
}

Result<CandleSeries> TieredStore::minutes_between(uint32_t id, TimeRange span) {
  CandleSeries out;
  for (Timestamp day = day_of(span.from); day < span.to; day += kDayMs) {
    CK_ASSIGN_OR_RETURN(ChunkRef chunk, minute_chunk(id, day));
    const CandleSeries& s = chunk.series();
    if (day >= span.from && day + kDayMs <= span.to) {
      out.append(s);
    } else {
      out.append(s.slice(span));
    }
  }
  return out;
}

std::optional<double> TieredStore::close_before(uint32_t id, Timestamp t, int lookback_days) {
  for (Timestamp day = day_of(t - 1); day > day_of(t - 1) - lookback_days * kDayMs; day -= kDayMs) {
    auto chunk = minute_chunk(id, day);
    if (!chunk) return std::nullopt;
    const CandleSeries& s = chunk->series();
    size_t i = s.lower_bound(t);
    if (i > 0) return s.close()[i - 1];
  }
  return std::nullopt;
}

Result<StoreRead> TieredStore::read(const std::string& market, Timeframe tf, TimeRange range,
                                    const StoreReadOptions& options) {
  CK_ASSIGN_OR_RETURN(uint32_t id, market_id(market, false));
  StoreRead out;
  const TimeGrid grid = tf.grid(options.day_origin_ms);
  const Timestamp first = grid.ceil(range.from);
  if (range.empty() || first >= range.to) return out;
  // The minutes behind every bucket that opens in the range.
  const TimeRange span{first, grid.floor(range.to - 1) + grid.length};
  CK_ASSIGN_OR_RETURN(CoverageSet cov, coverage(market));
  out.covered = cov.covered(span);
  out.missing = cov.missing(span);

  if (tf.is_minute() || cached_per_day(tf)) {
    for (Timestamp day = day_of(span.from); day < span.to; day += kDayMs) {
      Result<ChunkRef> chunk = tf.is_minute() ? minute_chunk(id, day) : derived_chunk(id, tf, day, options.cache_inputs);
      if (!chunk) return chunk.status();
      const CandleSeries& s = chunk->series();
      if (day >= span.from && day + kDayMs <= span.to) {
        out.candles.append(s);
      } else {
        out.candles.append(s.slice(span));
      }
    }
  } else {
    CK_ASSIGN_OR_RETURN(CandleSeries minutes, minutes_between(id, span));
    AggregateOptions ao;
    ao.validate = false;
    ao.day_origin_ms = options.day_origin_ms;
    CK_ASSIGN_OR_RETURN(Aggregated a, aggregate(minutes, tf, ao));
    out.candles = std::move(a.candles);
  }

  if (options.fill == Fill::kForward && !out.covered.empty()) {
    // Fill the buckets that are collected and empty; never invent candles where nothing was collected.
    const Timestamp until = std::min(range.to, out.covered.back().to);
    CandleSeries filled;
    size_t i = 0;
    std::optional<double> prev;
    if (out.candles.empty() || out.candles.time()[0] > first) prev = close_before(id, first, 31);
    for (Timestamp b = first; b < until; b += grid.length) {
      if (i < out.candles.size() && out.candles.time()[i] == b) {
        filled.push_back(out.candles[i]);
        prev = out.candles.close()[i];
        ++i;
      } else if (prev && cov.contains(TimeRange{b, b + grid.length}.intersect(TimeRange{b, until}))) {
        filled.push_back(Candle{b, *prev, *prev, *prev, *prev, 0.0, 0.0});
      }
    }
    for (; i < out.candles.size(); ++i) filled.push_back(out.candles[i]);
    out.candles = std::move(filled);
  }

  if (!out.candles.empty()) {
    Timestamp last = out.candles.time().back();
    out.last_closed = cov.contains(TimeRange{last, last + grid.length});
    if (options.closed_only && !out.last_closed) {
      out.candles = out.candles.slice({out.candles.time().front(), last});
      out.last_closed = true;
    }
  }
  return out;
}

Status TieredStore::write_minutes(const std::string& market, const CandleSeries& minutes,
                                  const std::vector<TimeRange>& covered) {
  CK_ASSIGN_OR_RETURN(uint32_t id, market_id(market, true));
  CK_RETURN_IF_ERROR(minutes.validate(kMinuteMs).with_context("candles for " + market));
  MarketState& st = state(id);
  std::unique_lock lock(st.mu);
  CK_RETURN_IF_ERROR(l3_->write_minutes(id, minutes, covered));
  {
    std::lock_guard cl(st.coverage_mu);
    if (st.coverage_loaded) {
      for (const auto& r : covered) st.coverage.add(r);
    }
  }
  // Drop every cached chunk built from a day whose minutes changed.
  Timestamp prev_day = INT64_MIN;
  for (Timestamp t : minutes.time()) {
    Timestamp day = day_of(t);
    if (day == prev_day) continue;
    prev_day = day;
    l1_->erase_range(id, TimeRange{day, day + kDayMs});
    if (l2_) {
      l2_->erase(ChunkKey{id, 1, 0, day});
      for (uint32_t m : day_divisors()) l2_->erase(ChunkKey{id, m, 0, day});
    }
  }
  // Last: a reader that sees the new generation must find the caches already purged. (Bumped
  // before the purge, a reader could note the new generation, then take a stale chunk from L1 or
  // L2 that was not erased yet, and cache it — or a derived chunk built from it — for good.)
  st.generation++;
  return Status::ok();
}

StoreStats TieredStore::stats() const {
  StoreStats s;
  MemoryTierStats m = l1_->stats();
  s.l1 = {m.entries, m.bytes, m.hits, m.misses, m.evictions};
  s.l1_rejected_inserts = m.rejected_inserts;
  if (l2_) {
    FileTierStats f = l2_->stats();
    s.l2 = {f.entries, f.bytes, f.hits, f.misses, f.evictions};
    s.l2_corrupt_files = f.corrupt_files;
  }
  s.l3.hits = l3_hits_;
  s.l3.misses = l3_misses_;
  auto markets = l3_->markets();
  if (markets) {
    for (const auto& mi : *markets) {
      auto ms = l3_->market_stats(mi.id);
      if (!ms) continue;
      s.l3.entries += ms->days;
      s.l3.bytes += ms->l3_bytes;
    }
  }
  return s;
}

}  // namespace ck
