#include "tools/sim/faults.h"

#include <gtest/gtest.h>

namespace ck::sim {
namespace {

TEST(Faults, NothingFiresByDefault) {
  FaultInjector f(FaultOptions{});
  for (int i = 0; i < 1000; ++i) {
    FaultPlan p = f.plan(i);
    ASSERT_EQ(p.delay_ms, 0);
    ASSERT_FALSE(p.storm_429 || p.malformed || p.reset || p.status_5xx);
  }
}

TEST(Faults, FiveXxFiresAtAboutItsProbabilityWithServerErrorCodes) {
  FaultOptions o;
  o.error_5xx = 0.25;
  FaultInjector f(o);
  int hits = 0;
  for (int i = 0; i < 4000; ++i) {
    FaultPlan p = f.plan(i);
    if (p.status_5xx) {
      ++hits;
      EXPECT_GE(p.status_5xx, 500);
      EXPECT_LE(p.status_5xx, 504);
    }
  }
  EXPECT_NEAR(hits / 4000.0, 0.25, 0.04);
}

TEST(Faults, AStormAnswers429ForItsWholeLength) {
  FaultOptions o;
  o.storm_429 = 0.5;
  o.storm_429_ms = 100;
  FaultInjector f(o);
  int64_t t = 0;
  while (!f.plan(t).storm_429) ++t;
  for (int64_t u = t; u < t + 100; u += 10) EXPECT_TRUE(f.plan(u).storm_429) << u - t;
}

TEST(Faults, LatencyIsDrawnAroundTheMeanAndCapped) {
  FaultOptions o;
  o.latency_ms = 20;
  FaultInjector f(o);
  double sum = 0;
  for (int i = 0; i < 2000; ++i) {
    FaultPlan p = f.plan(i);
    ASSERT_GE(p.delay_ms, 1);
    ASSERT_LE(p.delay_ms, 200);
    sum += double(p.delay_ms);
  }
  EXPECT_NEAR(sum / 2000, 20, 3);
}

TEST(Faults, TheSameSeedDrawsTheSameFaults) {
  FaultOptions o;
  o.malformed = 0.3;
  o.reset = 0.3;
  FaultInjector a(o), b(o);
  for (int i = 0; i < 200; ++i) {
    FaultPlan x = a.plan(i), y = b.plan(i);
    ASSERT_EQ(x.malformed, y.malformed);
    ASSERT_EQ(x.reset, y.reset);
    ASSERT_EQ(x.cut_permille, y.cut_permille);
  }
}

}  // namespace
}  // namespace ck::sim
