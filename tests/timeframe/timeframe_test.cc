#include "timeframe/timeframe.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace ck {
namespace {

Timestamp at(const char* iso) {
  auto t = parse_timestamp(iso);
  EXPECT_TRUE(t) << iso;
  return t ? *t : 0;
}

Timeframe tf(const char* text) {
  auto t = Timeframe::parse(text);
  EXPECT_TRUE(t) << text << ": " << t.status().to_string();
  return t ? *t : Timeframe();
}

TEST(Timeframe, ParsesTheStandardTimeframes) {
  struct Case { const char* text; int64_t length; };
  for (Case c : {Case{"1m", kMinuteMs}, {"3m", 3 * kMinuteMs}, {"5m", 5 * kMinuteMs}, {"10m", 10 * kMinuteMs},
                 {"15m", 15 * kMinuteMs}, {"30m", 30 * kMinuteMs}, {"1h", kHourMs}, {"4h", 4 * kHourMs},
                 {"1d", kDayMs}, {"1w", kWeekMs}}) {
    Timeframe t = tf(c.text);
    EXPECT_EQ(t.length_ms(), c.length) << c.text;
    EXPECT_EQ(t.to_string(), c.text);
    EXPECT_EQ(t.minutes_count(), c.length / kMinuteMs) << c.text;
  }
  EXPECT_TRUE(tf("1m").is_minute());
  EXPECT_FALSE(tf("3m").is_minute());
  EXPECT_EQ(tf("1d").unit(), Timeframe::Unit::kDay);
  EXPECT_EQ(tf("1w").unit(), Timeframe::Unit::kWeek);
}

TEST(Timeframe, ParsesAnyMinuteOrHourCountThatDividesADay) {
  EXPECT_EQ(tf("2m").length_ms(), 2 * kMinuteMs);
  EXPECT_EQ(tf("20m").length_ms(), 20 * kMinuteMs);
  EXPECT_EQ(tf("45m").length_ms(), 45 * kMinuteMs);
  EXPECT_EQ(tf("720m").length_ms(), 12 * kHourMs);
  EXPECT_EQ(tf("2h").length_ms(), 2 * kHourMs);
  EXPECT_EQ(tf("12h").length_ms(), 12 * kHourMs);
  EXPECT_EQ(tf("1440m").length_ms(), kDayMs);
}

TEST(Timeframe, MinuteAndHourSpellingsOfTheSameLengthAreEqual) {
  EXPECT_EQ(tf("60m"), tf("1h"));
  EXPECT_EQ(tf("240m"), tf("4h"));
  EXPECT_EQ(tf("60m").to_string(), "1h");
  EXPECT_EQ(Timeframe::minutes(15), tf("15m"));
  EXPECT_EQ(Timeframe::hours(4), tf("4h"));
  EXPECT_EQ(Timeframe::day(), tf("1d"));
  EXPECT_EQ(Timeframe::week(), tf("1w"));
  EXPECT_FALSE(Timeframe::day() == Timeframe::hours(24));  // different alignment (day origin)
}

TEST(Timeframe, EveryRejectionNamesTheAcceptedForms) {
  for (const char* text : {"", "m", "0m", "7m", "1441m", "5h", "48h", "0h", "2d", "2w", "1y", "1M", "1.5h",
                           "-1m", "+1m", "m1", "1 m", " 1m", "15", "1mm", "99999999999999m", "1d ", "h"}) {
    auto t = Timeframe::parse(text);
    EXPECT_FALSE(t) << "'" << text << "' was accepted";
    if (!t) {
      EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
      const std::string& m = t.status().message();
      EXPECT_NE(m.find("1m 3m 5m 10m 15m 30m 1h 4h 1d 1w"), std::string::npos) << m;
      EXPECT_NE(m.find("Nm / Nh"), std::string::npos) << m;
      EXPECT_NE(m.find(std::string("'") + text + "'"), std::string::npos) << m;
    }
  }
}

TEST(TimeGrid, MinutesAndHoursAlignToTheUtcEpoch) {
  TimeGrid g15 = tf("15m").grid();
  EXPECT_EQ(g15.floor(at("2024-01-02T03:14:59.999Z")), at("2024-01-02T03:00:00Z"));
  EXPECT_EQ(g15.floor(at("2024-01-02T03:15:00Z")), at("2024-01-02T03:15:00Z"));
  TimeGrid g4h = tf("4h").grid();
  EXPECT_EQ(g4h.floor(at("2024-01-02T03:04:00Z")), at("2024-01-02T00:00:00Z"));
  EXPECT_EQ(g4h.floor(at("2024-01-02T05:00:00Z")), at("2024-01-02T04:00:00Z"));
  TimeGrid g7 = tf("45m").grid();
  EXPECT_EQ(g7.floor(at("2024-01-02T00:50:00Z")), at("2024-01-02T00:45:00Z"));
}

TEST(TimeGrid, MinuteGridsIgnoreTheDayOrigin) {
  EXPECT_EQ(tf("1h").grid(15 * kHourMs + 30 * kMinuteMs).offset, 0);
  EXPECT_EQ(tf("4h").grid(15 * kHourMs).floor(at("2024-01-02T03:04:00Z")), at("2024-01-02T00:00:00Z"));
}

TEST(TimeGrid, DaysStartAtMidnightUtcByDefault) {
  TimeGrid d = tf("1d").grid();
  EXPECT_EQ(d.floor(at("2024-01-02T23:59:00Z")), at("2024-01-02T00:00:00Z"));
  EXPECT_EQ(d.floor(at("2024-01-02T00:00:00Z")), at("2024-01-02T00:00:00Z"));
  // Upbit's day: 09:00 KST is 00:00 UTC.
  EXPECT_EQ(d.floor(at("2024-01-02T08:59:00+09:00")), at("2024-01-01T09:00:00+09:00"));
}

TEST(TimeGrid, DaysWithANonUtcOriginStartAtThatOrigin) {
  TimeGrid kst = tf("1d").grid(15 * kHourMs);  // 15:00Z = KST midnight
  EXPECT_EQ(kst.floor(at("2024-01-02T14:59:00Z")), at("2024-01-01T15:00:00Z"));
  EXPECT_EQ(kst.floor(at("2024-01-02T15:00:00Z")), at("2024-01-02T15:00:00Z"));
  EXPECT_EQ(kst.floor(at("2024-01-03T08:00:00+09:00")), at("2024-01-03T00:00:00+09:00"));
  TimeGrid half = tf("1d").grid(9 * kHourMs + 30 * kMinuteMs);
  EXPECT_EQ(half.floor(at("2024-01-02T09:29:00Z")), at("2024-01-01T09:30:00Z"));
  EXPECT_EQ(half.floor(at("2024-01-02T09:30:00Z")), at("2024-01-02T09:30:00Z"));
}

TEST(TimeGrid, WeeksStartOnMondayAtTheDayOrigin) {
  TimeGrid w = tf("1w").grid();
  // 2024-01-01 was a Monday.
  EXPECT_EQ(w.floor(at("2024-01-07T23:59:00Z")), at("2024-01-01T00:00:00Z"));
  EXPECT_EQ(w.floor(at("2024-01-08T00:00:00Z")), at("2024-01-08T00:00:00Z"));
  EXPECT_EQ(w.floor(at("2024-01-03T12:00:00Z")), at("2024-01-01T00:00:00Z"));
  // The epoch was a Thursday: its week started Monday 1969-12-29.
  EXPECT_EQ(w.floor(0), at("1969-12-29T00:00:00Z"));

  TimeGrid w15 = tf("1w").grid(15 * kHourMs);
  EXPECT_EQ(w15.floor(at("2024-01-01T14:59:00Z")), at("2023-12-25T15:00:00Z"));
  EXPECT_EQ(w15.floor(at("2024-01-01T15:00:00Z")), at("2024-01-01T15:00:00Z"));
  EXPECT_EQ(w15.floor(at("2024-01-08T14:59:00Z")), at("2024-01-01T15:00:00Z"));
}

TEST(TimeGrid, AlignsTimesBefore1970) {
  EXPECT_EQ(tf("15m").grid().floor(-1), -15 * kMinuteMs);
  EXPECT_EQ(tf("15m").grid().floor(-15 * kMinuteMs), -15 * kMinuteMs);
  EXPECT_EQ(tf("4h").grid().floor(at("1969-07-20T20:17:00Z")), at("1969-07-20T20:00:00Z"));
  EXPECT_EQ(tf("1d").grid().floor(at("1969-12-31T12:00:00Z")), at("1969-12-31T00:00:00Z"));
  EXPECT_EQ(tf("1d").grid(15 * kHourMs).floor(at("1969-12-31T10:00:00Z")), at("1969-12-30T15:00:00Z"));
  // 1969-07-20 was a Sunday.
  EXPECT_EQ(tf("1w").grid().floor(at("1969-07-20T20:17:00Z")), at("1969-07-14T00:00:00Z"));
  EXPECT_EQ(tf("1w").grid().floor(at("1900-01-01T00:00:00Z")), at("1900-01-01T00:00:00Z"));  // a Monday
}

TEST(TimeGrid, CeilRoundsUpToTheNextBucketStart) {
  TimeGrid g = tf("15m").grid();
  EXPECT_EQ(g.ceil(at("2024-01-02T03:00:00Z")), at("2024-01-02T03:00:00Z"));
  EXPECT_EQ(g.ceil(at("2024-01-02T03:00:00.001Z")), at("2024-01-02T03:15:00Z"));
  EXPECT_EQ(g.ceil(-1), 0);
}

TEST(TimeGrid, NestsWhenEveryBucketIsWholeFinerBuckets) {
  EXPECT_TRUE(tf("1h").grid().nests(tf("15m").grid()));
  EXPECT_TRUE(tf("1d").grid(15 * kHourMs).nests(tf("1h").grid()));
  EXPECT_FALSE(tf("1d").grid(30 * kMinuteMs).nests(tf("1h").grid()));
  EXPECT_TRUE(tf("1w").grid(15 * kHourMs).nests(tf("1d").grid(15 * kHourMs)));
  EXPECT_FALSE(tf("15m").grid().nests(tf("1h").grid()));
  EXPECT_FALSE(tf("1h").grid().nests(tf("45m").grid()));
}

// Every bucket start, for random times far before and after 1970, sits on its grid, contains the
// time, and (for days and weeks) falls on the origin and, for weeks, on a Monday.
TEST(TimeGrid, FloorAgreesWithTheCalendarForRandomTimes) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> time(at("1900-01-01T00:00:00Z"), at("2200-01-01T00:00:00Z"));
  const int64_t origins[] = {0, 15 * kHourMs, 9 * kHourMs + 30 * kMinuteMs, 23 * kHourMs + 59 * kMinuteMs};
  const char* frames[] = {"1m", "15m", "1h", "4h", "12h", "1d", "1w"};
  for (int i = 0; i < 20000; ++i) {
    Timestamp t = time(rng);
    int64_t origin = origins[i % 4];
    Timeframe f = tf(frames[i % 7]);
    Timestamp start = f.grid(origin).floor(t);
    ASSERT_LE(start, t);
    ASSERT_LT(t, start + f.length_ms());
    if (f.unit() == Timeframe::Unit::kMinute) {
      ASSERT_EQ(floor_div(start, f.length_ms()) * f.length_ms(), start);
      continue;
    }
    int64_t local_day = floor_div(start - origin, kDayMs);
    ASSERT_EQ(local_day * kDayMs + origin, start) << format_timestamp(t);
    if (f.unit() == Timeframe::Unit::kWeek) {
      std::chrono::weekday wd{std::chrono::sys_days{std::chrono::days{local_day}}};
      ASSERT_EQ(wd, std::chrono::Monday) << format_timestamp(t) << " origin " << origin;
    }
  }
}

