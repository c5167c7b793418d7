#include "tools/sim/exchange.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/sim/sim_fixture.h"
#include "timeframe/aggregate.h"

namespace ck::sim {
namespace {

using testing::at;
using testing::fixed_now;
using testing::manual_exchange;
using testing::small_exchange;

CandleSeries series_of(const std::vector<SimCandle>& candles) {
  CandleSeries s;
  for (const SimCandle& c : candles) s.push_back(c.to_candle());
  return s;
}

TEST(Exchange, OnlyMinutesWithTradesAtOrBeforeNowHaveCandles) {
  auto ex = small_exchange();
  Timestamp now = ex->now();
  auto rows = ex->range(0, CandleUnit::minute(1), now - kHourMs, now + kDayMs, now);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back().start, floor_div(now, kMinuteMs) * kMinuteMs);
  for (const SimCandle& c : rows) {
    EXPECT_LE(c.last_trade, now);
    EXPECT_GE(c.last_trade, c.start);
    EXPECT_LT(c.last_trade, c.start + kMinuteMs);
  }
}

TEST(Exchange, TheOpenMinuteGrowsAsTheClockAdvances) {
  auto clock = std::make_shared<ManualClock>(at("2025-07-30T12:34:00Z"));
  auto ex = manual_exchange(clock);
  // The first minute from 12:34 with at least three trades.
  Timestamp minute = at("2025-07-30T12:34:00Z");
  std::vector<Trade> trades;
  for (int i = 0; i < 60 && trades.size() < 3; ++i, minute += kMinuteMs) {
    trades = ex->trades(0, minute - 1, minute + kMinuteMs - 1, minute + kMinuteMs - 1);
  }
  minute -= kMinuteMs;
  ASSERT_GE(trades.size(), 3u);
  auto candle_at = [&](Timestamp now) {
    clock->set_ms(now);
    auto rows = ex->latest(0, CandleUnit::minute(1), minute + 1, 1, ex->now());
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? SimCandle{} : rows[0];
  };
  // After the second trade the open candle holds exactly the first two.
  SimCandle early = candle_at(trades[1].time);
  EXPECT_EQ(early.start, minute);
  EXPECT_EQ(early.open, trades[0].price);
  EXPECT_EQ(early.close, trades[1].price);
  EXPECT_EQ(early.volume_q, trades[0].volume_q + trades[1].volume_q);
  EXPECT_EQ(early.last_trade, trades[1].time);
  SimCandle late = candle_at(minute + kMinuteMs - 1);
  EXPECT_EQ(late.open, early.open);
  EXPECT_EQ(late.close, trades.back().price);
  EXPECT_EQ(late.last_trade, trades.back().time);
  EXPECT_GT(late.volume_q, early.volume_q);
  SimCandle closed = candle_at(minute + 5 * kMinuteMs);
  EXPECT_EQ(closed, late);  // nothing trades after the minute's end
}

TEST(Exchange, NowFollowsAManualClock) {
  auto clock = std::make_shared<ManualClock>(at("2025-01-01T00:00:00Z"));
  auto ex = manual_exchange(clock);
  EXPECT_EQ(ex->now(), at("2025-01-01T00:00:00Z"));
  clock->advance_ms(90'000);
  EXPECT_EQ(ex->now(), at("2025-01-01T00:01:30Z"));
}

TEST(Exchange, ClockSpeedScalesElapsedTime) {
  auto clock = std::make_shared<ManualClock>(1'000'000);
  ExchangeOptions o = testing::small_options();
  o.clock = clock;
  o.start_now = fixed_now();
  o.clock_speed = 60;
  Exchange ex(o);
  clock->advance_ms(1000);
  EXPECT_EQ(ex.now(), fixed_now() + 60'000);
}

TEST(Exchange, PagingBackwardsWithToReproducesTheTruthExactly) {
  auto ex = small_exchange();
  const Timestamp now = ex->now();
  for (int market : {0, 12, 29}) {
    for (CandleUnit unit : {CandleUnit::minute(1), CandleUnit::minute(15), CandleUnit::days()}) {
      std::vector<SimCandle> paged;
      Timestamp to = now + kDayMs;  // in the future: same as no `to`
      for (;;) {
        auto page = ex->latest(market, unit, to, 200, now);
        if (page.empty()) break;
        for (size_t i = 1; i < page.size(); ++i) ASSERT_LT(page[i].start, page[i - 1].start);
        paged.insert(paged.end(), page.begin(), page.end());
        to = page.back().start;  // the oldest row's start, exclusive
      }
      std::reverse(paged.begin(), paged.end());
      auto truth = ex->range(market, unit, ex->markets()[market].listed_at - kWeekMs, now + 1, now);
      ASSERT_EQ(paged.size(), truth.size()) << market << " " << unit.name();
      for (size_t i = 0; i < truth.size(); ++i) ASSERT_EQ(paged[i], truth[i]) << i;
    }
  }
}

TEST(Exchange, ToIsExclusiveOnTheBucketStartAndTheStraddlingBucketIsComplete) {
  auto ex = small_exchange();
  const Timestamp now = ex->now();
  auto rows = ex->latest(0, CandleUnit::minute(15), at("2025-07-30T00:21:00Z"), 2, now);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].start, at("2025-07-30T00:15:00Z"));
  EXPECT_EQ(rows[1].start, at("2025-07-30T00:00:00Z"));
  auto full = ex->range(0, CandleUnit::minute(15), at("2025-07-30T00:15:00Z"), at("2025-07-30T00:30:00Z"), now);
  EXPECT_EQ(rows[0], full[0]);  // not truncated at `to`
  auto aligned = ex->latest(0, CandleUnit::minute(15), at("2025-07-30T00:15:00Z"), 1, now);
  ASSERT_EQ(aligned.size(), 1u);
  EXPECT_EQ(aligned[0].start, at("2025-07-30T00:00:00Z"));
}

TEST(Exchange, ToBeforeTheListingGivesNothing) {
  auto ex = small_exchange();
  Timestamp listed = ex->markets()[0].listed_at;
  EXPECT_TRUE(ex->latest(0, CandleUnit::minute(1), listed, 200, ex->now()).empty());
  auto first = ex->latest(0, CandleUnit::minute(1), listed + 1, 200, ex->now());
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].start, listed);
}

