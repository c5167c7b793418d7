#include "timeframe/aggregate.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace ck {
namespace {

Timestamp at(const char* iso) {
  auto t = parse_timestamp(iso);
  EXPECT_TRUE(t) << iso;
  return t ? *t : 0;
}

Timeframe tf(const char* text) { return *Timeframe::parse(text); }

CandleSeries make(std::initializer_list<Candle> candles) {
  CandleSeries s;
  for (const Candle& c : candles) s.push_back(c);
  return s;
}

// A flat minute at `iso` with the given close and volume (value = 10 × volume).
Candle flat(const char* iso, double close, double volume = 1) {
  return Candle{at(iso), close, close, close, close, volume, 10 * volume};
}

Aggregated run(const CandleSeries& minutes, const char* timeframe, AggregateOptions options = {}) {
  auto r = aggregate(minutes, tf(timeframe), options);
  EXPECT_TRUE(r) << r.status().to_string();
  return r ? *r : Aggregated{};
}

std::string error_of(const CandleSeries& minutes) {
  auto r = aggregate(minutes, tf("15m"));
  return r ? "" : r.status().message();
}

TEST(Aggregate, FollowsTheAggregationRules) {
  CandleSeries m = make({
      Candle{at("2024-01-02T03:00:00Z"), 10, 12, 9, 11, 1.5, 15},
      Candle{at("2024-01-02T03:01:00Z"), 11, 15, 10, 14, 2.0, 28},
      Candle{at("2024-01-02T03:02:00Z"), 14, 14, 7, 8, 0.25, 2},
  });
  Aggregated a = run(m, "15m");
  ASSERT_EQ(a.candles.size(), 1u);
  EXPECT_EQ(a.candles[0], (Candle{at("2024-01-02T03:00:00Z"), 10, 15, 7, 8, 3.75, 45}));
  EXPECT_EQ(a.timeframe, tf("15m"));
}

TEST(Aggregate, LabelsABucketByItsOpenTimeEvenWhenItsFirstMinuteIsLate) {
  CandleSeries m = make({flat("2024-01-02T03:07:00Z", 5), flat("2024-01-02T03:14:00Z", 6)});
  Aggregated a = run(m, "15m");
  ASSERT_EQ(a.candles.size(), 1u);
  EXPECT_EQ(a.candles[0].time, at("2024-01-02T03:00:00Z"));
  EXPECT_EQ(a.candles[0].open, 5);
  EXPECT_EQ(a.candles[0].close, 6);
}

TEST(Aggregate, SplitsMinutesAtBucketBoundaries) {
  CandleSeries m = make({flat("2024-01-02T03:14:00Z", 1), flat("2024-01-02T03:15:00Z", 2),
                         flat("2024-01-02T03:29:00Z", 3), flat("2024-01-02T03:30:00Z", 4)});
  Aggregated a = run(m, "15m");
  ASSERT_EQ(a.candles.size(), 3u);
  EXPECT_EQ(a.candles[0].time, at("2024-01-02T03:00:00Z"));
  EXPECT_EQ(a.candles[1].time, at("2024-01-02T03:15:00Z"));
  EXPECT_EQ(a.candles[1].open, 2);
  EXPECT_EQ(a.candles[1].close, 3);
  EXPECT_EQ(a.candles[1].volume, 2);
  EXPECT_EQ(a.candles[2].time, at("2024-01-02T03:30:00Z"));
}

TEST(Aggregate, AnEmptyBucketYieldsNoCandle) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T04:10:00Z", 2)});
  Aggregated a = run(m, "15m");
  ASSERT_EQ(a.candles.size(), 2u);
  EXPECT_EQ(a.candles[0].time, at("2024-01-02T03:00:00Z"));
  EXPECT_EQ(a.candles[1].time, at("2024-01-02T04:00:00Z"));
}

