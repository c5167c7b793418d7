#include "tools/sim/rate_limiter.h"

#include <gtest/gtest.h>

#include <regex>

namespace ck::sim {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(1'000'000'000);
  RateLimitOptions options_;
  RateLimiter make() { return RateLimiter(options_, clock_); }
};

TEST_F(RateLimiterTest, AllowsTenPerSecondAndCountsDownInTheHeader) {
  RateLimiter rl = make();
  for (int i = 0; i < 10; ++i) {
    RateDecision d = rl.check("1.2.3.4", "candles");
    EXPECT_EQ(d.verdict, RateVerdict::kAllowed);
    EXPECT_EQ(d.remaining_req, "group=candles; min=600; sec=" + std::to_string(9 - i));
  }
  RateDecision over = rl.check("1.2.3.4", "candles");
  EXPECT_EQ(over.verdict, RateVerdict::kTooMany);
  EXPECT_EQ(over.remaining_req, "group=candles; min=600; sec=0");
}

TEST_F(RateLimiterTest, HeaderMatchesPyupbitsStrictPattern) {
  RateLimiter rl = make();
  std::regex pattern("group=([a-z\\-]+); min=([0-9]+); sec=([0-9]+)");
  for (const char* g : {"candles", "market", "ticker", "websocket"}) {
    EXPECT_TRUE(std::regex_match(rl.check("ip", g).remaining_req, pattern)) << g;
  }
  EXPECT_TRUE(std::regex_match(rl.check("ip", "candles", true).remaining_req, pattern));
}

TEST_F(RateLimiterTest, ANewSecondRefillsTheBudget) {
  RateLimiter rl = make();
  for (int i = 0; i < 11; ++i) (void)rl.check("ip", "candles");
  clock_->advance_ms(1000);
  EXPECT_EQ(rl.check("ip", "candles").verdict, RateVerdict::kAllowed);
}

TEST_F(RateLimiterTest, GroupsAndIpsHaveSeparateBudgets) {
  RateLimiter rl = make();
  for (int i = 0; i < 10; ++i) (void)rl.check("a", "candles");
  EXPECT_EQ(rl.check("a", "candles").verdict, RateVerdict::kTooMany);
  EXPECT_EQ(rl.check("a", "market").verdict, RateVerdict::kAllowed);
  EXPECT_EQ(rl.check("a", "ticker").verdict, RateVerdict::kAllowed);
  EXPECT_EQ(rl.check("b", "candles").verdict, RateVerdict::kAllowed);
}

TEST_F(RateLimiterTest, RequestsWithAnOriginShareOnePerTenSeconds) {
  RateLimiter rl = make();
  RateDecision first = rl.check("ip", "candles", true);
  EXPECT_EQ(first.verdict, RateVerdict::kAllowed);
  EXPECT_EQ(first.remaining_req, "group=origin; min=6; sec=0");
  EXPECT_EQ(rl.check("ip", "ticker", true).verdict, RateVerdict::kTooMany);
  clock_->advance_ms(10'000);
  EXPECT_EQ(rl.check("ip", "ticker", true).verdict, RateVerdict::kAllowed);
}

TEST_F(RateLimiterTest, KeepingOnAfter429sEarnsA418Block) {
  options_.ban_after = 5;
  options_.first_block_ms = 4000;
  RateLimiter rl = make();
  for (int i = 0; i < 10; ++i) (void)rl.check("ip", "candles");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(rl.check("ip", "candles").verdict, RateVerdict::kTooMany);
  RateDecision blocked = rl.check("ip", "candles");
  EXPECT_EQ(blocked.verdict, RateVerdict::kBlocked);
  EXPECT_EQ(blocked.block_ms, 4000);
  clock_->advance_ms(2000);
  RateDecision still = rl.check("ip", "market");  // every group of the IP
  EXPECT_EQ(still.verdict, RateVerdict::kBlocked);
  EXPECT_EQ(still.block_left_ms, 2000);
  EXPECT_EQ(rl.check("other", "candles").verdict, RateVerdict::kAllowed);
  clock_->advance_ms(2000);
  EXPECT_EQ(rl.check("ip", "candles").verdict, RateVerdict::kAllowed);
}

TEST_F(RateLimiterTest, TheBlockTimeGrowsWithEachBlock) {
  options_.ban_after = 3;
  options_.first_block_ms = 1000;
  RateLimiter rl = make();
  int64_t expected = 1000;
  for (int round = 0; round < 3; ++round) {
    RateDecision d;
    for (int i = 0; i < 20 && d.verdict != RateVerdict::kBlocked; ++i) d = rl.check("ip", "candles");
    ASSERT_EQ(d.verdict, RateVerdict::kBlocked);
    EXPECT_EQ(d.block_ms, expected);
    clock_->advance_ms(expected);
    expected *= 2;
  }
}

TEST_F(RateLimiterTest, ZeroMeansUnlimitedButStillSendsTheHeader) {
  options_.per_second = 0;
  RateLimiter rl = make();
  for (int i = 0; i < 1000; ++i) {
    RateDecision d = rl.check("ip", "candles");
    ASSERT_EQ(d.verdict, RateVerdict::kAllowed);
    ASSERT_EQ(d.remaining_req, "group=candles; min=600; sec=9");
  }
}

}  // namespace
}  // namespace ck::sim
