#include "cache/tiered_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <thread>

#include "tests/support/temp_dir.h"

namespace ck {
namespace {

constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z

// Random-walk KRW-like minutes over [range) with the given density.
CandleSeries minutes(TimeRange range, double density, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  CandleSeries s;
  double p = 90'000'000;
  for (Timestamp t = range.from; t < range.to; t += kMinuteMs) {
    if (u(rng) >= density) continue;
    double o = p;
    p = std::max(1000.0, p + std::round((u(rng) - 0.5) * 40) * 1000);
    double v = std::round(u(rng) * 1e8) / 1e8;
    s.push_back(Candle{t, o, std::max(o, p) + 1000, std::min(o, p) - 1000, p, v, std::round(v * p * 1e4) / 1e4});
  }
  return s;
}

struct TieredStoreTest : ::testing::Test {
  testing::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kDay0 + 3 * kDayMs + 5 * kMinuteMs);
  std::unique_ptr<TieredStore> store;

  void SetUp() override { reopen(); }
  void reopen() {
    store.reset();
    TieredStoreOptions o;
    o.data_dir = dir.path();
    o.clock = clock;
    o.l1_capacity_bytes = 64 << 20;
    auto s = TieredStore::open(o);
    ASSERT_TRUE(s) << s.status().to_string();
    store = std::move(s).value();
  }
  CandleSeries read(const std::string& m, const char* tf, TimeRange r, StoreReadOptions o = {}) {
    auto got = store->read(m, *Timeframe::parse(tf), r, o);
    EXPECT_TRUE(got) << got.status().to_string();
    return got ? got->candles : CandleSeries{};
  }
};

TEST_F(TieredStoreTest, ReadsBackExactlyWhatWasWrittenAcrossDayBoundaries) {
  TimeRange span{kDay0, kDay0 + 3 * kDayMs};
  CandleSeries truth = minutes(span, 0.9, 1);
  ASSERT_TRUE(store->write_minutes("KRW-BTC", truth, {span}));
  TimeRange r{kDay0 + 20 * kHourMs + 7 * kMinuteMs, kDay0 + 2 * kDayMs + 3 * kHourMs};
  EXPECT_EQ(read("KRW-BTC", "1m", r), truth.slice(r));
  EXPECT_EQ(read("KRW-BTC", "1m", span), truth);
}

TEST_F(TieredStoreTest, EveryTimeframeEqualsTheCalculatorOnTheStoredMinutes) {
  TimeRange span{kDay0, kDay0 + 3 * kDayMs};
  CandleSeries truth = minutes(span, 0.6, 2);
  ASSERT_TRUE(store->write_minutes("KRW-ETH", truth, {span}));
  for (const char* tf : {"3m", "15m", "1h", "4h", "1d", "1w"}) {
    for (int64_t origin : {int64_t(0), 15 * kHourMs}) {
      AggregateOptions ao;
      ao.day_origin_ms = origin;
      Timeframe t = *Timeframe::parse(tf);
      TimeGrid g = t.grid(origin);
      TimeRange r{g.ceil(span.from), span.to};
      // The expected buckets: those opening in r, built from every minute they hold.
      auto expected = aggregate(truth, t, ao);
      ASSERT_TRUE(expected);
      StoreReadOptions so;
      so.day_origin_ms = origin;
      CandleSeries got = read("KRW-ETH", tf, r, so);
      EXPECT_EQ(got, expected->candles.slice(r)) << tf << " origin " << origin;
    }
  }
}

TEST_F(TieredStoreTest, RepeatedReadsAreServedFromMemory) {
  TimeRange span{kDay0, kDay0 + 2 * kDayMs};
  ASSERT_TRUE(store->write_minutes("KRW-BTC", minutes(span, 1.0, 3), {span}));
  read("KRW-BTC", "1h", span);
  StoreStats first = store->stats();
  EXPECT_EQ(first.l3.hits, 2u);
  read("KRW-BTC", "1h", span);
  StoreStats second = store->stats();
  EXPECT_EQ(second.l3.hits, 2u);
  EXPECT_EQ(second.l1.hits, first.l1.hits + 2);
}

TEST_F(TieredStoreTest, ADerivedReadKeepsItsMinuteInputsInL1OnlyWhenAsked) {
  TimeRange span{kDay0 - 20 * kDayMs, kDay0 - 10 * kDayMs};  // older than L2's days: L3 only
  CandleSeries truth = minutes(span, 0.9, 7);
  ASSERT_TRUE(store->write_minutes("KRW-BTC", truth, {span}));
  auto expected = aggregate(truth, *Timeframe::parse("1h"));
  ASSERT_TRUE(expected);
  StoreReadOptions screener;
  screener.cache_inputs = false;
  EXPECT_EQ(read("KRW-BTC", "1h", span, screener), expected->candles);
  EXPECT_EQ(store->stats().l1.entries, 10u);  // the ten hourly day chunks, no minutes
  EXPECT_EQ(store->stats().l3.hits, 10u);
  // A second timeframe over the same days: the minutes come from L3 again.
  read("KRW-BTC", "4h", span, screener);
  EXPECT_EQ(store->stats().l3.hits, 20u);

  reopen();
  EXPECT_EQ(read("KRW-BTC", "1h", span), expected->candles);
  EXPECT_EQ(store->stats().l1.entries, 20u);  // hourly and minute chunks
  read("KRW-BTC", "4h", span);
  EXPECT_EQ(store->stats().l3.hits, 10u);  // the minutes were decoded once for both
}

TEST_F(TieredStoreTest, RecentDaysComeFromL2AfterARestart) {
  TimeRange span{kDay0 + 2 * kDayMs, kDay0 + 3 * kDayMs};
  CandleSeries truth = minutes(span, 1.0, 4);
  ASSERT_TRUE(store->write_minutes("KRW-BTC", truth, {span}));
  EXPECT_EQ(read("KRW-BTC", "1m", span), truth);  // L3 → promotes to L2 (in the background) and L1
  store->flush_l2_writes();
  reopen();
  EXPECT_EQ(read("KRW-BTC", "1m", span), truth);
  StoreStats s = store->stats();
  EXPECT_EQ(s.l2.hits, 1u);
  EXPECT_EQ(s.l3.hits, 0u);
}

TEST_F(TieredStoreTest, ADamagedL2FileIsDroppedAndTheDayServedFromL3) {
  TimeRange span{kDay0 + 2 * kDayMs, kDay0 + 3 * kDayMs};
  CandleSeries truth = minutes(span, 1.0, 5);
  ASSERT_TRUE(store->write_minutes("KRW-BTC", truth, {span}));
  read("KRW-BTC", "1m", span);
  store->flush_l2_writes();
  uint32_t id = *store->market_id("KRW-BTC", false);
  std::string path = store->l2()->path_of(ChunkKey{id, 1, 0, span.from});
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << path;
    f.seekp(60);
    f.put('\x5a');
  }
  reopen();
  EXPECT_EQ(read("KRW-BTC", "1m", span), truth);
  StoreStats s = store->stats();
  EXPECT_EQ(s.l2_corrupt_files, 1u);
  EXPECT_EQ(s.l3.hits, 1u);
  // ...and the file was rebuilt: the next process reads it from L2.
  store->flush_l2_writes();
  reopen();
  EXPECT_EQ(read("KRW-BTC", "1m", span), truth);
  EXPECT_EQ(store->stats().l2.hits, 1u);
}

