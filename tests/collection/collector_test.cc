#include "collection/collector.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/support/fake_candle_source.h"

namespace ck {
namespace {

using testing::FakeCandleSource;
using testing::make_minutes;

constexpr Timestamp kDay0 = 1704067200000;  // 2024-01-01T00:00:00Z

// A sink that keeps candles and coverage in memory; coverage is a set of covered minutes.
class MemorySink final : public CollectionSink {
 public:
  Result<std::vector<TimeRange>> missing(const std::string& market, const TimeRange& range) override {
    std::lock_guard lock(mu_);
    std::vector<TimeRange> out;
    const auto& cov = covered_[market];
    for (Timestamp t = range.from; t < range.to; t += kMinuteMs) {
      if (cov.count(t)) continue;
      if (!out.empty() && out.back().to == t) {
        out.back().to += kMinuteMs;
      } else {
        out.push_back({t, t + kMinuteMs});
      }
    }
    return out;
  }
  Status store(const std::string& market, const CandleSeries& candles, const std::vector<TimeRange>& covered) override {
    std::lock_guard lock(mu_);
    ++stores;
    for (size_t i = 0; i < candles.size(); ++i) {
      auto [it, inserted] = candles_[market].insert_or_assign(candles.time()[i], candles[i]);
      (void)it;
      if (!inserted) ++overwrites;
    }
    for (const auto& r : covered)
      for (Timestamp t = r.from; t < r.to; t += kMinuteMs) covered_[market].insert(t);
    return Status::ok();
  }
  CandleSeries series(const std::string& market) {
    std::lock_guard lock(mu_);
    CandleSeries s;
    for (auto& [t, c] : candles_[market]) s.push_back(c);
    return s;
  }
  bool covers(const std::string& market, TimeRange r) {
    std::lock_guard lock(mu_);
    for (Timestamp t = r.from; t < r.to; t += kMinuteMs)
      if (!covered_[market].count(t)) return false;
    return true;
  }
  int stores = 0;
  int overwrites = 0;

 private:
  std::mutex mu_;
  std::map<std::string, std::map<Timestamp, Candle>> candles_;
  std::map<std::string, std::set<Timestamp>> covered_;
};

// The fewest pages a backward pager can use for a gap: every full page but the last proves only
// down to its oldest candle.
int64_t minimum_pages(const CandleSeries& truth, TimeRange gap) {
  CandleSeries in = truth.slice(gap);
  int64_t k = int64_t(in.size());
  if (k > 0 && k % 200 == 0 && in.time().front() == gap.from) return k / 200;
  return k / 200 + 1;
}

struct Fixture : ::testing::Test {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kDay0 + 3 * kDayMs);
  FakeCandleSource source;
  MemorySink sink;
  RateGovernor governor{RateGovernorOptions{0}, clock};

