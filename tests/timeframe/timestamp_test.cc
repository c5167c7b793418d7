#include "timeframe/timestamp.h"

#include <gtest/gtest.h>

namespace ck {
namespace {

TEST(Timestamp, ParsesZuluAndOffsetForms) {
  const Timestamp expected = 1704164640000;  // 2024-01-02T03:04:00Z
  for (const char* text : {"2024-01-02T03:04:00Z", "2024-01-02T03:04:00+00:00", "2024-01-02 03:04:00",
                           "2024-01-02T03:04:00", "2024-01-02T12:04:00+09:00", "2024-01-02T03:04:00.000Z",
                           "2024-01-02T03:04Z", "2024-01-01T22:04:00-05:00", "2024-01-02T12:04:00+0900"}) {
    auto t = parse_timestamp(text);
    ASSERT_TRUE(t) << text << ": " << t.status().to_string();
    EXPECT_EQ(*t, expected) << text;
  }
}

TEST(Timestamp, KeepsMilliseconds) {
  EXPECT_EQ(*parse_timestamp("1970-01-01T00:00:01.250Z"), 1250);
  EXPECT_EQ(format_timestamp(1250), "1970-01-01T00:00:01.250Z");
}

TEST(Timestamp, BareDateIsMidnightUtc) { EXPECT_EQ(*parse_timestamp("2024-01-02"), 1704153600000); }

TEST(Timestamp, FormatsIsoZulu) {
  EXPECT_EQ(format_timestamp(1704164640000), "2024-01-02T03:04:00Z");
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(-kMinuteMs), "1969-12-31T23:59:00Z");
  EXPECT_EQ(format_naive(1704164640000, 9 * kHourMs), "2024-01-02T12:04:00");
}

TEST(Timestamp, RoundTripsAcrossCenturies) {
  for (Timestamp t = -2208988800000; t < 4102444800000; t += 7919 * kMinuteMs + 13) {
    auto back = parse_timestamp(format_timestamp(t));
    ASSERT_TRUE(back);
    ASSERT_EQ(*back, t);
  }
}

TEST(Timestamp, RejectsMalformedText) {
  for (const char* text : {"", "2024", "2024-13-01", "2024-02-30", "2024-01-02X03:04", "2024-01-02T25:00:00Z",
                           "2024-01-02T03:04:00Q", "yesterday", "2024-01-02T03:04:00+9"}) {
    auto t = parse_timestamp(text);
    EXPECT_FALSE(t) << text;
    if (!t) {
      EXPECT_NE(t.status().message().find("ISO-8601"), std::string::npos);
    }
  }
}

TEST(Timestamp, TimeValuesAcceptEpochSecondsAndMilliseconds) {
  EXPECT_EQ(*parse_time_value("1672531200"), 1672531200000);
  EXPECT_EQ(*parse_time_value("1672531200000"), 1672531200000);
  EXPECT_EQ(*parse_time_value("2023-01-01 00:00:00+00:00"), 1672531200000);
  EXPECT_FALSE(parse_time_value("12a"));
}

TEST(Timestamp, TimeValuesBelow1e11AreSecondsAboveAreMilliseconds) {
  EXPECT_EQ(*parse_time_value("99999999999"), 99999999999000);  // seconds: year 5138
  EXPECT_EQ(*parse_time_value("100000000000"), 100000000000);   // milliseconds: 1973-03-03
  EXPECT_EQ(*parse_time_value("-86400"), -kDayMs);              // seconds before 1970
  EXPECT_EQ(*parse_time_value("1672531200.25"), 1672531200250);
  EXPECT_EQ(*parse_time_value("0"), 0);
}

TEST(Timestamp, TimeValuesIgnoreQuotesAndSpaces) {
  EXPECT_EQ(*parse_time_value(" \"1672531200\" "), 1672531200000);
  EXPECT_EQ(*parse_time_value("\"2023-01-01T00:00:00Z\"\r"), 1672531200000);
}

TEST(Timestamp, RejectsBadTimeValues) {
  for (const char* text : {"", "  ", "1.2.3", "--5", "1e9", "0x10", "2023-01-01T00:00:00ZZ", "12:00"}) {
    EXPECT_FALSE(parse_time_value(text)) << text;
  }
}

TEST(Timestamp, ParsesTimesBefore1970) {
  EXPECT_EQ(*parse_timestamp("1969-12-31T23:59:00Z"), -kMinuteMs);
  EXPECT_EQ(*parse_timestamp("1900-01-01T00:00:00Z"), -2208988800000);
  EXPECT_EQ(format_timestamp(-2208988800000), "1900-01-01T00:00:00Z");
}

}  // namespace
}  // namespace ck
