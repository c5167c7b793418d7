#include "collection/page_check.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ck {
namespace {

constexpr Timestamp kT = 1704067200000;

Candle good(Timestamp t) { return Candle{t, 100, 110, 90, 105, 1.5, 157.5}; }

TEST(PageCheck, GoodCandlesComeBackAscending) {
  CheckedPage p = check_page("KRW-BTC", {good(kT + 2 * kMinuteMs), good(kT + kMinuteMs), good(kT)}, kT + 3 * kMinuteMs);
  EXPECT_TRUE(p.issues.empty());
  ASSERT_EQ(p.candles.size(), 3u);
  EXPECT_EQ(p.candles.time()[0], kT);
  EXPECT_EQ(p.candles.time()[2], kT + 2 * kMinuteMs);
}

TEST(PageCheck, EachRuleIsEnforcedAndNamed) {
  struct Case { Candle c; const char* code; };
  Candle hi = good(kT); hi.high = 101;           // below close 105
  Candle lo = good(kT); lo.low = 101;            // above open 100
  Candle vol = good(kT); vol.volume = -1;
  Candle nan = good(kT); nan.close = std::nan("");
  Candle mis = good(kT); mis.time = kT + 30'000;
  Candle late = good(kT + 5 * kMinuteMs);
  for (const Case& k : {Case{hi, "INCONSISTENT_OHLC"}, Case{lo, "INCONSISTENT_OHLC"}, Case{vol, "NEGATIVE_VOLUME"},
                        Case{nan, "NON_FINITE"}, Case{mis, "MISALIGNED_TIME"}, Case{late, "OUTSIDE_WINDOW"}}) {
    CheckedPage p = check_page("KRW-BTC", {k.c}, kT + kMinuteMs);
    EXPECT_TRUE(p.candles.empty()) << k.code;
    ASSERT_EQ(p.issues.size(), 1u) << k.code;
    EXPECT_EQ(p.issues[0].code, k.code);
    EXPECT_EQ(p.issues[0].severity, Severity::kError);
    EXPECT_EQ(p.issues[0].market, "KRW-BTC");
  }
}

TEST(PageCheck, DuplicateMinutesAreDroppedWithAWarning) {
  CheckedPage p = check_page("KRW-BTC", {good(kT), good(kT)}, kT + kMinuteMs);
  EXPECT_EQ(p.candles.size(), 1u);
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0].code, "DUPLICATE_MINUTE");
  EXPECT_EQ(p.issues[0].severity, Severity::kWarn);
}

}  // namespace
}  // namespace ck
