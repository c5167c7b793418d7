#include "timeframe/candle_series.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace ck {
namespace {

Candle minute(int64_t i, double close = 100, double volume = 1) {
  return Candle{i * kMinuteMs, close, close + 1, close - 1, close, volume, volume * close};
}

CandleSeries series(int64_t first, int64_t count) {
  CandleSeries s;
  for (int64_t i = first; i < first + count; ++i) s.push_back(minute(i, 100.0 + double(i)));
  return s;
}

// The validation error for `s`, or "" when it is valid.
std::string error_of(const CandleSeries& s, int64_t align_ms = kMinuteMs) {
  Status st = s.validate(align_ms);
  return st ? "" : st.message();
}

TEST(CandleSeries, StoresCandlesInColumns) {
  CandleSeries s;
  EXPECT_TRUE(s.empty());
  s.push_back(Candle{60000, 1, 4, 0.5, 2, 10, 20});
  s.push_back(Candle{120000, 2, 3, 1, 2.5, 5, 12.5});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1], (Candle{120000, 2, 3, 1, 2.5, 5, 12.5}));
  EXPECT_EQ(s.back(), s[1]);
  EXPECT_EQ(s.time()[0], 60000);
  EXPECT_EQ(s.open()[0], 1);
  EXPECT_EQ(s.high()[0], 4);
  EXPECT_EQ(s.low()[0], 0.5);
  EXPECT_EQ(s.close()[1], 2.5);
  EXPECT_EQ(s.volume()[1], 5);
  EXPECT_EQ(s.value()[1], 12.5);
  s.clear();
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.time().empty() && s.value().empty());
}

TEST(CandleSeries, SliceKeepsTheHalfOpenRange) {
  CandleSeries s = series(0, 10);
  CandleSeries part = s.slice(TimeRange{2 * kMinuteMs, 5 * kMinuteMs});
  ASSERT_EQ(part.size(), 3u);
  EXPECT_EQ(part[0], s[2]);
  EXPECT_EQ(part[2], s[4]);
  EXPECT_TRUE(s.slice(TimeRange{5 * kMinuteMs, 5 * kMinuteMs}).empty());
  EXPECT_TRUE(s.slice(TimeRange{5 * kMinuteMs, 2 * kMinuteMs}).empty());
  EXPECT_EQ(s.slice(TimeRange{-kDayMs, kDayMs}), s);
  EXPECT_EQ(s.slice(TimeRange{2 * kMinuteMs + 1, 3 * kMinuteMs + 1}).size(), 1u);
}

TEST(CandleSeries, LowerBoundFindsTheFirstCandleAtOrAfter) {
  CandleSeries s = series(0, 10);
  EXPECT_EQ(s.lower_bound(-1), 0u);
  EXPECT_EQ(s.lower_bound(3 * kMinuteMs), 3u);
  EXPECT_EQ(s.lower_bound(3 * kMinuteMs + 1), 4u);
  EXPECT_EQ(s.lower_bound(kDayMs), 10u);
}

TEST(CandleSeries, AppendConcatenates) {
  CandleSeries a = series(0, 4);
  a.append(series(4, 6));
  EXPECT_EQ(a, series(0, 10));
}

TEST(CandleSeries, WellFormedSeriesValidates) {
  EXPECT_EQ(error_of(series(0, 100)), "");
  EXPECT_EQ(error_of(CandleSeries()), "");
  EXPECT_EQ(error_of(series(-100, 100)), "");  // before 1970
  CandleSeries zero;
  zero.push_back(Candle{0, 1, 1, 1, 1, 0, 0});  // no trades is fine, high == low is fine
  EXPECT_EQ(error_of(zero), "");
}

TEST(CandleSeries, RejectsTimesNotIncreasing) {
  CandleSeries s = series(0, 3);
  s.push_back(minute(1));
  std::string e = error_of(s);
  EXPECT_NE(e.find("row 3"), std::string::npos) << e;
  EXPECT_NE(e.find("strictly increasing"), std::string::npos) << e;
  EXPECT_NE(e.find("1970-01-01T00:01:00Z"), std::string::npos) << e;
}

TEST(CandleSeries, RejectsDuplicateTimes) {
  CandleSeries s = series(0, 5);
  s.push_back(minute(4));
  std::string e = error_of(s);
  EXPECT_NE(e.find("row 5"), std::string::npos) << e;
  EXPECT_NE(e.find("duplicate time 1970-01-01T00:04:00Z"), std::string::npos) << e;
}

TEST(CandleSeries, RejectsTimesOffTheAlignment) {
  CandleSeries s = series(0, 2);
  s.push_back(Candle{2 * kMinuteMs + 1000, 1, 1, 1, 1, 1, 1});
  std::string e = error_of(s);
  EXPECT_NE(e.find("row 2"), std::string::npos) << e;
  EXPECT_NE(e.find("not on a minute boundary"), std::string::npos) << e;
  EXPECT_EQ(error_of(s, 0), "");  // no alignment asked for

  CandleSeries before_epoch;
  before_epoch.push_back(Candle{-30000, 1, 1, 1, 1, 1, 1});
  EXPECT_NE(error_of(before_epoch).find("row 0"), std::string::npos);
}

