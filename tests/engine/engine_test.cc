#include "engine/engine.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/fake_candle_source.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

using testing::FakeCandleSource;
using testing::make_minutes;

constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z

struct EngineTest : ::testing::Test {
  testing::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kDay0 + 2 * kDayMs + 30 * kSecondMs);
  std::shared_ptr<FakeCandleSource> source = std::make_shared<FakeCandleSource>();
  std::unique_ptr<Engine> engine;

  void SetUp() override {
    source->add_market("KRW-BTC", make_minutes({kDay0 - kDayMs, kDay0 + 3 * kDayMs}, 0.95, 1));
    source->add_market("KRW-ETH", make_minutes({kDay0 - kDayMs, kDay0 + 3 * kDayMs}, 0.6, 2, 4'000'000));
    source->add_market("BTC-ETH", make_minutes({kDay0 - kDayMs, kDay0 + 3 * kDayMs}, 0.2, 3, 0.05));
    open();
  }
  void open() {
    engine.reset();
    EngineOptions o;
    o.data_dir = dir.path();
    o.clock = clock;
    o.source = source;
    o.requests_per_second = 0;
    auto e = Engine::open(o);
    ASSERT_TRUE(e) << e.status().to_string();
    engine = std::move(e).value();
  }
  CandleSeries truth(const std::string& m, TimeRange r) {
    auto page = source->minutes(m, r.to, 200);  // counts a request; callers reset afterwards
    (void)page;
    CandleSeries all = make_minutes({kDay0 - kDayMs, kDay0 + 3 * kDayMs}, m == "KRW-BTC" ? 0.95 : m == "KRW-ETH" ? 0.6 : 0.2,
                                    m == "KRW-BTC" ? 1 : m == "KRW-ETH" ? 2 : 3,
                                    m == "KRW-BTC" ? 50'000'000 : m == "KRW-ETH" ? 4'000'000 : 0.05);
    return all.slice(r);
  }
};

TEST_F(EngineTest, SyncStoresTheExchangeCandlesAndRecordsTheRun) {
  TimeRange range{kDay0, kDay0 + kDayMs};
  auto run = engine->sync({"KRW-BTC", "KRW-ETH"}, range);
  ASSERT_TRUE(run) << run.status().to_string();
  EXPECT_EQ(run->status, RunStatus::kSucceeded);
  EXPECT_EQ(run->id, 1);
  auto got = engine->get("KRW-BTC", Timeframe::minutes(1), range);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->candles, truth("KRW-BTC", range));
  auto runs = engine->runs();
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].pages, run->pages);
  EXPECT_EQ((*runs)[0].markets, (std::vector<std::string>{"KRW-BTC", "KRW-ETH"}));
  EXPECT_EQ((*runs)[0].status, RunStatus::kSucceeded);
}

TEST_F(EngineTest, GetWithFetchFetchesOnlyTheShortfallAndOnlyOnce) {
  auto first = engine->get("KRW-ETH", Timeframe::hours(1), {kDay0, kDay0 + kDayMs}, ReadOptions{true});
  ASSERT_TRUE(first) << first.status().to_string();
  EXPECT_EQ(first->candles.size(), 24u);
  int64_t requests = source->requests();
  EXPECT_GT(requests, 0);
  // The same read again: nothing to fetch.
  auto again = engine->get("KRW-ETH", Timeframe::hours(1), {kDay0, kDay0 + kDayMs}, ReadOptions{true});
  EXPECT_EQ(source->requests(), requests);
  EXPECT_EQ(again->candles, first->candles);
  // Extending the range fetches only the new day.
  ASSERT_TRUE(engine->get("KRW-ETH", Timeframe::hours(1), {kDay0, kDay0 + 2 * kDayMs}, ReadOptions{true}));
  for (auto& [key, n] : source->request_log()) EXPECT_EQ(n, 1) << format_timestamp(key.second);
}

