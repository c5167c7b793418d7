// Engine::latest (engine/latest.cc): the screener's read of the last n buckets of many markets.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "tests/support/fake_candle_source.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

using testing::FakeCandleSource;
using testing::make_minutes;

constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z

struct LatestTest : ::testing::Test {
  testing::TempDir dir;
  // "Now" for the fetch test; the other tests' windows end where their coverage ends, whatever the
  // clock says. (Set once: the rate governor's schedule does not expect the clock to go back.)
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kDay0 + 2 * kDayMs + 10 * kMinuteMs + 5 * kSecondMs);
  std::shared_ptr<FakeCandleSource> source = std::make_shared<FakeCandleSource>();
  std::unique_ptr<Engine> engine;

  void SetUp() override {
    EngineOptions o;
    o.data_dir = dir.path();
    o.clock = clock;
    o.source = source;
    o.requests_per_second = 0;
    auto e = Engine::open(o);
    ASSERT_TRUE(e) << e.status().to_string();
    engine = std::move(e).value();
  }
  // Stores the minutes of `range` (a random walk) and marks `range` covered.
  CandleSeries store(const std::string& market, TimeRange range, double density = 1.0, uint64_t seed = 1) {
    CandleSeries m = make_minutes(range, density, seed);
    Status st = engine->store().write_minutes(market, m, {range});
    EXPECT_TRUE(st) << st.to_string();
    return m;
  }
  CandleSeries get(const std::string& market, Timeframe tf, TimeRange range) {
    auto r = engine->get(market, tf, range);
    EXPECT_TRUE(r) << r.status().to_string();
    return r ? r->candles : CandleSeries{};
  }
  MarketWindow latest_one(const std::string& market, Timeframe tf, size_t n, LatestOptions o = {}) {
    auto r = engine->latest({market}, tf, n, o);
    EXPECT_TRUE(r) << r.status().to_string();
    EXPECT_EQ(r->size(), 1u);
    return r && r->size() == 1 ? (*r)[0] : MarketWindow{};
  }
};

TEST_F(LatestTest, ReturnsTheLastNClosedCandlesEndingAtTheLastCoveredMinute) {
  store("KRW-BTC", {kDay0, kDay0 + 1 * kDayMs});
  MarketWindow w = latest_one("KRW-BTC", Timeframe::hours(1), 5);
  ASSERT_TRUE(w.status) << w.status.to_string();
  EXPECT_EQ(w.market, "KRW-BTC");
  EXPECT_TRUE(w.last_closed);
  ASSERT_EQ(w.candles.size(), 5u);
  EXPECT_EQ(w.candles, get("KRW-BTC", Timeframe::hours(1), {kDay0 + kDayMs - 5 * kHourMs, kDay0 + kDayMs}));
  // The end is the coverage, not the clock ("now" is in day 2).
  EXPECT_EQ(w.candles.time().back(), kDay0 + kDayMs - kHourMs);
}

TEST_F(LatestTest, DropsTheOpenCandleUnlessAskedFor) {
  // Covered up to 00:30 of day 1: the 00:00 hour is still open.
  store("KRW-BTC", {kDay0, kDay0 + kDayMs + 30 * kMinuteMs});
  MarketWindow closed = latest_one("KRW-BTC", Timeframe::hours(1), 3);
  ASSERT_EQ(closed.candles.size(), 3u);
  EXPECT_EQ(closed.candles.time().front(), kDay0 + 21 * kHourMs);
  EXPECT_EQ(closed.candles.time().back(), kDay0 + 23 * kHourMs);
  EXPECT_TRUE(closed.last_closed);

  LatestOptions o;
  o.include_open = true;
  MarketWindow open = latest_one("KRW-BTC", Timeframe::hours(1), 3, o);
  ASSERT_EQ(open.candles.size(), 3u);
  EXPECT_EQ(open.candles.time().front(), kDay0 + 22 * kHourMs);
  EXPECT_EQ(open.candles.time().back(), kDay0 + kDayMs);
  EXPECT_FALSE(open.last_closed);
  EXPECT_EQ(open.candles, get("KRW-BTC", Timeframe::hours(1), {kDay0 + 22 * kHourMs, kDay0 + kDayMs + kHourMs}));
}

TEST_F(LatestTest, ACoverageEndOnTheGridKeepsTheLastBucket) {
  store("KRW-BTC", {kDay0, kDay0 + 6 * kHourMs});
  LatestOptions o;
  o.include_open = true;
  for (bool include_open : {false, true}) {
    o.include_open = include_open;
    MarketWindow w = latest_one("KRW-BTC", Timeframe::hours(1), 2, o);
    ASSERT_EQ(w.candles.size(), 2u);
    EXPECT_EQ(w.candles.time().back(), kDay0 + 5 * kHourMs);
    EXPECT_TRUE(w.last_closed);
  }
}