TEST(Aggregate, OneMinuteTimeframeReturnsTheInput) {
  CandleSeries m = make({Candle{at("2024-01-02T03:00:00Z"), 10, 12, 9, 11, 1.5, 15},
                         Candle{at("2024-01-02T03:05:00Z"), 11, 15, 10, 14, 2.0, 28}});
  EXPECT_EQ(run(m, "1m").candles, m);
}

TEST(Aggregate, EmptyInputGivesNoCandles) {
  Aggregated a = run(CandleSeries(), "1h");
  EXPECT_TRUE(a.candles.empty());
  AggregateOptions ffill;
  ffill.fill = Fill::kForward;
  EXPECT_TRUE(run(CandleSeries(), "1h", ffill).candles.empty());
}

// Volumes are added one minute at a time in time order (the incremental aggregator's order), not
// pairwise or in any other order: 1 + 1 + 1e16 is 1e16 + 2, while 1e16 + 1 + 1 rounds to 1e16.
TEST(Aggregate, SumsAreAddedInTimeOrder) {
  CandleSeries small_first = make({flat("2024-01-02T03:00:00Z", 1, 1), flat("2024-01-02T03:01:00Z", 1, 1),
                                   flat("2024-01-02T03:02:00Z", 1, 1e16)});
  EXPECT_EQ(run(small_first, "15m").candles[0].volume, 1e16 + 2);
  CandleSeries big_first = make({flat("2024-01-02T03:00:00Z", 1, 1e16), flat("2024-01-02T03:01:00Z", 1, 1),
                                 flat("2024-01-02T03:02:00Z", 1, 1)});
  EXPECT_EQ(run(big_first, "15m").candles[0].volume, 1e16);
  // Values 1e17, 10, 10: in order (1e17 + 10) + 10 is 1e17 + 32; 1e17 + (10 + 10) would be 1e17 + 16.
  EXPECT_EQ(run(big_first, "15m").candles[0].value, (1e17 + 10.0) + 10.0);
  EXPECT_NE(run(big_first, "15m").candles[0].value, 1e17 + (10.0 + 10.0));
}

TEST(Aggregate, TheLastBucketIsOpenWhenTheInputEndsInsideIt) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T03:15:00Z", 2),
                         flat("2024-01-02T03:16:00Z", 3)});
  Aggregated a = run(m, "15m");
  ASSERT_EQ(a.candles.size(), 2u);
  EXPECT_FALSE(a.last_closed);
}

TEST(Aggregate, TheLastBucketIsClosedWhenTheInputReachesItsEnd) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T03:29:00Z", 2)});
  Aggregated a = run(m, "15m");
  ASSERT_EQ(a.candles.size(), 2u);
  EXPECT_TRUE(a.last_closed);
  EXPECT_TRUE(run(m, "1m").last_closed);
  EXPECT_FALSE(run(m, "1h").last_closed);
}

TEST(Aggregate, CoveredRangeDecidesWhetherTheLastBucketIsClosed) {
  // The exchange had no trades after 03:02, but the caller knows it collected up to 03:15.
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T03:02:00Z", 2)});
  AggregateOptions o;
  o.covered = TimeRange{at("2024-01-02T03:00:00Z"), at("2024-01-02T03:15:00Z")};
  EXPECT_TRUE(run(m, "15m", o).last_closed);
  o.covered->to = at("2024-01-02T03:14:00Z");
  EXPECT_FALSE(run(m, "15m", o).last_closed);
}

TEST(Aggregate, ForwardFillGivesEmptyBucketsThePreviousClose) {
  CandleSeries m = make({Candle{at("2024-01-02T03:00:00Z"), 10, 12, 9, 11, 1.5, 15},
                         Candle{at("2024-01-02T03:50:00Z"), 20, 22, 19, 21, 2, 40}});
  AggregateOptions o;
  o.fill = Fill::kForward;
  Aggregated a = run(m, "15m", o);
  ASSERT_EQ(a.candles.size(), 4u);
  EXPECT_EQ(a.candles[0], (Candle{at("2024-01-02T03:00:00Z"), 10, 12, 9, 11, 1.5, 15}));
  EXPECT_EQ(a.candles[1], (Candle{at("2024-01-02T03:15:00Z"), 11, 11, 11, 11, 0, 0}));
  EXPECT_EQ(a.candles[2], (Candle{at("2024-01-02T03:30:00Z"), 11, 11, 11, 11, 0, 0}));
  EXPECT_EQ(a.candles[3], (Candle{at("2024-01-02T03:45:00Z"), 20, 22, 19, 21, 2, 40}));
  EXPECT_FALSE(a.last_closed);
}

