#include "tools/sim/day_cache.h"

#include <gtest/gtest.h>

namespace ck::sim {
namespace {

DayCache::Generator counting(int* calls) {
  return [calls](int market, int64_t day) {
    ++*calls;
    MarketDay d;
    d.day = day;
    d.bars.resize(size_t(market + 1));
    return d;
  };
}

TEST(DayCache, GeneratesADayOnceWhileItStaysCached) {
  int calls = 0;
  DayCache cache(4, counting(&calls));
  auto a = cache.get(1, 100);
  auto b = cache.get(1, 100);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 1u);
}

TEST(DayCache, HoldsAtMostItsCapacityEvictingTheLeastRecentlyUsed) {
  int calls = 0;
  DayCache cache(3, counting(&calls));
  cache.get(0, 1);
  cache.get(0, 2);
  cache.get(0, 3);
  cache.get(0, 1);  // 1 is now the most recent; 2 is the oldest
  cache.get(0, 4);
  EXPECT_EQ(cache.stats().entries, 3u);
  EXPECT_EQ(cache.stats().evictions, 1u);
  calls = 0;
  cache.get(0, 1);
  EXPECT_EQ(calls, 0);
  cache.get(0, 2);
  EXPECT_EQ(calls, 1);
}

TEST(DayCache, AReaderKeepsAnEvictedDayAlive) {
  int calls = 0;
  DayCache cache(1, counting(&calls));
  auto held = cache.get(5, 10);
  cache.get(5, 11);
  EXPECT_EQ(held->day, 10);
  EXPECT_EQ(held->bars.size(), 6u);
}

TEST(DayCache, AccountsTheBytesItHolds) {
  int calls = 0;
  DayCache cache(2, counting(&calls));
  cache.get(99, 1);
  size_t one = cache.stats().bytes;
  EXPECT_GE(one, 100 * sizeof(MinuteBar));
  cache.get(99, 2);
  cache.get(99, 3);
  EXPECT_EQ(cache.stats().bytes, 2 * one);
}

}  // namespace
}  // namespace ck::sim