TEST_F(LatestTest, ReturnsFewerCandlesWhenFewerAreStored) {
  store("KRW-BTC", {kDay0 + 2 * kHourMs, kDay0 + 5 * kHourMs});
  MarketWindow w = latest_one("KRW-BTC", Timeframe::hours(1), 720);
  EXPECT_TRUE(w.status);
  EXPECT_EQ(w.candles, get("KRW-BTC", Timeframe::hours(1), {kDay0, kDay0 + kDayMs}));
  EXPECT_EQ(w.candles.size(), 3u);
  // Absurd n is clamped to what is stored, not an overflow.
  EXPECT_EQ(latest_one("KRW-BTC", Timeframe::week(), size_t(1) << 62).candles.size(), 0u);
  EXPECT_EQ(latest_one("KRW-BTC", Timeframe::minutes(1), size_t(1) << 62).candles.size(), 180u);
}

TEST_F(LatestTest, TheWindowIsNBucketsSoQuietBucketsLeaveItShort) {
  // Trades in about one minute out of 200: many hours have no candle at all.
  store("KRW-QUIET", {kDay0, kDay0 + 2 * kDayMs}, 0.005, 7);
  MarketWindow w = latest_one("KRW-QUIET", Timeframe::hours(1), 24);
  CandleSeries day1 = get("KRW-QUIET", Timeframe::hours(1), {kDay0 + kDayMs, kDay0 + 2 * kDayMs});
  EXPECT_EQ(w.candles, day1);
  EXPECT_LT(w.candles.size(), 24u);
  EXPECT_GT(w.candles.size(), 0u);
}

TEST_F(LatestTest, ResultsFollowTheOrderOfMarketsAndFlagUnknownOnes) {
  store("KRW-A", {kDay0, kDay0 + kDayMs}, 1.0, 1);
  store("KRW-B", {kDay0, kDay0 + 2 * kDayMs}, 1.0, 2);
  auto r = engine->latest({"KRW-B", "KRW-NOPE", "KRW-A"}, Timeframe::minutes(15), 4);
  ASSERT_TRUE(r) << r.status().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].market, "KRW-B");
  EXPECT_EQ((*r)[0].candles.time().back(), kDay0 + 2 * kDayMs - 15 * kMinuteMs);
  EXPECT_EQ((*r)[1].market, "KRW-NOPE");
  EXPECT_EQ((*r)[1].status.code(), StatusCode::kNotFound);
  EXPECT_TRUE((*r)[1].candles.empty());
  EXPECT_EQ((*r)[2].market, "KRW-A");
  EXPECT_EQ((*r)[2].candles.time().back(), kDay0 + kDayMs - 15 * kMinuteMs);
  EXPECT_EQ((*r)[2].candles.size(), 4u);
}

TEST_F(LatestTest, OneThreadAndManyGiveTheSameWindows) {
  std::vector<std::string> markets;
  for (int i = 0; i < 24; ++i) {
    markets.push_back("KRW-M" + std::to_string(i));
    store(markets.back(), {kDay0, kDay0 + kDayMs + i * kHourMs}, 0.3 + 0.02 * i, 100 + uint64_t(i));
  }
  LatestOptions one, many;
  one.threads = 1;
  many.threads = 4;
  auto a = engine->latest(markets, Timeframe::minutes(30), 20, one);
  auto b = engine->latest(markets, Timeframe::minutes(30), 20, many);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  ASSERT_EQ(a->size(), markets.size());
  for (size_t i = 0; i < markets.size(); ++i) {
    EXPECT_EQ((*a)[i].market, markets[i]);
    EXPECT_EQ((*b)[i].market, markets[i]);
    EXPECT_EQ((*a)[i].candles, (*b)[i].candles) << markets[i];
    EXPECT_EQ((*a)[i].candles.time().back(), kDay0 + kDayMs + int64_t(i) * kHourMs - 30 * kMinuteMs);
  }
}

TEST_F(LatestTest, OlderHistoryDoesNotChangeTheWindow) {
  // The same last day, once with a day of history before it and once with nine.
  CandleSeries all = make_minutes({kDay0, kDay0 + 10 * kDayMs}, 0.9, 5);
  TimeRange recent{kDay0 + 8 * kDayMs, kDay0 + 10 * kDayMs};
  ASSERT_TRUE(engine->store().write_minutes("KRW-SHORT", all.slice(recent), {recent}));
  ASSERT_TRUE(engine->store().write_minutes("KRW-LONG", all, {{kDay0, kDay0 + 10 * kDayMs}}));
  auto r = engine->latest({"KRW-SHORT", "KRW-LONG"}, Timeframe::hours(4), 6);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].candles.size(), 6u);
  EXPECT_EQ((*r)[0].candles, (*r)[1].candles);
}

TEST_F(LatestTest, DailyBucketsFollowTheDayOrigin) {
  store("KRW-BTC", {kDay0, kDay0 + 3 * kDayMs});
  LatestOptions o;
  o.day_origin_ms = 15 * kHourMs;  // KST midnight
  MarketWindow w = latest_one("KRW-BTC", Timeframe::day(), 2, o);
  ASSERT_EQ(w.candles.size(), 2u);
  // Coverage ends at 00:00Z of day 3; the last whole KST day is [day 1 15:00Z, day 2 15:00Z).
  EXPECT_EQ(w.candles.time().back(), kDay0 + kDayMs + 15 * kHourMs);
  EXPECT_EQ(w.candles.time().front(), kDay0 + 15 * kHourMs);
}

