#include "timeframe/incremental.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "timeframe/aggregate.h"

namespace ck {
namespace {

Timestamp at(const char* iso) {
  auto t = parse_timestamp(iso);
  EXPECT_TRUE(t) << iso;
  return t ? *t : 0;
}

Timeframe tf(const char* text) { return *Timeframe::parse(text); }

Candle minute(const char* iso, double open, double high, double low, double close, double volume) {
  return Candle{at(iso), open, high, low, close, volume, volume * close};
}

// Equal in every bit of every field (0.0 vs -0.0 or a different rounding would fail).
::testing::AssertionResult same_bits(const Candle& a, const Candle& b) {
  const double fa[] = {a.open, a.high, a.low, a.close, a.volume, a.value};
  const double fb[] = {b.open, b.high, b.low, b.close, b.volume, b.value};
  bool same = a.time == b.time;
  for (int i = 0; i < 6; ++i) same = same && std::bit_cast<uint64_t>(fa[i]) == std::bit_cast<uint64_t>(fb[i]);
  if (same) return ::testing::AssertionSuccess();
  auto show = [](const Candle& c) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s o=%.17g h=%.17g l=%.17g c=%.17g v=%.17g q=%.17g", format_timestamp(c.time).c_str(),
                  c.open, c.high, c.low, c.close, c.volume, c.value);
    return std::string(buf);
  };
  return ::testing::AssertionFailure() << "\n  got      " << show(a) << "\n  expected " << show(b);
}

TEST(IncrementalAggregator, FirstMinuteOpensABucketLabelledByItsStart) {
  IncrementalAggregator agg(tf("15m"));
  EXPECT_FALSE(agg.current());
  auto u = agg.update(minute("2024-01-02T03:07:00Z", 10, 12, 9, 11, 2));
  ASSERT_TRUE(u) << u.status().to_string();
  EXPECT_FALSE(u->closed);
  EXPECT_EQ(u->current, (Candle{at("2024-01-02T03:00:00Z"), 10, 12, 9, 11, 2, 22}));
  EXPECT_EQ(agg.current(), u->current);
  EXPECT_EQ(agg.timeframe(), tf("15m"));
}

TEST(IncrementalAggregator, MinutesOfTheSameBucketAccumulate) {
  IncrementalAggregator agg(tf("15m"));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 2)));
  auto u = agg.update(minute("2024-01-02T03:05:00Z", 11, 15, 10, 14, 1));
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->closed);
  EXPECT_EQ(u->current, (Candle{at("2024-01-02T03:00:00Z"), 10, 15, 9, 14, 3, 36}));
}

TEST(IncrementalAggregator, ARevisionReplacesTheOpenMinute) {
  IncrementalAggregator agg(tf("1h"));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 2)));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:01:00Z", 11, 30, 1, 29, 5)));
  auto u = agg.update(minute("2024-01-02T03:01:00Z", 11, 13, 11, 12, 1));  // the exchange revised it
  ASSERT_TRUE(u);
  EXPECT_EQ(u->current, (Candle{at("2024-01-02T03:00:00Z"), 10, 13, 9, 12, 3, 34}));
  // Revising the first minute of a bucket changes its open.
  IncrementalAggregator first(tf("1h"));
  ASSERT_TRUE(first.update(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 2)));
  u = first.update(minute("2024-01-02T03:00:00Z", 8, 12, 7, 11, 4));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->current, (Candle{at("2024-01-02T03:00:00Z"), 8, 12, 7, 11, 4, 44}));
}

TEST(IncrementalAggregator, AMinuteOfALaterBucketClosesTheOpenOne) {
  IncrementalAggregator agg(tf("15m"));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 2)));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:14:00Z", 11, 11, 11, 11, 1)));
  auto u = agg.update(minute("2024-01-02T04:20:00Z", 20, 21, 19, 20, 1));  // after a gap
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->closed);
  EXPECT_EQ(*u->closed, (Candle{at("2024-01-02T03:00:00Z"), 10, 12, 9, 11, 3, 33}));
  EXPECT_EQ(u->current, (Candle{at("2024-01-02T04:15:00Z"), 20, 21, 19, 20, 1, 20}));
}