TEST(DayOrigin, ParsesHoursAndMinutesUtc) {
  EXPECT_EQ(*parse_day_origin("00:00Z"), 0);
  EXPECT_EQ(*parse_day_origin("15:00Z"), 15 * kHourMs);
  EXPECT_EQ(*parse_day_origin("09:30"), 9 * kHourMs + 30 * kMinuteMs);
  EXPECT_EQ(*parse_day_origin("23:59z"), 23 * kHourMs + 59 * kMinuteMs);
}

TEST(DayOrigin, RejectsMalformedOriginsNamingTheForm) {
  for (const char* text : {"", "Z", "24:00Z", "9:00Z", "15:60Z", "1500Z", "ab:cdZ", "15:00+09:00", "15:00:00Z",
                           "-1:00Z"}) {
    auto o = parse_day_origin(text);
    EXPECT_FALSE(o) << text;
    if (!o) {
      EXPECT_NE(o.status().message().find("HH:MMZ"), std::string::npos) << o.status().message();
    }
  }
}

TEST(DayOrigin, FormatsAsHoursAndMinutesZulu) {
  EXPECT_EQ(format_day_origin(0), "00:00Z");
  EXPECT_EQ(format_day_origin(15 * kHourMs), "15:00Z");
  EXPECT_EQ(format_day_origin(9 * kHourMs + 5 * kMinuteMs), "09:05Z");
  for (int64_t m = 0; m < 1440; m += 7) {
    EXPECT_EQ(*parse_day_origin(format_day_origin(m * kMinuteMs)), m * kMinuteMs);
  }
}

}  // namespace
}  // namespace ck