TEST_F(LatestTest, AStoredMarketWithoutCoverageHasAnEmptyWindow) {
  ASSERT_TRUE(engine->store().market_id("KRW-EMPTY", true));
  MarketWindow w = latest_one("KRW-EMPTY", Timeframe::hours(1), 10);
  EXPECT_TRUE(w.status);
  EXPECT_TRUE(w.candles.empty());
}

TEST_F(LatestTest, ZeroCandlesIsAnError) {
  auto r = engine->latest({"KRW-BTC"}, Timeframe::hours(1), 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LatestTest, FetchCollectsTheWindowUpToNowOnce) {
  source->add_market("KRW-BTC", make_minutes({kDay0, kDay0 + 3 * kDayMs}, 0.9, 3));
  source->add_market("KRW-ETH", make_minutes({kDay0, kDay0 + 3 * kDayMs}, 0.5, 4, 4'000'000));
  LatestOptions o;
  o.fetch_missing = true;
  auto r = engine->latest({"KRW-BTC", "KRW-ETH"}, Timeframe::hours(1), 10, o);
  ASSERT_TRUE(r) << r.status().to_string();
  for (const MarketWindow& w : *r) {
    ASSERT_TRUE(w.status) << w.status.to_string();
    ASSERT_EQ(w.candles.size(), 10u) << w.market;
    EXPECT_EQ(w.candles.time().back(), kDay0 + 2 * kDayMs - kHourMs);  // 00:00 of day 2 is open
    // Exactly the exchange's minutes, aggregated.
    auto truth = make_minutes({kDay0, kDay0 + 3 * kDayMs}, w.market == "KRW-BTC" ? 0.9 : 0.5,
                              w.market == "KRW-BTC" ? 3 : 4, w.market == "KRW-BTC" ? 50'000'000 : 4'000'000);
    auto hourly = aggregate(truth.slice({kDay0 + 2 * kDayMs - 10 * kHourMs, kDay0 + 2 * kDayMs}), Timeframe::hours(1));
    ASSERT_TRUE(hourly);
    EXPECT_EQ(w.candles, hourly->candles) << w.market;
  }
  // Only the window (and the open hour) was fetched, not the older history.
  auto cov = engine->store().coverage("KRW-BTC");
  ASSERT_TRUE(cov);
  ASSERT_FALSE(cov->empty());
  EXPECT_GE(cov->ranges().front().from, kDay0 + 2 * kDayMs - 11 * kHourMs);
  // Again: nothing left to fetch.
  int64_t requests = source->requests();
  ASSERT_TRUE(engine->latest({"KRW-BTC", "KRW-ETH"}, Timeframe::hours(1), 10, o));
  EXPECT_EQ(source->requests(), requests);
}

TEST_F(LatestTest, FetchOfAMarketTheExchangeDoesNotListIsNotFoundUnlessStored) {
  source->add_market("KRW-BTC", make_minutes({kDay0, kDay0 + 3 * kDayMs}, 0.9, 3));
  store("KRW-OLD", {kDay0, kDay0 + kDayMs});  // delisted: stored, no longer listed
  LatestOptions o;
  o.fetch_missing = true;
  auto r = engine->latest({"KRW-NOPE", "KRW-BTC", "KRW-OLD"}, Timeframe::hours(1), 3, o);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ((*r)[0].status.code(), StatusCode::kNotFound);
  EXPECT_EQ((*r)[0].status.message(), "market KRW-NOPE is not listed by fake://exchange");
  EXPECT_TRUE((*r)[1].status);
  EXPECT_EQ((*r)[1].candles.size(), 3u);
  EXPECT_TRUE((*r)[2].status);
  EXPECT_EQ((*r)[2].candles.time().back(), kDay0 + kDayMs - kHourMs);  // what is stored
  for (auto& [key, count] : source->request_log()) EXPECT_EQ(key.first, "KRW-BTC");
}

TEST_F(LatestTest, FetchWhosePagesFailMarksTheMarketUnavailable) {
  source->add_market("KRW-BTC", make_minutes({kDay0, kDay0 + 3 * kDayMs}, 0.9, 3));
  source->unavailable_rate = 1.0;  // every page fails, even after retries
  LatestOptions o;
  o.fetch_missing = true;
  auto r = engine->latest({"KRW-BTC"}, Timeframe::hours(1), 3, o);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ((*r)[0].status.code(), StatusCode::kUnavailable);
  EXPECT_EQ((*r)[0].status.message().rfind("fetching KRW-BTC from fake://exchange: ", 0), 0u) << (*r)[0].status.message();
}

TEST_F(LatestTest, FetchStoppedByTheExchangeIsAnError) {
  source->add_market("KRW-BTC", make_minutes({kDay0, kDay0 + 3 * kDayMs}, 0.9, 3));
  source->banned = true;
  LatestOptions o;
  o.fetch_missing = true;
  auto r = engine->latest({"KRW-BTC"}, Timeframe::hours(1), 3, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ck
