#include "tools/sim/candle_unit.h"

#include <gtest/gtest.h>

#include "tests/sim/sim_fixture.h"

namespace ck::sim {
namespace {

using testing::at;

TEST(CandleUnit, MinuteBucketsAlignToTheUtcHour) {
  EXPECT_EQ(CandleUnit::minute(15).floor(at("2025-09-10T00:21:00Z")), at("2025-09-10T00:15:00Z"));
  EXPECT_EQ(CandleUnit::minute(5).floor(at("2025-09-10T22:29:59Z")), at("2025-09-10T22:25:00Z"));
}

TEST(CandleUnit, FourHourBucketsStartAtMultiplesOfFourUtcHours) {
  EXPECT_EQ(CandleUnit::minute(240).floor(at("2025-07-30T03:59:00Z")), at("2025-07-30T00:00:00Z"));
  EXPECT_EQ(CandleUnit::minute(240).floor(at("2025-07-30T21:00:00Z")), at("2025-07-30T20:00:00Z"));
}

TEST(CandleUnit, DaysStartAtUtcMidnightWeeksOnMonday) {
  EXPECT_EQ(CandleUnit::days().floor(at("2025-07-30T23:59:59Z")), at("2025-07-30T00:00:00Z"));
  EXPECT_EQ(CandleUnit::weeks().floor(at("2023-11-05T12:00:00Z")), at("2023-10-30T00:00:00Z"));  // Sun -> Mon
  EXPECT_EQ(CandleUnit::weeks().floor(at("2023-10-30T00:00:00Z")), at("2023-10-30T00:00:00Z"));
  EXPECT_EQ(CandleUnit::weeks().next(at("2023-10-30T00:00:00Z")), at("2023-11-06T00:00:00Z"));
}

TEST(CandleUnit, MonthsAndYearsStartOnTheFirst) {
  EXPECT_EQ(CandleUnit::months().floor(at("2024-02-29T10:00:00Z")), at("2024-02-01T00:00:00Z"));
  EXPECT_EQ(CandleUnit::months().next(at("2024-12-01T00:00:00Z")), at("2025-01-01T00:00:00Z"));
  EXPECT_EQ(CandleUnit::years().floor(at("2024-07-01T00:00:00Z")), at("2024-01-01T00:00:00Z"));
  EXPECT_EQ(CandleUnit::years().next(at("2024-01-01T00:00:00Z")), at("2025-01-01T00:00:00Z"));
}

TEST(CandleUnit, ParsesUpbitAndCandlekeepNames) {
  EXPECT_EQ(*CandleUnit::parse("15"), CandleUnit::minute(15));
  EXPECT_EQ(*CandleUnit::parse("1h"), CandleUnit::minute(60));
  EXPECT_EQ(*CandleUnit::parse("4h"), CandleUnit::minute(240));
  EXPECT_EQ(*CandleUnit::parse("days"), CandleUnit::days());
  EXPECT_EQ(*CandleUnit::parse("1w"), CandleUnit::weeks());
  EXPECT_EQ(*CandleUnit::parse("months"), CandleUnit::months());
  EXPECT_FALSE(CandleUnit::parse("2"));
  EXPECT_FALSE(CandleUnit::parse("hours"));
}

TEST(CandleUnit, CivilDatesRoundTrip) {
  for (int64_t d = -800; d < 30000; d += 17) {
    CivilDate c = civil_from_days(d);
    EXPECT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  CivilDate c = civil_from_days(floor_div(at("2025-07-30T00:00:00Z"), kDayMs));
  EXPECT_EQ(c.year, 2025);
  EXPECT_EQ(c.month, 7u);
  EXPECT_EQ(c.day, 30u);
}

}  // namespace
}  // namespace ck::sim