TEST_F(TieredStoreTest, AWriteRacingTheBackgroundL2WriterNeverLeavesAStaleFile) {
  // A read queues its chunks for L2; a write to the same day right after must win, whichever of
  // the two the background writer sees first.
  TimeRange span{kDay0 + 2 * kDayMs, kDay0 + 3 * kDayMs};
  for (int round = 0; round < 20; ++round) {
    CandleSeries v1 = minutes(span, 1.0, 100 + 2 * round);
    CandleSeries v2 = minutes(span, 1.0, 101 + 2 * round);
    ASSERT_TRUE(store->write_minutes("KRW-BTC", v1, {span}));
    EXPECT_EQ(read("KRW-BTC", "1m", span), v1);
    read("KRW-BTC", "1h", span);
    ASSERT_TRUE(store->write_minutes("KRW-BTC", v2, {span}));
    store->flush_l2_writes();
    reopen();
    EXPECT_EQ(read("KRW-BTC", "1m", span), v2) << round;
    auto expected = aggregate(v2, *Timeframe::parse("1h"));
    ASSERT_TRUE(expected);
    EXPECT_EQ(read("KRW-BTC", "1h", span), expected->candles) << round;
  }
}

TEST_F(TieredStoreTest, AWriteInvalidatesTheDerivedChunksOfTheDaysItTouched) {
  TimeRange span{kDay0, kDay0 + 2 * kDayMs};
  CandleSeries truth = minutes(span, 1.0, 6);
  ASSERT_TRUE(store->write_minutes("KRW-BTC", truth, {span}));
  CandleSeries before = read("KRW-BTC", "1h", span);
  // Revise one minute of the second day: a much higher high.
  Candle c = truth[truth.lower_bound(kDay0 + kDayMs + 90 * kMinuteMs)];
  c.high = c.high * 2;
  CandleSeries update;
  update.push_back(c);
  ASSERT_TRUE(store->write_minutes("KRW-BTC", update, {}));
  uint64_t l3_before = store->stats().l3.hits;
  CandleSeries after = read("KRW-BTC", "1h", span);
  EXPECT_EQ(store->stats().l3.hits, l3_before + 1);  // only the touched day was re-read
  size_t bucket = after.lower_bound(kDay0 + kDayMs + kHourMs);
  EXPECT_EQ(after.high()[bucket], c.high);
  EXPECT_EQ(after.slice({kDay0, kDay0 + kDayMs}), before.slice({kDay0, kDay0 + kDayMs}));
}