TEST(Aggregate, ForwardFillExtendsToTheEndOfTheCoveredRange) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 7)});
  AggregateOptions o;
  o.fill = Fill::kForward;
  o.covered = TimeRange{at("2024-01-02T03:00:00Z"), at("2024-01-02T04:05:00Z")};
  Aggregated a = run(m, "15m", o);
  ASSERT_EQ(a.candles.size(), 5u);  // 03:00 03:15 03:30 03:45 04:00
  EXPECT_EQ(a.candles[4], (Candle{at("2024-01-02T04:00:00Z"), 7, 7, 7, 7, 0, 0}));
  EXPECT_FALSE(a.last_closed);  // 04:00 bucket ends after 04:05
  o.covered->to = at("2024-01-02T04:00:00Z");
  a = run(m, "15m", o);
  EXPECT_EQ(a.candles.size(), 4u);
  EXPECT_TRUE(a.last_closed);
}

TEST(Aggregate, WithoutFillTheCoveredRangeAddsNoCandles) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 7)});
  AggregateOptions o;
  o.covered = TimeRange{at("2024-01-02T03:00:00Z"), at("2024-01-02T05:00:00Z")};
  Aggregated a = run(m, "15m", o);
  EXPECT_EQ(a.candles.size(), 1u);
  EXPECT_TRUE(a.last_closed);
}

TEST(Aggregate, DaysFollowTheDayOrigin) {
  // 14:59Z and 15:00Z are on either side of KST midnight.
  CandleSeries m = make({flat("2024-01-02T14:58:00Z", 1), flat("2024-01-02T14:59:00Z", 2),
                         flat("2024-01-02T15:00:00Z", 3), flat("2024-01-02T23:00:00Z", 4)});
  Aggregated utc = run(m, "1d");
  ASSERT_EQ(utc.candles.size(), 1u);
  EXPECT_EQ(utc.candles[0].time, at("2024-01-02T00:00:00Z"));
  EXPECT_EQ(utc.candles[0].volume, 4);

  AggregateOptions kst;
  kst.day_origin_ms = 15 * kHourMs;
  Aggregated a = run(m, "1d", kst);
  ASSERT_EQ(a.candles.size(), 2u);
  EXPECT_EQ(a.candles[0].time, at("2024-01-02T00:00:00+09:00"));
  EXPECT_EQ(a.candles[0].open, 1);
  EXPECT_EQ(a.candles[0].close, 2);
  EXPECT_EQ(a.candles[1].time, at("2024-01-03T00:00:00+09:00"));
  EXPECT_EQ(a.candles[1].open, 3);
  EXPECT_EQ(a.candles[1].close, 4);
}

TEST(Aggregate, WeeksStartOnMonday) {
  // 2024-01-07 is a Sunday, 2024-01-08 a Monday.
  CandleSeries m = make({flat("2024-01-03T10:00:00Z", 1), flat("2024-01-07T23:59:00Z", 2),
                         flat("2024-01-08T00:00:00Z", 3)});
  Aggregated a = run(m, "1w");
  ASSERT_EQ(a.candles.size(), 2u);
  EXPECT_EQ(a.candles[0].time, at("2024-01-01T00:00:00Z"));
  EXPECT_EQ(a.candles[0].close, 2);
  EXPECT_EQ(a.candles[1].time, at("2024-01-08T00:00:00Z"));
}