  RunRecord sync(std::vector<std::string> markets, TimeRange range, int jobs = 2) {
    CollectorOptions o;
    o.clock = clock;
    o.jobs = jobs;
    Collector c(source, governor, sink, o);
    return c.sync(markets, range);
  }
};

TEST_F(Fixture, SyncStoresExactlyTheExchangeCandles) {
  TimeRange range{kDay0, kDay0 + kDayMs};
  CandleSeries truth = make_minutes(range, 1.0, 1);
  source.add_market("KRW-BTC", truth);
  RunRecord run = sync({"KRW-BTC"}, range);
  EXPECT_EQ(run.status, RunStatus::kSucceeded) << run.error;
  EXPECT_EQ(sink.series("KRW-BTC"), truth);
  EXPECT_TRUE(sink.covers("KRW-BTC", range));
  EXPECT_EQ(run.candles, int64_t(truth.size()));
  EXPECT_EQ(source.requests(), minimum_pages(truth, range));
  EXPECT_EQ(sink.overwrites, 0);
}

TEST_F(Fixture, ProgressIsReportedAfterEveryStoredPageNotOnlyPerMarket) {
  TimeRange range{kDay0, kDay0 + kDayMs};
  CandleSeries truth = make_minutes(range, 1.0, 2);
  source.add_market("KRW-BTC", truth);
  std::vector<SyncProgress> seen;
  CollectorOptions o;
  o.clock = clock;
  Collector c(source, governor, sink, o);
  CollectorRunOptions control;
  control.on_progress = [&](const SyncProgress& p) { seen.push_back(p); };
  RunRecord run = c.sync({"KRW-BTC"}, range, control);
  ASSERT_EQ(run.status, RunStatus::kSucceeded) << run.error;
  // One report per page while the market is running, then one when it is done.
  ASSERT_EQ(int64_t(seen.size()), run.pages + 1);
  for (size_t i = 0; i + 1 < seen.size(); ++i) {
    EXPECT_EQ(seen[i].markets_done, 0u);
    EXPECT_EQ(seen[i].pages, int64_t(i + 1));
    EXPECT_LE(seen[i].candles, seen[i + 1].candles);
  }
  EXPECT_EQ(seen.back().markets_done, 1u);
  EXPECT_EQ(seen.back().candles, int64_t(truth.size()));
}

TEST_F(Fixture, IlliquidMarketIsFullyCoveredWithTheMinimumOfPages) {
  TimeRange range{kDay0, kDay0 + 2 * kDayMs};
  CandleSeries truth = make_minutes({kDay0 - kDayMs, kDay0 + 2 * kDayMs}, 0.1, 2);
  ASSERT_GT(truth.slice(range).size(), 200u);  // more than one page, most minutes empty
  source.add_market("KRW-XYZ", truth);
  RunRecord run = sync({"KRW-XYZ"}, range);
  EXPECT_EQ(run.status, RunStatus::kSucceeded);
  EXPECT_EQ(sink.series("KRW-XYZ"), truth.slice(range));
  EXPECT_TRUE(sink.covers("KRW-XYZ", range));
  EXPECT_EQ(source.requests(), minimum_pages(truth, range));
}

TEST_F(Fixture, MarketListedInsideTheRangeEndsCoveredFromTheRangeStart) {
  TimeRange range{kDay0, kDay0 + kDayMs};
  CandleSeries truth = make_minutes({kDay0 + 10 * kHourMs, kDay0 + kDayMs}, 0.5, 3);
  source.add_market("KRW-NEW", truth);
  sync({"KRW-NEW"}, range);
  EXPECT_TRUE(sink.covers("KRW-NEW", range));
  EXPECT_EQ(sink.series("KRW-NEW"), truth);
  EXPECT_EQ(source.requests(), minimum_pages(truth, range));
}

TEST_F(Fixture, SecondIdenticalSyncMakesNoRequest) {
  TimeRange range{kDay0, kDay0 + kDayMs};
  source.add_market("KRW-BTC", make_minutes(range, 0.9, 4));
  sync({"KRW-BTC"}, range);
  source.reset_requests();
  RunRecord again = sync({"KRW-BTC"}, range);
  EXPECT_EQ(source.requests(), 0);
  EXPECT_EQ(again.pages, 0);
  EXPECT_EQ(again.status, RunStatus::kSucceeded);
}

TEST_F(Fixture, ExtendingTheRangeFetchesOnlyTheNewPart) {
  CandleSeries truth = make_minutes({kDay0, kDay0 + 2 * kDayMs}, 1.0, 5);
  source.add_market("KRW-BTC", truth);
  sync({"KRW-BTC"}, {kDay0 + kDayMs, kDay0 + 2 * kDayMs});
  source.reset_requests();
  sync({"KRW-BTC"}, {kDay0, kDay0 + 2 * kDayMs});
  EXPECT_EQ(source.requests(), minimum_pages(truth, {kDay0, kDay0 + kDayMs}));
  EXPECT_EQ(sink.series("KRW-BTC"), truth);
  for (auto& [key, n] : source.request_log()) EXPECT_EQ(n, 1) << format_timestamp(key.second);
}

TEST_F(Fixture, TheOpenMinuteIsNeverCovered) {
  TimeRange range{kDay0, kDay0 + kDayMs};
  source.add_market("KRW-BTC", make_minutes(range, 1.0, 6));
  clock->set_ms(kDay0 + 5 * kHourMs + 30 * kSecondMs);  // 05:00:30, minute 05:00 still open
  RunRecord run = sync({"KRW-BTC"}, range);
  EXPECT_EQ(run.range.to, kDay0 + 5 * kHourMs);
  EXPECT_TRUE(sink.covers("KRW-BTC", {kDay0, kDay0 + 5 * kHourMs}));
  EXPECT_FALSE(sink.covers("KRW-BTC", {kDay0 + 5 * kHourMs, kDay0 + 5 * kHourMs + kMinuteMs}));
  EXPECT_EQ(sink.series("KRW-BTC").time().back(), kDay0 + 5 * kHourMs - kMinuteMs);
}

TEST_F(Fixture, TransientFaultsAreRetriedAndTheDataIsStillExact) {
  TimeRange range{kDay0, kDay0 + 2 * kDayMs};
  CandleSeries truth = make_minutes(range, 0.8, 7);
  source.add_market("KRW-BTC", truth);
  source.add_market("KRW-ETH", make_minutes(range, 0.3, 8));
  source.unavailable_rate = 0.1;
  source.too_many_rate = 0.05;
  RunRecord run = sync({"KRW-BTC", "KRW-ETH"}, range);
  EXPECT_GT(run.retries, 0);
  EXPECT_EQ(run.failed_pages, 0);
  EXPECT_EQ(run.status, RunStatus::kPartial);  // retries are WARN issues
  EXPECT_EQ(sink.series("KRW-BTC"), truth);
  EXPECT_TRUE(sink.covers("KRW-BTC", range));
  EXPECT_EQ(sink.overwrites, 0);
}

TEST_F(Fixture, AFailedPageLeavesItsGapUncoveredForTheNextRun) {
  TimeRange range{kDay0, kDay0 + kDayMs};
  CandleSeries truth = make_minutes(range, 1.0, 9);
  source.add_market("KRW-BTC", truth);
  source.unavailable_rate = 1.0;
  RunRecord failed = sync({"KRW-BTC"}, range);
  EXPECT_EQ(failed.status, RunStatus::kFailed);
  EXPECT_EQ(failed.failed_pages, 1);
  EXPECT_FALSE(sink.covers("KRW-BTC", {kDay0 + kDayMs - kMinuteMs, kDay0 + kDayMs}));
  source.unavailable_rate = 0;
  RunRecord ok = sync({"KRW-BTC"}, range);
  EXPECT_EQ(ok.status, RunStatus::kSucceeded);
  EXPECT_EQ(sink.series("KRW-BTC"), truth);
}

TEST_F(Fixture, ABanStopsTheRunWithAnErrorThatSaysSo) {
  TimeRange range{kDay0, kDay0 + kDayMs};
  source.add_market("KRW-BTC", make_minutes(range, 1.0, 10));
  source.banned = true;
  RunRecord run = sync({"KRW-BTC"}, range);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_NE(run.error.find("banned"), std::string::npos) << run.error;
  EXPECT_EQ(source.requests(), 1);
}

TEST_F(Fixture, BadCandlesAreRecordedAndTheirMinutesStayUncovered) {
  TimeRange range{kDay0, kDay0 + 2 * kHourMs};
  CandleSeries truth = make_minutes(range, 1.0, 11);
  source.add_market("KRW-BTC", truth);
  const Timestamp bad_minute = kDay0 + kHourMs;
  source.mutate_page = [&](std::vector<Candle>& page) {
    for (Candle& c : page)
      if (c.time == bad_minute) c.high = c.low - 1;
  };
  RunRecord run = sync({"KRW-BTC"}, range);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  ASSERT_FALSE(run.issues.empty());
  EXPECT_EQ(run.issues[0].code, "INCONSISTENT_OHLC");
  EXPECT_EQ(run.issues[0].time, bad_minute);
  EXPECT_FALSE(sink.covers("KRW-BTC", {bad_minute, bad_minute + kMinuteMs}));
  EXPECT_TRUE(sink.covers("KRW-BTC", {kDay0, bad_minute}));
  EXPECT_EQ(sink.series("KRW-BTC").size(), truth.size() - 1);
}

TEST_F(Fixture, UnknownMarketFailsItsPageButNotTheOthers) {
  TimeRange range{kDay0, kDay0 + kHourMs};
  CandleSeries truth = make_minutes(range, 1.0, 12);
  source.add_market("KRW-BTC", truth);
  RunRecord run = sync({"KRW-NOPE", "KRW-BTC"}, range, 1);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_EQ(sink.series("KRW-BTC"), truth);
}

TEST_F(Fixture, ConcurrentSyncsOfOverlappingRangesNeverRequestAPageTwice) {
  CandleSeries truth = make_minutes({kDay0, kDay0 + 2 * kDayMs}, 0.9, 13);
  source.add_market("KRW-BTC", truth);
  CollectorOptions o;
  o.clock = clock;
  Collector collector(source, governor, sink, o);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] { collector.sync({"KRW-BTC"}, {kDay0, kDay0 + 2 * kDayMs}); });
  }
  for (auto& t : threads) t.join();
  for (auto& [key, n] : source.request_log()) EXPECT_EQ(n, 1) << format_timestamp(key.second);
  EXPECT_EQ(source.requests(), minimum_pages(truth, {kDay0, kDay0 + 2 * kDayMs}));
  EXPECT_EQ(sink.series("KRW-BTC"), truth);
}

TEST_F(Fixture, CancelStopsEarlyAndKeepsWhatArrived) {
  TimeRange range{kDay0, kDay0 + 2 * kDayMs};
  CandleSeries truth = make_minutes(range, 1.0, 14);
  source.add_market("KRW-BTC", truth);
  std::atomic<bool> cancel{false};
  int pages = 0;
  source.mutate_page = [&](std::vector<Candle>&) {
    if (++pages == 3) cancel = true;
  };
  CollectorOptions o;
  o.clock = clock;
  Collector c(source, governor, sink, o);
  RunRecord run = c.sync({"KRW-BTC"}, range, CollectorRunOptions{&cancel, nullptr});
  EXPECT_TRUE(run.cancelled);
  EXPECT_EQ(run.pages, 3);
  EXPECT_EQ(sink.series("KRW-BTC"), truth.slice({truth.time()[truth.size() - 600], range.to}));
  cancel = false;
  source.reset_requests();
  c.sync({"KRW-BTC"}, range);
  EXPECT_EQ(sink.series("KRW-BTC"), truth);
  for (auto& [key, n] : source.request_log()) EXPECT_EQ(n, 1) << format_timestamp(key.second);
}

}  // namespace
}  // namespace ck
