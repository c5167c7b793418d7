#include "tools/http/counting_source.h"

#include <gtest/gtest.h>

#include "tests/support/fake_candle_source.h"

namespace ck::http {
namespace {

constexpr Timestamp kDay0 = 1717200000000;

TEST(CountingSource, CountsPagesCandlesAndFailures) {
  auto fake = std::make_shared<testing::FakeCandleSource>();
  fake->add_market("KRW-BTC", testing::make_minutes({kDay0, kDay0 + kDayMs}, 1.0, 1));
  CountingSource source(fake);
  ASSERT_TRUE(source.minutes("KRW-BTC", kDay0 + kDayMs, 200));
  ASSERT_TRUE(source.minutes("KRW-BTC", kDay0 + kDayMs - 200 * kMinuteMs, 50));
  EXPECT_FALSE(source.minutes("KRW-NOPE", kDay0 + kDayMs, 200));
  fake->too_many_rate = 1.0;
  EXPECT_FALSE(source.minutes("KRW-BTC", kDay0 + kDayMs, 200));
  SourceCounts c = source.counts();
  EXPECT_EQ(c.pages, 2u);
  EXPECT_EQ(c.candles, 250u);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(c.rate_limited, 1u);
  EXPECT_EQ(source.describe(), fake->describe());
}

}  // namespace
}  // namespace ck::http
