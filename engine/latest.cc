// Engine::latest: the screener's read — the last n buckets of many markets at once.
//
// The window of a market ends at its last covered minute (coverage, not the last candle: an
// illiquid market whose last trade was hours ago still has its empty buckets up to now), so the
// answer is the same whichever tier serves it and however much older history is stored. It holds
// the last n buckets of the timeframe's grid; a bucket without trades has no candle, so a window
// may hold fewer than n candles.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "engine/engine.h"

namespace ck {
namespace {

// The buckets [first, last] of the window, or nothing when the market has no covered minute.
struct Window {
  Timestamp first = 0, last = 0;
};

std::optional<Window> window_of(const CoverageSet& cov, const TimeGrid& grid, size_t n, bool include_open) {
  if (cov.empty() || n == 0) return std::nullopt;
  const Timestamp end = cov.ranges().back().to;  // exclusive
  // The bucket holding the last covered minute; without the open one, the last bucket that ends
  // by `end` (when `end` is on the grid the two are the same bucket).
  const Timestamp last = include_open ? grid.floor(end - 1) : grid.floor(end) - grid.length;
  // Nothing is stored before the first covered bucket: clamp there, which also keeps n * length
  // from overflowing for absurd n.
  const Timestamp floor_first = grid.floor(cov.ranges().front().from);
  if (last < floor_first) return std::nullopt;
  const uint64_t span = uint64_t(last - floor_first) / uint64_t(grid.length);
  const Timestamp first = n - 1 >= span ? floor_first : last - Timestamp(n - 1) * grid.length;
  return Window{first, last};
}

// A process-wide pool of reader threads for parallel_for. The caller always works too, and waits
// only for items another thread has actually claimed: when the helpers are slow to wake (a busy
// machine, or a warm read that takes a few milliseconds in all) the caller simply does everything
// itself instead of waiting to be scheduled behind them.
class ReaderPool {
 public:
  struct Job {
    std::function<void(size_t)> fn;
    size_t count = 0;
    std::atomic<size_t> next{0};
    std::atomic<size_t> done{0};
    std::mutex mu;
    std::condition_variable finished;

    void drain() {
      for (size_t i = next++; i < count; i = next++) {
        fn(i);
        if (++done == count) {
          std::lock_guard lock(mu);
          finished.notify_all();
        }
      }
    }
  };

  static ReaderPool& instance() {
    static ReaderPool pool;
    return pool;
  }

  // Offers `job` to up to `helpers` pool threads (started on first need, at most kMaxThreads).
  void offer(const std::shared_ptr<Job>& job, size_t helpers) {
    std::lock_guard lock(mu_);
    helpers = std::min(helpers, kMaxThreads);
    while (threads_.size() < helpers) threads_.emplace_back([this] { work(); });
    for (size_t h = 0; h < helpers; ++h) queue_.push_back(job);
    wake_.notify_all();
  }
  // Drops offers of `job` no thread has taken yet.
  void withdraw(const std::shared_ptr<Job>& job) {
    std::lock_guard lock(mu_);
    std::erase(queue_, job);
  }

  ~ReaderPool() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      wake_.notify_all();
    }
    for (auto& t : threads_) t.join();
  }

 private:
  static constexpr size_t kMaxThreads = 32;

  void work() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      std::shared_ptr<Job> job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      job->drain();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::vector<std::thread> threads_;
  bool stop_ = false;
};