TEST(Exchange, HigherTimeframesEqualTheAggregateOfItsMinutes) {
  auto ex = small_exchange();
  const Timestamp now = ex->now();
  for (int market : {0, 7, 25}) {
    Timestamp from = ex->markets()[market].listed_at;
    CandleSeries minutes = series_of(ex->range(market, CandleUnit::minute(1), from, now + 1, now));
    struct Case {
      CandleUnit unit;
      Timeframe tf;
    };
    for (const Case& c : {Case{CandleUnit::minute(3), Timeframe::minutes(3)}, Case{CandleUnit::minute(15), Timeframe::minutes(15)},
                          Case{CandleUnit::minute(60), Timeframe::hours(1)}, Case{CandleUnit::minute(240), Timeframe::hours(4)},
                          Case{CandleUnit::days(), Timeframe::day()}, Case{CandleUnit::weeks(), Timeframe::week()}}) {
      auto agg = aggregate(minutes, c.tf);
      ASSERT_TRUE(agg) << agg.status().to_string();
      CandleSeries own = series_of(ex->range(market, c.unit, c.unit.floor(from), now + 1, now));
      ASSERT_EQ(own.size(), agg->candles.size()) << market << " " << c.unit.name();
      EXPECT_TRUE(own == agg->candles) << market << " " << c.unit.name();  // bit for bit
    }
  }
}

TEST(Exchange, MonthsAreTheFoldOfTheirDays) {
  auto ex = small_exchange(5, 60);
  const Timestamp now = ex->now();
  auto days = ex->range(0, CandleUnit::days(), 0, now + 1, now);
  auto months = ex->range(0, CandleUnit::months(), 0, now + 1, now);
  ASSERT_EQ(months.size(), 3u);  // listed 2025-05-31: May, June, July
  for (const SimCandle& m : months) {
    Timestamp end = CandleUnit::months().next(m.start);
    std::optional<SimCandle> acc;
    for (const SimCandle& d : days) {
      if (d.start < m.start || d.start >= end) continue;
      if (!acc) acc = d, acc->start = m.start;
      else acc->absorb(d);
    }
    ASSERT_TRUE(acc);
    EXPECT_EQ(m.open, acc->open);
    EXPECT_EQ(m.high, acc->high);
    EXPECT_EQ(m.low, acc->low);
    EXPECT_EQ(m.close, acc->close);
    EXPECT_EQ(m.volume_q, acc->volume_q);
    EXPECT_EQ(m.value_q, acc->value_q);
    EXPECT_EQ(m.last_trade, acc->last_trade);
  }
}

