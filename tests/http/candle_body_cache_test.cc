#include "tools/http/candle_body_cache.h"

#include <gtest/gtest.h>

#include "tests/support/fake_candle_source.h"
#include "timeframe/candle_csv.h"
#include "timeframe/candle_json.h"

namespace ck::http {
namespace {

constexpr Timestamp kDay0 = 1717200000000;

CandleSeries sample(uint64_t seed = 1) { return testing::make_minutes({kDay0, kDay0 + 3 * kHourMs}, 0.8, seed); }

TEST(CandleBodyCache, RendersWhatGetPrints) {
  CandleBodyCache cache;
  CandleSeries s = sample();
  EXPECT_EQ(*cache.render("a", s, true, CandleFormat::kCsv), candles_to_csv(s, true));
  EXPECT_EQ(*cache.render("b", s, false, CandleFormat::kJson), candles_to_json(s, false));
  EXPECT_EQ(*cache.render("c", CandleSeries{}, true, CandleFormat::kJson), candles_to_json(CandleSeries{}, true));
}

TEST(CandleBodyCache, TheSameCandlesReuseTheBody) {
  CandleBodyCache cache;
  CandleSeries s = sample();
  auto first = cache.render("k", s, true, CandleFormat::kCsv);
  auto second = cache.render("k", sample(), true, CandleFormat::kCsv);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(cache.counters().hits, 1u);
  EXPECT_EQ(cache.counters().misses, 1u);
}

TEST(CandleBodyCache, ChangedCandlesAreRenderedAnew) {
  CandleBodyCache cache;
  CandleSeries s = sample();
  cache.render("k", s, true, CandleFormat::kCsv);
  CandleSeries changed;
  for (size_t i = 0; i < s.size(); ++i) {
    Candle c = s[i];
    if (i == s.size() / 2) c.volume += 0.5;
    changed.push_back(c);
  }
  EXPECT_EQ(*cache.render("k", changed, true, CandleFormat::kCsv), candles_to_csv(changed, true));
  CandleSeries longer = s;
  longer.push_back(Candle{kDay0 + 4 * kHourMs, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(*cache.render("k", longer, true, CandleFormat::kCsv), candles_to_csv(longer, true));
  EXPECT_EQ(cache.counters().hits, 0u);
}

TEST(CandleBodyCache, AnOpenLastCandleIsRenderedAnew) {
  CandleBodyCache cache;
  CandleSeries s = sample();
  cache.render("k", s, true, CandleFormat::kCsv);
  EXPECT_EQ(*cache.render("k", s, false, CandleFormat::kCsv), candles_to_csv(s, false));
  EXPECT_EQ(*cache.render("k", s, false, CandleFormat::kJson), candles_to_json(s, false));
  EXPECT_EQ(cache.counters().hits, 0u);
}

TEST(CandleBodyCache, NegativeZeroIsNotZero) {
  CandleBodyCache cache;
  CandleSeries a, b;
  a.push_back(Candle{kDay0, 1, 1, 1, 1, 0.0, 0.0});
  b.push_back(Candle{kDay0, 1, 1, 1, 1, -0.0, 0.0});
  cache.render("k", a, true, CandleFormat::kCsv);
  EXPECT_EQ(*cache.render("k", b, true, CandleFormat::kCsv), candles_to_csv(b, true));
  EXPECT_FALSE(same_bits(a, b));
}

TEST(CandleBodyCache, StaysWithinItsBudget) {
  CandleSeries s = sample();
  const size_t one = candles_to_csv(s, true).size();
  CandleBodyCache cache(3 * one + 3 * s.size() * 56 + 1024);
  for (int i = 0; i < 10; ++i) cache.render("k" + std::to_string(i), s, true, CandleFormat::kCsv);
  auto c = cache.counters();
  EXPECT_LE(c.bytes, 3 * one + 3 * s.size() * 56 + 1024);
  EXPECT_GE(c.entries, 1u);
  EXPECT_LT(c.entries, 10u);
  // The most recent key survived; the oldest did not.
  cache.render("k9", s, true, CandleFormat::kCsv);
  EXPECT_EQ(cache.counters().hits, 1u);
  cache.render("k0", s, true, CandleFormat::kCsv);
  EXPECT_EQ(cache.counters().hits, 1u);
}

}  // namespace
}  // namespace ck::http
