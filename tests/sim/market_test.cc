#include "tools/sim/market.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/sim/sim_fixture.h"

namespace ck::sim {
namespace {

using testing::fixed_now;

TEST(Markets, StartWithUpbitsMajorCodesThenGeneratedOnes) {
  auto m = make_markets(200, 42, 30, fixed_now());
  ASSERT_EQ(m.size(), 200u);
  EXPECT_EQ(m[0].code, "KRW-BTC");
  EXPECT_EQ(m[1].code, "KRW-ETH");
  EXPECT_EQ(m[0].korean_name, "비트코인");
  std::set<std::string> codes;
  for (const auto& x : m) {
    EXPECT_TRUE(x.code.starts_with("KRW-")) << x.code;
    for (char c : x.code) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '-') << x.code;
    codes.insert(x.code);
  }
  EXPECT_EQ(codes.size(), 200u);
}

TEST(Markets, LiquidityFallsWithRank) {
  auto m = make_markets(200, 42, 30, fixed_now());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(m[i].active_share, 1.0) << m[i].code;
  double tail = 0;
  for (int i = 150; i < 200; ++i) tail += m[i].active_share;
  EXPECT_LT(tail / 50, 0.2);
}

TEST(Markets, ListingTimesAreWholeMinutesWithinTheHistory) {
  Timestamp now = fixed_now();
  auto m = make_markets(200, 42, 30, now);
  bool some_shorter = false;
  for (const auto& x : m) {
    EXPECT_EQ(x.listed_at % kMinuteMs, 0) << x.code;
    EXPECT_GE(x.listed_at, now - 30 * kDayMs - kMinuteMs) << x.code;
    EXPECT_LT(x.listed_at, now) << x.code;
    if (x.listed_at > now - 29 * kDayMs) some_shorter = true;
  }
  EXPECT_EQ(m[0].listed_at, floor_div(now, kMinuteMs) * kMinuteMs - 30 * kDayMs);
  EXPECT_TRUE(some_shorter);
}

TEST(Markets, SameSeedSameMarketsOtherSeedOtherNames) {
  auto a = make_markets(50, 7, 30, fixed_now());
  auto b = make_markets(50, 7, 30, fixed_now());
  auto c = make_markets(50, 8, 30, fixed_now());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].code, b[i].code);
    EXPECT_EQ(a[i].base_price, b[i].base_price);
  }
  EXPECT_NE(a[30].code, c[30].code);
}

}  // namespace
}  // namespace ck::sim