TEST(IncrementalAggregator, CloseUntilClosesTheBucketOnlyOnceItHasEnded) {
  IncrementalAggregator agg(tf("15m"));
  EXPECT_FALSE(agg.close_until(at("2030-01-01T00:00:00Z")));  // nothing open
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 2)));
  EXPECT_FALSE(agg.close_until(at("2024-01-02T03:14:59.999Z")));
  EXPECT_TRUE(agg.current());
  auto closed = agg.close_until(at("2024-01-02T03:15:00Z"));
  ASSERT_TRUE(closed);
  EXPECT_EQ(*closed, (Candle{at("2024-01-02T03:00:00Z"), 10, 12, 9, 11, 2, 22}));
  EXPECT_FALSE(agg.current());
  EXPECT_FALSE(agg.close_until(at("2024-01-02T04:00:00Z")));
  // The next minute opens a new bucket without reporting the old one again.
  auto u = agg.update(minute("2024-01-02T03:15:00Z", 1, 1, 1, 1, 1));
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->closed);
  EXPECT_EQ(u->current.time, at("2024-01-02T03:15:00Z"));
}

TEST(IncrementalAggregator, RejectsAMinuteOfABucketAlreadyClosed) {
  IncrementalAggregator agg(tf("15m"));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 2)));
  ASSERT_TRUE(agg.close_until(at("2024-01-02T03:15:00Z")));
  auto u = agg.update(minute("2024-01-02T03:14:00Z", 10, 12, 9, 11, 2));
  ASSERT_FALSE(u);
  EXPECT_NE(u.status().message().find("already closed"), std::string::npos) << u.status().message();
  EXPECT_NE(u.status().message().find("2024-01-02T03:14:00Z"), std::string::npos);
}

TEST(IncrementalAggregator, RejectsAMinuteOlderThanTheOpenBucket) {
  IncrementalAggregator agg(tf("1h"));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:05:00Z", 10, 12, 9, 11, 2)));
  auto u = agg.update(minute("2024-01-02T02:59:00Z", 10, 12, 9, 11, 2));
  ASSERT_FALSE(u);
  EXPECT_NE(u.status().message().find("older than the open bucket"), std::string::npos) << u.status().message();
  EXPECT_NE(u.status().message().find("2024-01-02T02:59:00Z"), std::string::npos);
}

TEST(IncrementalAggregator, ALateRevisionOfAnEarlierMinuteRebuildsTheBucketExactly) {
  IncrementalAggregator agg(tf("1h"));
  CandleSeries final_minutes;
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 0.1)));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:01:00Z", 11, 13, 10, 12, 0.2)));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:04:00Z", 12, 12.5, 11, 11.5, 0.3)));
  // The exchange's last word on 03:01 arrives after 03:04 started, and 03:02 is reported late.
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:01:00Z", 11, 15, 10, 14, 0.25)));
  auto u = agg.update(minute("2024-01-02T03:02:00Z", 14, 14, 8, 9, 0.7));
  ASSERT_TRUE(u) << u.status().to_string();
  final_minutes.push_back(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 0.1));
  final_minutes.push_back(minute("2024-01-02T03:01:00Z", 11, 15, 10, 14, 0.25));
  final_minutes.push_back(minute("2024-01-02T03:02:00Z", 14, 14, 8, 9, 0.7));
  final_minutes.push_back(minute("2024-01-02T03:04:00Z", 12, 12.5, 11, 11.5, 0.3));
  auto batch = aggregate(final_minutes, tf("1h"));
  ASSERT_TRUE(batch);
  EXPECT_EQ(u->current, batch->candles[0]);
  // ...and the newest minute can still be revised in O(1) afterwards.
  auto v = agg.update(minute("2024-01-02T03:04:00Z", 12, 16, 11, 15, 0.4));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->current.high, 16);
  EXPECT_EQ(v->current.close, 15);
}

TEST(IncrementalAggregator, RejectsCandlesThatBreakTheRulesNamingTheirTime) {
  struct Case { Candle c; const char* why; };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Timestamp t = at("2024-01-02T03:06:00Z");
  for (const Case& k : {Case{Candle{t + 1000, 1, 1, 1, 1, 1, 1}, "minute boundary"},
                        Case{Candle{t, nan, 1, 1, 1, 1, 1}, "NaN"},
                        Case{Candle{t, 1, 1, 1, 1, std::numeric_limits<double>::infinity(), 1}, "infinite"},
                        Case{Candle{t, 1, 1, 2, 1, 1, 1}, "high is below low"},
                        Case{Candle{t, 1, 1, 1, 1, -1, 1}, "negative volume"},
                        Case{Candle{t, 1, 1, 1, 1, 1, -1}, "negative volume or value"}}) {
    IncrementalAggregator agg(tf("15m"));
    ASSERT_TRUE(agg.update(minute("2024-01-02T03:05:00Z", 10, 12, 9, 11, 2)));
    Candle before = *agg.current();
    auto u = agg.update(k.c);
    ASSERT_FALSE(u) << k.why;
    EXPECT_NE(u.status().message().find(k.why), std::string::npos) << u.status().message();
    EXPECT_NE(u.status().message().find("2024-01-02T03:06:0"), std::string::npos) << u.status().message();
    EXPECT_EQ(*agg.current(), before) << "a rejected candle changed the open bucket";
  }
}