TEST(Aggregate, WorksBefore1970) {
  CandleSeries m = make({flat("1969-12-31T23:44:00Z", 1), flat("1969-12-31T23:45:00Z", 2),
                         flat("1970-01-01T00:00:00Z", 3)});
  Aggregated a = run(m, "15m");
  ASSERT_EQ(a.candles.size(), 3u);
  EXPECT_EQ(a.candles[0].time, at("1969-12-31T23:30:00Z"));
  EXPECT_EQ(a.candles[1].time, at("1969-12-31T23:45:00Z"));
  EXPECT_EQ(a.candles[2].time, 0);
  EXPECT_EQ(run(m, "1d").candles[0].time, at("1969-12-31T00:00:00Z"));
}

TEST(Aggregate, ManyTimeframesMatchOneAtATime) {
  CandleSeries m;
  double p = 100;
  for (int i = 0; i < 5000; ++i) {
    if (i % 7 == 3 || (i / 100) % 9 == 4) continue;  // gaps, some of them long
    p += (i * 7919 % 13) - 6;
    m.push_back(Candle{at("2024-01-01T00:00:00Z") + i * kMinuteMs, p, p + 3, p - 2, p + 1, 0.1 * (i % 17),
                       3.3 * (i % 5)});
  }
  const std::vector<Timeframe> frames = {tf("15m"), tf("1h"), tf("4h"), tf("1d"), tf("1w")};
  for (Fill fill : {Fill::kNone, Fill::kForward}) {
    AggregateOptions o;
    o.fill = fill;
    o.day_origin_ms = 15 * kHourMs;
    auto many = aggregate_many(m, frames, o);
    ASSERT_TRUE(many);
    ASSERT_EQ(many->size(), frames.size());
    for (size_t k = 0; k < frames.size(); ++k) {
      Aggregated one = run(m, frames[k].to_string().c_str(), o);
      EXPECT_EQ((*many)[k].timeframe, frames[k]);
      EXPECT_EQ((*many)[k].candles, one.candles) << frames[k].to_string();
      EXPECT_EQ((*many)[k].last_closed, one.last_closed);
    }
  }
}

TEST(Aggregate, RejectsTimesNotIncreasingNamingTheRow) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T03:02:00Z", 1),
                         flat("2024-01-02T03:01:00Z", 1)});
  std::string e = error_of(m);
  EXPECT_NE(e.find("row 2"), std::string::npos) << e;
  EXPECT_NE(e.find("strictly increasing"), std::string::npos) << e;
}

TEST(Aggregate, RejectsDuplicatesNamingTheRow) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T03:00:00Z", 2)});
  std::string e = error_of(m);
  EXPECT_NE(e.find("row 1"), std::string::npos) << e;
  EXPECT_NE(e.find("duplicate"), std::string::npos) << e;
}

TEST(Aggregate, RejectsHighBelowLowNamingTheRow) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), Candle{at("2024-01-02T03:01:00Z"), 5, 4, 6, 5, 1, 1}});
  std::string e = error_of(m);
  EXPECT_NE(e.find("row 1"), std::string::npos) << e;
  EXPECT_NE(e.find("below low"), std::string::npos) << e;
}

TEST(Aggregate, RejectsNegativeVolumeNamingTheRow) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T03:01:00Z", 1),
                         flat("2024-01-02T03:02:00Z", 1, -1)});
  std::string e = error_of(m);
  EXPECT_NE(e.find("row 2"), std::string::npos) << e;
  EXPECT_NE(e.find("negative volume"), std::string::npos) << e;
}

TEST(Aggregate, RejectsNaNNamingTheRow) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1),
                         flat("2024-01-02T03:01:00Z", std::numeric_limits<double>::quiet_NaN())});
  std::string e = error_of(m);
  EXPECT_NE(e.find("row 1"), std::string::npos) << e;
  EXPECT_NE(e.find("NaN"), std::string::npos) << e;
}