TEST_F(TieredStoreTest, UpsertingTheSameCandlesChangesNothing) {
  TimeRange span{kDay0, kDay0 + kDayMs};
  CandleSeries truth = minutes(span, 0.5, 7);
  ASSERT_TRUE(store->write_minutes("KRW-BTC", truth, {span}));
  ASSERT_TRUE(store->write_minutes("KRW-BTC", truth, {span}));
  EXPECT_EQ(read("KRW-BTC", "1m", span), truth);
  EXPECT_EQ(store->coverage("KRW-BTC")->ranges(), std::vector<TimeRange>{span});
}

TEST_F(TieredStoreTest, TheLastCandleIsClosedOnlyWhenItsBucketIsFullyCovered) {
  TimeRange covered{kDay0, kDay0 + 10 * kHourMs + 30 * kMinuteMs};
  ASSERT_TRUE(store->write_minutes("KRW-BTC", minutes(covered, 1.0, 8), {covered}));
  auto r = store->read("KRW-BTC", Timeframe::hours(1), {kDay0, kDay0 + kDayMs});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->candles.time().back(), kDay0 + 10 * kHourMs);
  EXPECT_FALSE(r->last_closed);
  EXPECT_EQ(r->missing.front().from, covered.to);
  StoreReadOptions closed;
  closed.closed_only = true;
  auto c = store->read("KRW-BTC", Timeframe::hours(1), {kDay0, kDay0 + kDayMs}, closed);
  EXPECT_EQ(c->candles.time().back(), kDay0 + 9 * kHourMs);
  EXPECT_TRUE(c->last_closed);
}

TEST_F(TieredStoreTest, ForwardFillCoversOnlyCollectedEmptyBuckets) {
  TimeRange covered{kDay0, kDay0 + 6 * kHourMs};
  CandleSeries sparse;
  sparse.push_back(Candle{kDay0 + 5 * kMinuteMs, 10, 12, 9, 11, 1, 11});
  sparse.push_back(Candle{kDay0 + 3 * kHourMs, 11, 13, 10, 12, 2, 24});
  ASSERT_TRUE(store->write_minutes("KRW-XYZ", sparse, {covered}));
  StoreReadOptions o;
  o.fill = Fill::kForward;
  CandleSeries got = read("KRW-XYZ", "1h", {kDay0, kDay0 + 12 * kHourMs}, o);
  ASSERT_EQ(got.size(), 6u);  // 00..05h; nothing invented after the covered span
  EXPECT_EQ(got[1], (Candle{kDay0 + kHourMs, 11, 11, 11, 11, 0, 0}));
  EXPECT_EQ(got[3].close, 12);
  EXPECT_EQ(got[5], (Candle{kDay0 + 5 * kHourMs, 12, 12, 12, 12, 0, 0}));
}

TEST_F(TieredStoreTest, ForwardFillCarriesTheCloseFromBeforeTheRange) {
  TimeRange covered{kDay0, kDay0 + 2 * kDayMs};
  CandleSeries one;
  one.push_back(Candle{kDay0 + 5 * kHourMs, 10, 12, 9, 11, 1, 11});
  ASSERT_TRUE(store->write_minutes("KRW-XYZ", one, {covered}));
  StoreReadOptions o;
  o.fill = Fill::kForward;
  CandleSeries got = read("KRW-XYZ", "4h", {kDay0 + kDayMs, kDay0 + kDayMs + 8 * kHourMs}, o);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (Candle{kDay0 + kDayMs, 11, 11, 11, 11, 0, 0}));
}

TEST_F(TieredStoreTest, AnUnknownMarketIsNotFoundAndSaysSo) {
  auto r = store->read("KRW-NOPE", Timeframe::hours(1), {kDay0, kDay0 + kDayMs});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("KRW-NOPE"), std::string::npos);
}

TEST_F(TieredStoreTest, BadCandlesAreRejectedAndNothingIsStored) {
  CandleSeries bad;
  bad.push_back(Candle{kDay0, 10, 9, 11, 10, 1, 1});  // high < low
  Status st = store->write_minutes("KRW-BTC", bad, {{kDay0, kDay0 + kMinuteMs}});
  EXPECT_FALSE(st);
  EXPECT_TRUE(store->coverage("KRW-BTC")->empty());
}

TEST_F(TieredStoreTest, ConcurrentReadersSeeEitherTheOldOrTheNewDay) {
  TimeRange span{kDay0, kDay0 + kDayMs};
  CandleSeries v1 = minutes(span, 1.0, 9), v2 = minutes(span, 1.0, 10);
  ASSERT_TRUE(store->write_minutes("KRW-BTC", v1, {span}));
  auto a1 = aggregate(v1, Timeframe::hours(1)), a2 = aggregate(v2, Timeframe::hours(1));
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        auto r = store->read("KRW-BTC", Timeframe::hours(1), span);
        if (!r || (r->candles != a1->candles && r->candles != a2->candles)) ++bad;
      }
    });
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store->write_minutes("KRW-BTC", i % 2 ? v1 : v2, {}));
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad, 0);
  // The last write was v2 (i = 19 is odd → v1): whatever is cached now must be the final version.
  EXPECT_EQ(read("KRW-BTC", "1h", span), a1->candles);
}

}  // namespace
}  // namespace ck