TEST(Exchange, DayCandlesCarryThePreviousClose) {
  auto ex = small_exchange();
  auto days = ex->latest(0, CandleUnit::days(), ex->now() + 1, 200, ex->now());
  ASSERT_GE(days.size(), 3u);
  for (size_t i = 0; i + 1 < days.size(); ++i) EXPECT_EQ(days[i].prev_close, days[i + 1].close);
  EXPECT_EQ(days.back().prev_close, days.back().open);  // listing day: nothing before it
  auto two = ex->latest(0, CandleUnit::days(), ex->now() + 1, 2, ex->now());
  EXPECT_EQ(two[1].prev_close, days[2].close);
}

TEST(Exchange, SameSeedSameTruthAcrossInstances) {
  auto a = small_exchange();
  auto b = small_exchange();
  TimeRange r{fixed_now() - 2 * kDayMs, fixed_now()};
  EXPECT_TRUE(*a->truth("KRW-ETH", CandleUnit::minute(1), r) == *b->truth("KRW-ETH", CandleUnit::minute(1), r));
  EXPECT_FALSE(a->truth("KRW-NOPE", CandleUnit::minute(1), r));
}

TEST(Exchange, TradesReproduceTheMinuteCandles) {
  auto ex = small_exchange();
  const Timestamp now = ex->now();
  Timestamp from = at("2025-07-30T11:00:00Z");
  auto trades = ex->trades(2, from - 1, now, now);
  auto minutes = ex->range(2, CandleUnit::minute(1), from, now + 1, now);
  ASSERT_FALSE(trades.empty());
  size_t k = 0;
  for (const SimCandle& m : minutes) {
    int64_t vol = 0;
    Timestamp last = 0;
    while (k < trades.size() && trades[k].time < m.start + kMinuteMs) {
      vol += trades[k].volume_q;
      last = trades[k].time;
      ++k;
    }
    EXPECT_EQ(vol, m.volume_q);
    EXPECT_EQ(last, m.last_trade);
  }
  EXPECT_EQ(k, trades.size());
  EXPECT_EQ(ex->last_trade(2, now)->time, trades.back().time);
}

TEST(Exchange, TickerSummarisesTheUtcDay) {
  auto ex = small_exchange();
  const Timestamp now = ex->now();
  Ticker t = ex->ticker(0, now);
  ASSERT_TRUE(t.has_trade);
  auto today = ex->latest(0, CandleUnit::days(), now + 1, 1, now);
  ASSERT_EQ(today.size(), 1u);
  EXPECT_EQ(t.today.open, today[0].open);
  EXPECT_EQ(t.today.volume_q, today[0].volume_q);
  EXPECT_EQ(t.prev_close, today[0].prev_close);
  EXPECT_EQ(t.last.price, today[0].close);
  EXPECT_GE(t.high_52w, t.today.high);
  EXPECT_LE(t.low_52w, t.today.low);
  EXPECT_GT(t.volume_24h_q, t.today.volume_q);  // the window reaches into yesterday
}

TEST(Exchange, MemoryStaysBoundedOverAYearOfMinutes) {
  ExchangeOptions o = testing::small_options(3, 365);
  o.cache_days = 16;
  Exchange ex(o);
  const Timestamp now = ex.now();
  size_t count = 0;
  Timestamp to = now + 1;
  for (int page = 0; page < 2700; ++page) {  // a whole year of KRW-BTC, 200 at a time
    auto rows = ex.latest(0, CandleUnit::minute(1), to, 200, now);
    if (rows.empty()) break;
    count += rows.size();
    to = rows.back().start;
  }
  EXPECT_EQ(count, size_t(365 * 1440 + 1));  // every minute from the listing to the open one
  EXPECT_LE(ex.cache_stats().entries, 16u);
  EXPECT_LT(ex.cache_stats().bytes, size_t(16) * 200 * 1024);
}

TEST(Exchange, MarketsListedLaterAreInvisibleUntilTheirTime) {
  ExchangeOptions o = testing::small_options(3, 5);
  o.market_specs = make_markets(3, 42, 5, fixed_now());
  o.market_specs[2].listed_at = fixed_now() + kHourMs;
  Exchange ex(o);
  EXPECT_FALSE(ex.listed(2, ex.now()));
  EXPECT_TRUE(ex.listed(1, ex.now()));
  EXPECT_TRUE(ex.latest(2, CandleUnit::minute(1), ex.now() + 1, 10, ex.now()).empty());
}

}  // namespace
}  // namespace ck::sim
