#include "collection/collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "collection/page_check.h"

namespace ck {

struct Collector::RunState {
  std::mutex mu;  // guards record
  RunRecord record;
  std::atomic<bool> fatal{false};
  std::atomic<bool> interrupted{false};  // stopped by cancel before all work was done
  const std::atomic<bool>* cancel = nullptr;

  bool cancelled() const { return cancel && cancel->load(); }
  std::atomic<size_t> next_market{0};
  std::atomic<size_t> markets_done{0};
  std::atomic<int64_t> pages{0}, candles{0};
  size_t markets_total = 0;
  TimeRange range;
  std::function<void(const SyncProgress&)> on_progress;

  // After every stored page and every finished market, so that a long one-market run shows progress.
  void report() {
    if (on_progress) on_progress(SyncProgress{markets_total, markets_done, pages, candles});
  }

  void add_issue(DataQualityIssue issue) {
    std::lock_guard lock(mu);
    record.issues.push_back(std::move(issue));
  }
  void add_issues(std::vector<DataQualityIssue>& issues) {
    if (issues.empty()) return;
    std::lock_guard lock(mu);
    for (auto& i : issues) record.issues.push_back(std::move(i));
  }
  void fail(const std::string& error) {
    std::lock_guard lock(mu);
    if (record.error.empty()) record.error = error;
    fatal = true;
  }
};

Collector::Collector(CandleSource& source, RateGovernor& governor, CollectionSink& sink, CollectorOptions options)
    : source_(source), governor_(governor), sink_(sink), options_(std::move(options)) {
  options_.jobs = std::max(1, options_.jobs);
  options_.page_size = std::clamp(options_.page_size, 1, 200);
}

std::mutex& Collector::market_mutex(const std::string& market) {
  std::lock_guard lock(markets_mu_);
  auto& m = market_mutexes_[market];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

RunRecord Collector::sync(const std::vector<std::string>& markets, TimeRange range, const CollectorRunOptions& control) {
  RunState run;
  run.cancel = control.cancel;
  run.on_progress = control.on_progress;
  run.record.started = options_.clock->now_ms();
  run.record.markets = markets;
  // Never past the last closed minute: the open minute is fetched again next time.
  Timestamp closed_end = floor_div(options_.clock->now_ms(), kMinuteMs) * kMinuteMs;
  range.to = std::min(range.to, closed_end);
  run.range = range;
  run.record.range = range;
  run.markets_total = markets.size();

  auto worker = [&] {
    while (!run.fatal) {
      size_t i = run.next_market++;
      if (i >= markets.size()) break;
      if (run.cancelled()) {
        run.interrupted = true;
        break;
      }
      sync_market(run, markets[i]);
      run.markets_done++;
      run.report();
    }
  };
  if (!range.empty()) {
    size_t n = std::min<size_t>(size_t(options_.jobs), markets.size());
    std::vector<std::thread> threads;
    for (size_t t = 1; t < n; ++t) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
  }

  RunRecord record = std::move(run.record);
  record.pages = run.pages;
  record.candles = run.candles;
  record.cancelled = run.interrupted;
  record.finished = options_.clock->now_ms();
  record.decide_status();
  return record;
}

void Collector::sync_market(RunState& run, const std::string& market) {
  std::lock_guard market_lock(market_mutex(market));
  auto missing = sink_.missing(market, run.range);
  if (!missing) {
    run.fail("reading coverage of " + market + ": " + missing.status().message());
    return;
  }
  std::mt19937_64 rng(options_.seed ^ std::hash<std::string>()(market));
  // Newest gap first: the most recent data is usually what the caller wants soonest.
  for (auto it = missing->rbegin(); it != missing->rend(); ++it) {
    if (!fill_gap(run, market, *it, rng)) return;
  }
}

bool Collector::fill_gap(RunState& run, const std::string& market, const TimeRange& gap, std::mt19937_64& rng) {
  Timestamp to = gap.to;
  while (to > gap.from) {
    if (run.fatal) return false;
    if (run.cancelled()) {
      run.interrupted = true;
      return false;
    }

    // Fetch one page, retrying transient failures.
    Result<MinutePage> page = Status::internal("not fetched");
    for (int attempt = 1;; ++attempt) {
      governor_.acquire();
      page = source_.minutes(market, to, options_.page_size);
      if (page.is_ok()) {
        governor_.observe_remaining(page->remaining_in_second);
        break;
      }
      const Status& st = page.status();
      if (st.code() == StatusCode::kPermissionDenied) {
        run.fail(st.message());
        return false;
      }
      if (st.code() == StatusCode::kResourceExhausted) governor_.on_too_many_requests();
      if (!retryable(st) || attempt >= options_.retry.max_attempts) break;
      {
        std::lock_guard lock(run.mu);
        run.record.retries++;
      }
      run.add_issue({"PAGE_RETRIED", Severity::kWarn, market, to, st.message()});
      options_.clock->sleep_for_ns(options_.retry.delay_ms(attempt, rng) * 1'000'000);
    }
    if (!page.is_ok()) {
      {
        std::lock_guard lock(run.mu);
        run.record.failed_pages++;
      }
      run.add_issue({"PAGE_FAILED", Severity::kError, market, to, page.status().message()});
      spdlog::warn("{}: page to={} failed: {}", market, format_timestamp(to), page.status().message());
      return true;  // this gap stays uncovered; other gaps and markets go on
    }
    run.pages++;

    const size_t returned = page->candles.size();
    Timestamp oldest = to;
    for (const Candle& c : page->candles) {
      if (c.time < to) oldest = std::min(oldest, floor_div(c.time, kMinuteMs) * kMinuteMs);
    }
    CheckedPage checked = check_page(market, std::move(page->candles), to);
    // A short page reaches back to the listing: everything in [gap.from, to) is in it.
    Timestamp proven_from = returned < size_t(options_.page_size) ? gap.from : std::max(gap.from, oldest);
    if (returned >= size_t(options_.page_size) && oldest >= to) {
      run.add_issue({"PAGE_OUT_OF_WINDOW", Severity::kError, market, to, "a full page with no candle before `to`"});
      std::lock_guard lock(run.mu);
      run.record.failed_pages++;
      return true;
    }

    // Minutes whose candle was rejected stay uncovered, so a later run asks for them again.
    std::vector<Timestamp> bad;
    for (const auto& issue : checked.issues) {
      if (issue.severity == Severity::kError) bad.push_back(floor_div(issue.time, kMinuteMs) * kMinuteMs);
    }
    std::sort(bad.begin(), bad.end());
    std::vector<TimeRange> covered;
    Timestamp cursor = proven_from;
    for (Timestamp b : bad) {
      if (b < cursor || b >= to) continue;
      if (b > cursor) covered.push_back({cursor, b});
      cursor = b + kMinuteMs;
    }
    if (cursor < to) covered.push_back({cursor, to});
    run.add_issues(checked.issues);

    CandleSeries keep = checked.candles.slice({proven_from, to});
    Status st = sink_.store(market, keep, covered);
    if (!st) {
      run.fail("storing " + market + ": " + st.message());
      return false;
    }
    run.candles += int64_t(keep.size());
    run.report();
    to = proven_from;
  }
  return true;
}

}  // namespace ck
