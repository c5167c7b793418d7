#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "collection/upbit_source.h"
#include "collection/polling_feed.h"
#include "collection/websocket_feed.h"
#include "engine/live_hub.h"
#include "engine/run_log.h"

namespace ck {

// The collector's view of the store.
class Engine::StoreSink final : public CollectionSink {
 public:
  explicit StoreSink(TieredStore& store) : store_(store) {}
  Result<std::vector<TimeRange>> missing(const std::string& market, const TimeRange& range) override {
    return store_.missing(market, range);
  }
  Status store(const std::string& market, const CandleSeries& candles, const std::vector<TimeRange>& covered) override {
    return store_.write_minutes(market, candles, covered);
  }

 private:
  TieredStore& store_;
};

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative matcher with backtracking to the last '*'.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

Engine::Engine(EngineOptions options) : options_(std::move(options)) {}
Engine::~Engine() {
  // Live subscriptions sync through the collector: stop them before anything else goes.
  live_.reset();
}

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
  if (options.data_dir.empty()) return Status::invalid_argument("no data directory given (--data DIR)");
  if (!options.clock) options.clock = SystemClock::shared();
  std::unique_ptr<Engine> e(new Engine(std::move(options)));
  const EngineOptions& o = e->options_;
  TieredStoreOptions so;
  so.data_dir = o.data_dir;
  so.l1_capacity_bytes = o.l1_capacity_bytes;
  so.l2_retention_days = o.l2_retention_days;
  so.l2_budget_bytes = o.l2_budget_bytes;
  so.clock = o.clock;
  so.logger = o.logger;
  CK_ASSIGN_OR_RETURN(e->store_, TieredStore::open(so));
  e->source_ = o.source;
  if (!e->source_) e->source_ = std::make_shared<UpbitSource>(UpbitSourceOptions{o.exchange_url, {}});
  e->governor_ = std::make_unique<RateGovernor>(RateGovernorOptions{o.requests_per_second}, o.clock);
  e->sink_ = std::make_unique<StoreSink>(*e->store_);
  CollectorOptions co;
  co.jobs = o.jobs;
  co.retry = o.retry;
  co.clock = o.clock;
  e->collector_ = std::make_unique<Collector>(*e->source_, *e->governor_, *e->sink_, co);
  return e;
}

Result<RunRecord> Engine::sync(const std::vector<std::string>& markets, TimeRange range, const SyncOptions& options) {
  if (range.empty()) return Status::invalid_argument("empty range " + range.to_string());
  for (const auto& m : markets) CK_RETURN_IF_ERROR(store_->market_id(m, true).status());
  RunRecord record = collector_->sync(markets, range, CollectorRunOptions{options.cancel, options.on_progress});
  if (options.record) CK_RETURN_IF_ERROR(save_run(record));
  return record;
}

Status Engine::save_run(RunRecord& record) {
  std::lock_guard lock(run_id_mu_);
  return RunLog(store_->l3()).append(record);
}

Result<StoreRead> Engine::get(const std::string& market, Timeframe timeframe, TimeRange range,
                              const ReadOptions& options) {
  if (range.empty()) {
    return Status::invalid_argument("from " + format_timestamp(range.from) + " is not before to " +
                                    format_timestamp(range.to));
  }
  if (options.fetch_missing) {
    // The minutes behind the buckets that open in the range.
    TimeGrid grid = timeframe.grid(options.day_origin_ms);
    TimeRange minutes{grid.ceil(range.from), grid.floor(range.to - 1) + grid.length};
    if (!minutes.empty()) {
      auto run = sync({market}, minutes);
      if (!run) return run.status();
      if (run->status == RunStatus::kFailed && !run->error.empty()) {
        return Status::unavailable("fetching " + market + " from " + source_->describe() + ": " + run->error);
      }
    }
  } else {
    CK_RETURN_IF_ERROR(store_->market_id(market, false).status());
  }
  StoreReadOptions so;
  so.fill = options.fill;
  so.day_origin_ms = options.day_origin_ms;
  so.closed_only = options.closed_only;
  return store_->read(market, timeframe, range, so);
}

std::vector<MarketInfo> Engine::markets() const { return store_->markets(); }

Result<std::vector<ExchangeMarket>> Engine::exchange_markets() { return source_->markets(); }

Result<std::vector<std::string>> Engine::resolve_markets(const std::string& spec, bool use_exchange) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::vector<std::string> universe;
  bool universe_loaded = false;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    bool pattern = item == "all" || item.find_first_of("*?") != std::string::npos;
    if (!pattern) {
      if (seen.insert(item).second) out.push_back(item);
      continue;
    }
    if (!universe_loaded) {
      if (use_exchange) {
        CK_ASSIGN_OR_RETURN(auto ms, source_->markets());
        for (auto& m : ms) universe.push_back(m.market);
      } else {
        for (auto& m : store_->markets()) universe.push_back(m.name);
      }
      universe_loaded = true;
    }
    size_t matched = 0;
    for (const auto& name : universe) {
      if (item == "all" || glob_match(item, name)) {
        ++matched;
        if (seen.insert(name).second) out.push_back(name);
      }
    }
    if (matched == 0) return Status::invalid_argument("no market matches '" + item + "'");
  }
  if (out.empty()) return Status::invalid_argument("no markets given (expected A,B, all, or a pattern like KRW-*)");
  return out;
}

Result<std::vector<RunRecord>> Engine::runs() { return RunLog(store_->l3()).runs(); }

Result<std::vector<DataQualityIssue>> Engine::issues() { return RunLog(store_->l3()).issues(); }

StoreStats Engine::stats() const { return store_->stats(); }

Result<std::unique_ptr<Subscription>> Engine::subscribe(const std::vector<std::string>& markets,
                                                        const std::vector<Timeframe>& timeframes,
                                                        LiveCallback callback) {
  std::lock_guard lock(live_mu_);
  if (!live_) {
    LiveHub::FeedFactory factory = options_.live_feed_factory;
    if (!factory) {
      if (options_.live.feed == LiveFeedKind::kPolling) {
        factory = [this]() -> std::unique_ptr<MinuteFeed> {
          PollingFeedOptions po;
          po.clock = options_.clock;
          return std::make_unique<PollingFeed>(*source_, *governor_, po);
        };
      } else {
        factory = [this]() -> std::unique_ptr<MinuteFeed> {
          WebSocketFeedOptions wo;
          wo.base_url = options_.exchange_url;
          wo.clock = options_.clock;
          return std::make_unique<WebSocketFeed>(wo);
        };
      }
    }
    live_ = std::make_unique<LiveHub>(*this, std::move(factory), options_.live);
  }
  return live_->subscribe(markets, timeframes, std::move(callback));
}

}  // namespace ck
