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

}  // namespace

Result<std::vector<MarketWindow>> Engine::latest(const std::vector<std::string>& markets, Timeframe timeframe,
                                                 size_t n, const LatestOptions& options) {
  if (n == 0) return Status::invalid_argument("the number of candles must be at least 1");
  const TimeGrid grid = timeframe.grid(options.day_origin_ms);

  if (options.fetch_missing && !markets.empty()) {
    // One run for all markets: the last n buckets before now, plus the open one; the collector
    // fetches only what is not covered yet and stops at the current minute.
    const Timestamp now = options_.clock->now_ms();
    const Timestamp open_bucket = grid.floor(now);
    const uint64_t since_epoch = uint64_t(std::max<Timestamp>(0, open_bucket)) / uint64_t(grid.length);
    const Timestamp from = n >= since_epoch ? 0 : open_bucket - Timestamp(n) * grid.length;  // no overflow
    auto run = sync(markets, TimeRange{from, open_bucket + grid.length});
    if (!run) return run.status();
    if (run->status == RunStatus::kFailed && !run->error.empty()) {
      return Status::unavailable("fetching from " + source_->describe() + ": " + run->error);
    }
  }

  std::vector<MarketWindow> out(markets.size());
  parallel_for(markets.size(), options.threads, [&](size_t i) {
    MarketWindow& mw = out[i];
    mw.market = markets[i];
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