TEST(CandleSeries, RejectsNaNAndInfinityInEveryField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const char* names[] = {"open", "high", "low", "close", "volume", "value"};
  for (int f = 0; f < 6; ++f) {
    for (double bad : {nan, inf}) {
      CandleSeries s = series(0, 3);
      Candle c = minute(3);
      double* fields[] = {&c.open, &c.high, &c.low, &c.close, &c.volume, &c.value};
      *fields[f] = bad;
      s.push_back(c);
      s.push_back(minute(4));
      std::string e = error_of(s);
      EXPECT_NE(e.find("row 3"), std::string::npos) << e;
      EXPECT_NE(e.find(std::string(names[f]) + (std::isnan(bad) ? " is NaN" : " is infinite")), std::string::npos)
          << e;
    }
  }
}

TEST(CandleSeries, RejectsHighBelowLow) {
  CandleSeries s = series(0, 2);
  s.push_back(Candle{2 * kMinuteMs, 10, 9, 11, 10, 1, 1});
  std::string e = error_of(s);
  EXPECT_NE(e.find("row 2"), std::string::npos) << e;
  EXPECT_NE(e.find("is below low"), std::string::npos) << e;
}

TEST(CandleSeries, RejectsNegativeVolumeAndValue) {
  CandleSeries s = series(0, 1);
  s.push_back(Candle{kMinuteMs, 10, 10, 10, 10, -0.5, 1});
  std::string e = error_of(s);
  EXPECT_NE(e.find("row 1"), std::string::npos) << e;
  EXPECT_NE(e.find("negative volume"), std::string::npos) << e;

  CandleSeries v = series(0, 1);
  v.push_back(Candle{kMinuteMs, 10, 10, 10, 10, 1, -2});
  e = error_of(v);
  EXPECT_NE(e.find("row 1"), std::string::npos) << e;
  EXPECT_NE(e.find("negative value"), std::string::npos) << e;
}

// validate() scans blocks of rows cheaply and looks closer only where something is wrong: a broken
// rule anywhere in a long series, including the first row of a block, is found and named.
TEST(CandleSeries, FindsTheBrokenRowAnywhereInALongSeries) {
  struct Case { size_t row; std::string why; };
  const Case cases[] = {{1024, "not on a minute boundary"}, {2048, "duplicate time"}, {4096, "strictly increasing"},
                        {3001, "close is NaN"},             {1500, "negative value"}, {4999, "is below low"},
                        {2047, "volume is infinite"},       {1, "open is infinite"}};
  for (const Case& c : cases) {
    CandleSeries s;
    for (size_t i = 0; i < 5000; ++i) {
      Candle m = minute(int64_t(i), 100.0 + double(i % 7), 1.0 + double(i % 3));
      if (i == c.row) {
        if (c.why == "not on a minute boundary") m.time += 1;
        if (c.why == "duplicate time") m.time -= kMinuteMs;
        if (c.why == "strictly increasing") m.time -= 2 * kMinuteMs;
        if (c.why == "close is NaN") m.close = std::nan("");
        if (c.why == "negative value") m.value = -1e-300;
        if (c.why == "is below low") m.high = m.low - 0.01;
        if (c.why == "volume is infinite") m.volume = std::numeric_limits<double>::infinity();
        if (c.why == "open is infinite") m.open = -std::numeric_limits<double>::infinity();
      }
      s.push_back(m);
    }
    std::string e = error_of(s);
    EXPECT_NE(e.find("row " + std::to_string(c.row) + ": "), std::string::npos) << c.why << ": " << e;
    EXPECT_NE(e.find(c.why), std::string::npos) << e;
  }
}

TEST(CandleSeries, ValidatesARangeOfRowsAgainstTheirPredecessors) {
  CandleSeries s = series(0, 3000);
  s.push_back(minute(2999));  // row 3000 duplicates row 2999
  s.push_back(minute(3001));
  EXPECT_TRUE(s.validate(kMinuteMs, 0, 3000));
  EXPECT_TRUE(s.validate(kMinuteMs, 3001, 3002));
  Status st = s.validate(kMinuteMs, 3000, 3001);  // the range's first row against the row before it
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("row 3000: duplicate time"), std::string::npos) << st.message();
  EXPECT_FALSE(s.validate(kMinuteMs, 2000, 3002));
  EXPECT_TRUE(s.validate(kMinuteMs, 5, 5));
}

TEST(CandleSeries, HugeFiniteValuesAndNegativeZeroAreValid) {
  CandleSeries s;
  for (int64_t i = 0; i < 3000; ++i) {
    const double big = std::numeric_limits<double>::max();
    s.push_back(Candle{i * kMinuteMs, big, big, big / 2, big, i % 2 ? big : -0.0, big});
  }
  EXPECT_EQ(error_of(s), "");
}

TEST(CandleSeries, FromColumnsTakesWholeColumns) {
  CandleSeries s = CandleSeries::from_columns({60000, 120000}, {1, 2}, {4, 3}, {0.5, 1}, {2, 2.5}, {10, 5}, {20, 12.5});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], (Candle{60000, 1, 4, 0.5, 2, 10, 20}));
  EXPECT_EQ(s[1], (Candle{120000, 2, 3, 1, 2.5, 5, 12.5}));
  EXPECT_TRUE(CandleSeries::from_columns({}, {}, {}, {}, {}, {}, {}).empty());
}

}  // namespace
}  // namespace ck