TEST(Aggregate, RejectsTimesOffTheMinuteNamingTheRow) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T03:01:30Z", 1)});
  std::string e = error_of(m);
  EXPECT_NE(e.find("row 1"), std::string::npos) << e;
  EXPECT_NE(e.find("minute boundary"), std::string::npos) << e;
}

// The input is validated and scanned in blocks of rows; a bad row in a late block is still found.
TEST(Aggregate, RejectsABadRowFarIntoALongSeries) {
  CandleSeries m;
  for (int64_t i = 0; i < 40000; ++i) {
    double high = i == 33000 ? 0.5 : 2.0;
    m.push_back(Candle{at("2024-01-01T00:00:00Z") + i * kMinuteMs, 1, high, 1, 1, 1, 1});
  }
  const std::vector<Timeframe> frames = {tf("15m"), tf("1h"), tf("4h"), tf("1d"), tf("1w")};
  auto r = aggregate_many(m, frames);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("row 33000: high"), std::string::npos) << r.status().message();
}

TEST(Aggregate, RejectsBadInputForEveryTimeframeOfMany) {
  CandleSeries m = make({flat("2024-01-02T03:00:00Z", 1), flat("2024-01-02T03:00:00Z", 2)});
  const std::vector<Timeframe> frames = {tf("15m"), tf("1h")};
  auto r = aggregate_many(m, frames);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(Aggregate, SkipsTheChecksWhenValidationIsOff) {
  // Only for data validated when it was stored: the checks are not run again.
  CandleSeries m = make({Candle{at("2024-01-02T03:00:00Z"), 5, 4, 6, 5, 1, 1}});
  AggregateOptions o;
  o.validate = false;
  auto r = aggregate(m, tf("15m"), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->candles.size(), 1u);
  EXPECT_FALSE(aggregate(m, tf("15m")));
}

// Without validation the caller promises sorted input; if it breaks the promise the result is
// meaningless, but the calculator still never writes outside its buffers (run under ASan).
TEST(Aggregate, UnvalidatedUnsortedInputStaysInBounds) {
  CandleSeries m = make({flat("2024-01-02T00:00:00Z", 1), flat("2024-01-02T10:00:00Z", 2),
                         flat("2024-01-02T20:00:00Z", 3), flat("2024-01-02T00:05:00Z", 4)});
  AggregateOptions o;
  o.validate = false;
  auto r = aggregate(m, tf("1h"), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->candles.size(), 3u);
}

TEST(FillForward, InsertsFlatCandlesBetweenSparseOnes) {
  TimeGrid g = tf("1h").grid();
  CandleSeries sparse = make({Candle{0, 1, 2, 0.5, 1.5, 3, 4}, Candle{3 * kHourMs, 2, 2, 2, 2, 1, 1}});
  CandleSeries filled = fill_forward(sparse, g, 5 * kHourMs + 1);
  ASSERT_EQ(filled.size(), 6u);
  EXPECT_EQ(filled[0], sparse[0]);
  EXPECT_EQ(filled[1], (Candle{kHourMs, 1.5, 1.5, 1.5, 1.5, 0, 0}));
  EXPECT_EQ(filled[2], (Candle{2 * kHourMs, 1.5, 1.5, 1.5, 1.5, 0, 0}));
  EXPECT_EQ(filled[3], sparse[1]);
  EXPECT_EQ(filled[5], (Candle{5 * kHourMs, 2, 2, 2, 2, 0, 0}));
  EXPECT_TRUE(fill_forward(CandleSeries(), g, kDayMs).empty());
}

TEST(Fill, ParsesNoneAndFfill) {
  EXPECT_EQ(*parse_fill("none"), Fill::kNone);
  EXPECT_EQ(*parse_fill("ffill"), Fill::kForward);
  EXPECT_EQ(fill_name(Fill::kForward), "ffill");
  EXPECT_EQ(fill_name(Fill::kNone), "none");
  auto bad = parse_fill("zero");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("none, ffill"), std::string::npos);
}

}  // namespace
}  // namespace ck