TEST_F(EngineTest, GetWithoutFetchOfAnUnknownMarketIsNotFound) {
  auto r = engine->get("KRW-BTC", Timeframe::hours(1), {kDay0, kDay0 + kDayMs});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(source->requests(), 0);
}

TEST_F(EngineTest, ConcurrentReadersOfOverlappingRangesNeverDuplicateARequest) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      TimeRange r{kDay0 + i * 3 * kHourMs, kDay0 + kDayMs + i * kHourMs};
      auto got = engine->get("KRW-BTC", Timeframe::minutes(15), r, ReadOptions{true});
      EXPECT_TRUE(got);
    });
  }
  for (auto& t : threads) t.join();
  for (auto& [key, n] : source->request_log()) EXPECT_EQ(n, 1) << format_timestamp(key.second);
  // The union of the ranges read: [day0 00:00, day1 05:00).
  auto all = engine->get("KRW-BTC", Timeframe::minutes(1), {kDay0, kDay0 + kDayMs + 5 * kHourMs});
  EXPECT_EQ(all->candles, truth("KRW-BTC", {kDay0, kDay0 + kDayMs + 5 * kHourMs}));
}

TEST_F(EngineTest, TheStillOpenCandleIsReportedOpen) {
  auto r = engine->get("KRW-BTC", Timeframe::hours(1), {kDay0 + kDayMs, kDay0 + 3 * kDayMs}, ReadOptions{true});
  ASSERT_TRUE(r);
  // "now" is 00:00:30 on day 2: the 00:00 minute is open, the last full hour is 23:00 of day 1.
  EXPECT_EQ(r->candles.time().back(), kDay0 + 2 * kDayMs - kHourMs);
  EXPECT_TRUE(r->last_closed);
  clock->set_ms(kDay0 + 2 * kDayMs + 30 * kMinuteMs);
  auto later = engine->get("KRW-BTC", Timeframe::hours(1), {kDay0 + kDayMs, kDay0 + 3 * kDayMs}, ReadOptions{true});
  EXPECT_EQ(later->candles.time().back(), kDay0 + 2 * kDayMs);
  EXPECT_FALSE(later->last_closed);
}

TEST_F(EngineTest, RunsAndIssuesSurviveAReopen) {
  source->unavailable_rate = 0.3;
  auto run = engine->sync({"KRW-BTC"}, {kDay0, kDay0 + kDayMs});
  ASSERT_TRUE(run);
  EXPECT_GT(run->retries, 0);
  open();
  auto runs = engine->runs();
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].retries, run->retries);
  EXPECT_EQ((*runs)[0].issues.size(), run->issues.size());
  auto issues = engine->issues();
  ASSERT_TRUE(issues);
  EXPECT_EQ(issues->size(), run->issues.size());
  EXPECT_EQ((*issues)[0].code, "PAGE_RETRIED");
}

TEST_F(EngineTest, MarketSpecsResolveListsGlobsAndAll) {
  auto listed = engine->resolve_markets("KRW-ETH, KRW-BTC,KRW-ETH", true);
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, (std::vector<std::string>{"KRW-ETH", "KRW-BTC"}));
  auto krw = engine->resolve_markets("KRW-*", true);
  EXPECT_EQ(krw->size(), 2u);
  auto all = engine->resolve_markets("all", true);
  EXPECT_EQ(all->size(), 3u);
  auto none = engine->resolve_markets("USDT-*", true);
  ASSERT_FALSE(none);
  EXPECT_NE(none.status().message().find("USDT-*"), std::string::npos);
}

TEST(GlobMatch, MatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("KRW-*", "KRW-BTC"));
  EXPECT_TRUE(glob_match("*-BTC", "KRW-BTC"));
  EXPECT_TRUE(glob_match("K?W-*C", "KRW-BTC"));
  EXPECT_FALSE(glob_match("KRW-*", "BTC-KRW"));
  EXPECT_FALSE(glob_match("KRW-?", "KRW-BTC"));
}

}  // namespace
}  // namespace ck