// Runs fn(i) for every i in [0, count), on up to `threads` threads (the caller is one of them;
// 0 = one per core). Returns when all are done.
void parallel_for(size_t count, int threads, std::function<void(size_t)> fn) {
  size_t workers = threads <= 0 ? std::max(1u, std::thread::hardware_concurrency()) : size_t(threads);
  workers = std::min(workers, count);
  if (workers <= 1) {
    for (size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  auto job = std::make_shared<ReaderPool::Job>();
  job->fn = std::move(fn);
  job->count = count;
  ReaderPool& pool = ReaderPool::instance();
  pool.offer(job, workers - 1);
  job->drain();
  pool.withdraw(job);
  std::unique_lock lock(job->mu);
  job->finished.wait(lock, [&] { return job->done.load() == count; });
}

// Collects what the windows of `markets` lack, up to now: one run for all of them, only the pages
// not covered yet. A market the exchange does not list is not fetched (NotFound unless stored); one
// whose pages failed even after retries gets Unavailable, so a screen never passes stale data off
// as fresh. An error that stopped the whole run is returned.
Status fetch_windows(Engine& engine, CandleSource& source, const std::vector<std::string>& markets,
                            const TimeGrid& grid, size_t n, std::vector<Status>& status) {
  // The last n buckets before now, plus the open one; the collector stops at the current minute.
  const Timestamp now = engine.options().clock->now_ms();
  const Timestamp open_bucket = grid.floor(now);
  const uint64_t since_epoch = uint64_t(std::max<Timestamp>(0, open_bucket)) / uint64_t(grid.length);
  const Timestamp from = n >= since_epoch ? 0 : open_bucket - Timestamp(n) * grid.length;  // no overflow

  CK_ASSIGN_OR_RETURN(std::vector<ExchangeMarket> listed, source.markets());
  std::unordered_set<std::string> names;
  for (const auto& m : listed) names.insert(m.market);
  std::vector<std::string> wanted;
  for (size_t i = 0; i < markets.size(); ++i) {
    if (names.count(markets[i])) {
      wanted.push_back(markets[i]);
    } else if (!engine.store().market_id(markets[i], false)) {
      status[i] = Status::not_found("market " + markets[i] + " is not listed by " + source.describe());
    }
  }
  if (wanted.empty()) return Status::ok();
  CK_ASSIGN_OR_RETURN(RunRecord run, engine.sync(wanted, TimeRange{from, open_bucket + grid.length}));
  if (run.status == RunStatus::kFailed && !run.error.empty()) {
    return Status::unavailable("fetching from " + source.describe() + ": " + run.error);
  }
  std::unordered_map<std::string, std::string> failed;  // market -> the first page that failed
  for (const DataQualityIssue& issue : run.issues) {
    if (issue.code == "PAGE_FAILED" || issue.code == "PAGE_OUT_OF_WINDOW") failed.emplace(issue.market, issue.detail);
  }
  for (size_t i = 0; i < markets.size(); ++i) {
    auto it = failed.find(markets[i]);
    if (it != failed.end()) {
      status[i] = Status::unavailable("fetching " + markets[i] + " from " + source.describe() + ": " + it->second);
    }
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<MarketWindow>> Engine::latest(const std::vector<std::string>& markets, Timeframe timeframe,
                                                 size_t n, const LatestOptions& options) {
  if (n == 0) return Status::invalid_argument("the number of candles must be at least 1");
  const TimeGrid grid = timeframe.grid(options.day_origin_ms);

  // Per market, why it cannot be read (set by the fetch below).
  std::vector<Status> fetch_status(markets.size());
  if (options.fetch_missing && !markets.empty()) {
    CK_RETURN_IF_ERROR(fetch_windows(*this, *source_, markets, grid, n, fetch_status));
  }

  std::vector<MarketWindow> out(markets.size());
  parallel_for(markets.size(), options.threads, [&](size_t i) {
    MarketWindow& mw = out[i];
    mw.market = markets[i];
    if (!fetch_status[i]) {
      mw.status = fetch_status[i];
      return;
    }
    auto id = store_->market_id(mw.market, false);
    if (!id) {
      mw.status = id.status();
      return;
    }
    auto cov = store_->coverage(mw.market);
    if (!cov) {
      mw.status = cov.status();
      return;
    }
    std::optional<Window> w = window_of(*cov, grid, n, options.include_open);
    if (!w) return;  // nothing covered: an empty window
    StoreReadOptions ro;
    ro.day_origin_ms = options.day_origin_ms;
    ro.closed_only = !options.include_open;
    ro.cache_inputs = false;  // one timeframe per market: its minute chunks are not read again
    auto read = store_->read(mw.market, timeframe, TimeRange{w->first, w->last + grid.length}, ro);
    if (!read) {
      mw.status = read.status();
      return;
    }
    mw.candles = std::move(read->candles);
    mw.last_closed = read->last_closed;
  });
  return out;
}

}  // namespace ck
