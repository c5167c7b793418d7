#include "tools/sim/tick_size.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/sim/upbit_json.h"

namespace ck::sim {
namespace {

TEST(TickSize, FollowsTheKrwLadder) {
  EXPECT_EQ(krw_tick_size(160'000'000).value(), 1000);
  EXPECT_EQ(krw_tick_size(1'500'000).value(), 1000);
  EXPECT_EQ(krw_tick_size(999'999).value(), 500);
  EXPECT_EQ(krw_tick_size(100'000).value(), 100);
  EXPECT_EQ(krw_tick_size(99'999).value(), 50);
  EXPECT_EQ(krw_tick_size(10'000).value(), 10);
  EXPECT_EQ(krw_tick_size(9'999).value(), 5);
  EXPECT_EQ(krw_tick_size(4'999).value(), 1);
  EXPECT_EQ(krw_tick_size(100).value(), 1);
  EXPECT_EQ(krw_tick_size(99.5).value(), 0.01);
  EXPECT_EQ(krw_tick_size(5).value(), 0.001);
  EXPECT_EQ(krw_tick_size(0.5).value(), 0.0001);
}

TEST(TickSize, RoundsToTheNearestStepOfTheBand) {
  EXPECT_EQ(round_to_tick(47'108'499), 47'108'000);
  EXPECT_EQ(round_to_tick(47'108'501), 47'109'000);
  EXPECT_EQ(round_to_tick(12'344), 12'340);
  EXPECT_EQ(round_to_tick(7'777), 7'775);
  EXPECT_EQ(round_to_tick(55.556), 55.56);
}

TEST(TickSize, RoundedPricesAreOnTheLadderAndPrintExactly) {
  for (double p = 1.2345; p < 3e8; p *= 1.37) {
    double r = round_to_tick(p);
    EXPECT_TRUE(on_tick(r)) << p << " -> " << r;
    std::string text;
    append_fixed8(text, r);
    EXPECT_EQ(std::stod(text), r) << text;
  }
  EXPECT_FALSE(on_tick(12'345));  // 10 KRW steps in [10k, 50k)
  EXPECT_FALSE(on_tick(55.555));
}

}  // namespace
}  // namespace ck::sim