// --- incremental == batch, on random series -------------------------------------------------------

// One random 1-minute series: the final candles, and before each one the earlier versions the
// exchange reported for that minute while it was still open.
struct Feed {
  std::vector<Candle> finals;
  std::vector<std::vector<Candle>> revisions;  // revisions[i]: fed before finals[i]
};

Candle random_minute(std::mt19937_64& rng, Timestamp t, double& price) {
  std::normal_distribution<double> step(0.0, 0.002);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  std::uniform_real_distribution<double> exponent(-3.0, 6.0);
  double open = price;
  double close = std::round(price * (1 + step(rng)) * 100) / 100;  // prices on a 0.01 tick
  double high = std::max(open, close) + std::round(u01(rng) * 50) / 100;
  double low = std::min(open, close) - std::round(u01(rng) * 50) / 100;
  // Volumes over nine orders of magnitude, so that the order of the additions shows in the result.
  double volume = u01(rng) < 0.05 ? 0.0 : u01(rng) * std::pow(10.0, exponent(rng));
  price = close;
  return Candle{t, open, high, low, close, volume, volume * (open + close) / 2};
}

Feed random_feed(uint64_t seed, int min_count = 20, int max_count = 400) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  std::uniform_int_distribution<int> count(min_count, max_count);
  // Start anywhere from 1965 to 2035 (so some series cross or precede the epoch).
  std::uniform_int_distribution<int64_t> start(-2'600'000, 34'700'000);
  Feed f;
  Timestamp t = start(rng) * kMinuteMs;
  double price = 100 + 1000 * u01(rng);
  int n = count(rng);
  for (int i = 0; i < n; ++i) {
    double r = u01(rng);
    // Mostly consecutive minutes; short gaps; gaps of hours; now and then gaps of days and weeks.
    int64_t step = r < 0.75   ? 1
                   : r < 0.9  ? 2 + int64_t(u01(rng) * 30)
                   : r < 0.98 ? 30 + int64_t(u01(rng) * 1500)
                              : 1500 + int64_t(u01(rng) * 20000);
    if (i > 0) t += step * kMinuteMs;
    std::vector<Candle> revs;
    int n_revs = u01(rng) < 0.3 ? 1 + int(u01(rng) * 4) : 0;
    for (int k = 0; k < n_revs; ++k) {
      double p = price;
      revs.push_back(random_minute(rng, t, p));
    }
    f.revisions.push_back(std::move(revs));
    f.finals.push_back(random_minute(rng, t, price));
  }
  return f;
}

// Feeds `f` to an incremental aggregator and checks that the buckets it closes plus the one left
// open are bit for bit `want`, the batch result for the same timeframe and origin.
void expect_incremental_matches_batch(const Feed& f, const CandleSeries& finals, Timeframe timeframe, int64_t origin,
                                      const CandleSeries& want, uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed) + " timeframe " + timeframe.to_string() + " origin " +
               format_day_origin(origin));
  AggregateOptions options;
  options.day_origin_ms = origin;

  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  IncrementalAggregator agg(timeframe, origin);
  std::vector<Candle> got;
  const TimeGrid grid = timeframe.grid(origin);
  for (size_t i = 0; i < f.finals.size(); ++i) {
    for (const Candle& r : f.revisions[i]) {
      auto u = agg.update(r);
      ASSERT_TRUE(u) << u.status().to_string();
      if (u->closed) got.push_back(*u->closed);
    }
    auto u = agg.update(f.finals[i]);
    ASSERT_TRUE(u) << u.status().to_string();
    if (u->closed) got.push_back(*u->closed);
    // Now and then, check the open bucket against the batch result of the minutes so far.
    if (u01(rng) < 0.05) {
      Timestamp bucket = grid.floor(f.finals[i].time);
      CandleSeries so_far = finals.slice(TimeRange{bucket, f.finals[i].time + 1});
      auto expected = aggregate(so_far, timeframe, options);
      ASSERT_TRUE(expected);
      ASSERT_EQ(expected->candles.size(), 1u);
      ASSERT_TRUE(same_bits(u->current, expected->candles[0]));
    }
    // Now and then, time passes before the next minute arrives.
    if (u01(rng) < 0.1) {
      Timestamp now = i + 1 < f.finals.size() ? f.finals[i + 1].time : f.finals[i].time + kMinuteMs;
      if (auto closed = agg.close_until(now)) got.push_back(*closed);
    }
  }
  if (auto open = agg.current()) got.push_back(*open);

  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < got.size(); ++k) ASSERT_TRUE(same_bits(got[k], want[k])) << "bucket " << k;
}

