#include "tools/sim/market_day.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/sim_fixture.h"
#include "tools/sim/tick_size.h"

namespace ck::sim {
namespace {

using testing::at;
using testing::fixed_now;

class MarketDayTest : public ::testing::Test {
 protected:
  MarketDayTest() : markets_(make_markets(200, 42, 30, fixed_now())) {}
  MarketStream stream(int i, uint64_t seed = 42) const { return MarketStream{&markets_[i], seed, i}; }
  int64_t day() const { return floor_div(fixed_now(), kDayMs) - 2; }
  std::vector<MarketSpec> markets_;
};

TEST_F(MarketDayTest, SameSeedGivesTheSameDay) {
  MarketDay a = generate_market_day(stream(0), day());
  MarketDay b = generate_market_day(stream(0), day());
  ASSERT_EQ(a.bars.size(), b.bars.size());
  for (size_t i = 0; i < a.bars.size(); ++i) {
    EXPECT_EQ(a.bars[i].open, b.bars[i].open);
    EXPECT_EQ(a.bars[i].volume_q, b.bars[i].volume_q);
    EXPECT_EQ(a.bars[i].last_ms, b.bars[i].last_ms);
  }
}

TEST_F(MarketDayTest, AnotherSeedGivesAnotherDay) {
  MarketDay a = generate_market_day(stream(0, 42), day());
  MarketDay b = generate_market_day(stream(0, 43), day());
  ASSERT_FALSE(a.bars.empty());
  ASSERT_FALSE(b.bars.empty());
  EXPECT_NE(a.bars[0].open, b.bars[0].open);
}

TEST_F(MarketDayTest, BarsAreTheAggregatesOfTheirTrades) {
  MarketDay d = generate_market_day(stream(3), day());
  std::vector<Trade> trades;
  for (const MinuteBar& b : d.bars) {
    trades.clear();
    generate_minute_trades(stream(3), d.day, b, trades);
    ASSERT_FALSE(trades.empty());
    Timestamp start = d.day * kDayMs + int64_t(b.minute) * kMinuteMs;
    EXPECT_EQ(b.open, trades.front().price);
    EXPECT_EQ(b.close, trades.back().price);
    EXPECT_EQ(start + b.last_ms, trades.back().time);
    int64_t vol = 0, val = 0;
    double hi = trades[0].price, lo = trades[0].price;
    for (size_t k = 0; k < trades.size(); ++k) {
      const Trade& t = trades[k];
      EXPECT_GE(t.time, start);
      EXPECT_LT(t.time, start + kMinuteMs);
      if (k) {
        EXPECT_GE(t.time, trades[k - 1].time);
        EXPECT_GT(t.sequential_id, trades[k - 1].sequential_id);
      }
      vol += t.volume_q;
      val += t.value_q;
      hi = std::max(hi, t.price);
      lo = std::min(lo, t.price);
    }
    EXPECT_EQ(b.volume_q, vol);
    EXPECT_EQ(b.value_q, val);
    EXPECT_EQ(b.high, hi);
    EXPECT_EQ(b.low, lo);
  }
}

TEST_F(MarketDayTest, TradePricesSitOnTheTickLadder) {
  for (int m : {0, 1, 4, 57, 120}) {
    MarketDay d = generate_market_day(stream(m), day());
    std::vector<Trade> trades;
    for (const MinuteBar& b : d.bars) generate_minute_trades(stream(m), d.day, b, trades);
    for (const Trade& t : trades) {
      ASSERT_TRUE(on_tick(t.price)) << markets_[m].code << " " << t.price;
      ASSERT_GT(t.volume_q, 0);
    }
  }
}

TEST_F(MarketDayTest, TheMostLiquidMarketTradesEveryMinute) {
  MarketDay d = generate_market_day(stream(0), day());
  EXPECT_EQ(d.bars.size(), 1440u);
}

TEST_F(MarketDayTest, IlliquidMarketsLeaveMostMinutesEmpty) {
  MarketDay d = generate_market_day(stream(190), day());
  EXPECT_LT(d.bars.size(), 1440u / 4);
  EXPECT_GT(d.bars.size(), 0u);
}

TEST_F(MarketDayTest, NothingTradesBeforeTheListingAndTheListingMinuteTrades) {
  MarketSpec spec = markets_[150];
  spec.listed_at = at("2025-07-20T05:07:00Z");
  MarketStream s{&spec, 42, 150};
  MarketDay d = generate_market_day(s, floor_div(spec.listed_at, kDayMs));
  ASSERT_FALSE(d.bars.empty());
  EXPECT_EQ(d.bars.front().minute, 5 * 60 + 7);
  MarketDay before = generate_market_day(s, floor_div(spec.listed_at, kDayMs) - 1);
  EXPECT_TRUE(before.bars.empty());
}

TEST_F(MarketDayTest, ConsecutiveDaysJoinUp) {
  // The bridge ends at the next day's anchor, so the last close and the next open stay close.
  for (int64_t d = day() - 5; d < day(); ++d) {
    MarketDay a = generate_market_day(stream(0), d);
    MarketDay b = generate_market_day(stream(0), d + 1);
    double jump = std::fabs(std::log(b.bars.front().open / a.bars.back().close));
    EXPECT_LT(jump, 0.01) << d;
  }
}

}  // namespace
}  // namespace ck::sim