// Batch results come from one aggregate_many call over all five timeframes (two passes of up to
// four) and from aggregate() for each alone; the incremental aggregator must match both.
TEST(IncrementalAggregator, MatchesBatchBitForBitOnRandomSeriesWithGapsAndRevisions) {
  const std::vector<Timeframe> frames = {tf("15m"), tf("1h"), tf("4h"), tf("1d"), tf("1w")};
  const int64_t origins[] = {0, 15 * kHourMs, 9 * kHourMs + 30 * kMinuteMs};
  int cases = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    Feed f = random_feed(seed);
    CandleSeries finals;
    for (const Candle& c : f.finals) finals.push_back(c);
    for (int64_t origin : origins) {
      AggregateOptions options;
      options.day_origin_ms = origin;
      auto many = aggregate_many(finals, frames, options);
      ASSERT_TRUE(many) << many.status().to_string();
      for (size_t k = 0; k < frames.size(); ++k) {
        auto alone = aggregate(finals, frames[k], options);
        ASSERT_TRUE(alone);
        expect_incremental_matches_batch(f, finals, frames[k], origin, (*many)[k].candles, seed);
        expect_incremental_matches_batch(f, finals, frames[k], origin, alone->candles, seed);
        if (HasFatalFailure()) return;
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 6000);
}

// Long series: the batch calculator takes its input in blocks of rows; buckets that straddle two
// blocks must come out the same.
TEST(IncrementalAggregator, MatchesBatchOnLongSeries) {
  const std::vector<Timeframe> frames = {tf("15m"), tf("1h"), tf("4h"), tf("1d"), tf("1w")};
  for (uint64_t seed = 1001; seed <= 1003; ++seed) {
    Feed f = random_feed(seed, 60000, 80000);
    CandleSeries finals;
    for (const Candle& c : f.finals) finals.push_back(c);
    AggregateOptions options;
    options.day_origin_ms = 15 * kHourMs;
    auto many = aggregate_many(finals, frames, options);
    ASSERT_TRUE(many) << many.status().to_string();
    for (size_t k = 0; k < frames.size(); ++k) {
      expect_incremental_matches_batch(f, finals, frames[k], options.day_origin_ms, (*many)[k].candles, seed);
      if (HasFatalFailure()) return;
    }
  }
}

// Equal values with different bits: max and min keep the first of equal values, in both.
TEST(IncrementalAggregator, MatchesBatchOnSignedZeros) {
  const double values[] = {0.0, -0.0};
  CandleSeries minutes;
  for (int i = 0; i < 64; ++i) {
    const double high = values[(i / 2) % 2], low = values[(i / 3) % 2];
    minutes.push_back(Candle{i * kMinuteMs, high, high, low, low, values[i % 2], values[(i / 5) % 2]});
  }
  for (const char* frame : {"3m", "5m", "15m", "1h"}) {
    auto batch = aggregate(minutes, tf(frame));
    ASSERT_TRUE(batch);
    IncrementalAggregator agg(tf(frame));
    std::vector<Candle> got;
    for (size_t i = 0; i < minutes.size(); ++i) {
      auto u = agg.update(minutes[i]);
      ASSERT_TRUE(u);
      if (u->closed) got.push_back(*u->closed);
    }
    got.push_back(*agg.current());
    ASSERT_EQ(got.size(), batch->candles.size());
    for (size_t k = 0; k < got.size(); ++k) EXPECT_TRUE(same_bits(got[k], batch->candles[k])) << frame;
  }
}

TEST(IncrementalAggregator, OneMinuteTimeframeReportsEachMinute) {
  IncrementalAggregator agg(tf("1m"));
  ASSERT_TRUE(agg.update(minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 2)));
  auto u = agg.update(minute("2024-01-02T03:01:00Z", 11, 13, 10, 12, 1));
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->closed);
  EXPECT_EQ(*u->closed, minute("2024-01-02T03:00:00Z", 10, 12, 9, 11, 2));
  EXPECT_EQ(u->current, minute("2024-01-02T03:01:00Z", 11, 13, 10, 12, 1));
}

}  // namespace
}  // namespace ck
