#include "cache/memory_tier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

namespace ck {
namespace {

constexpr Timestamp kDay0 = 19'700 * kDayMs;  // 2023-12-09

ChunkKey key_of(uint32_t market, Timestamp start = kDay0, uint32_t tf = 1) {
  return ChunkKey{market, tf, 0, start};
}

// n one-minute candles from `start`; every price is `mark`, so a reader can tell versions apart
// and notice a torn or freed series.
CandleSeries series_of(size_t n, Timestamp start = kDay0, double mark = 1.0) {
  CandleSeries s;
  for (size_t i = 0; i < n; ++i) s.push_back(Candle{start + Timestamp(i) * kMinuteMs, mark, mark, mark, mark, 1, mark});
  return s;
}

// A single-shard tier that fits exactly `entries` entries of `n` candles.
MemoryTier tier_for(size_t entries, size_t n = 10) {
  return MemoryTier(MemoryTierOptions{entries * MemoryTier::charge_of(series_of(n)), 1});
}

TEST(MemoryTierTest, LookupOfAbsentKeyIsEmptyAndCountsMiss) {
  MemoryTier tier;
  EXPECT_FALSE(tier.lookup(key_of(1)));
  EXPECT_EQ(tier.stats().misses, 1u);
  EXPECT_EQ(tier.stats().hits, 0u);
}

TEST(MemoryTierTest, InsertedSeriesIsFoundAndCountsHit) {
  MemoryTier tier;
  ASSERT_TRUE(tier.insert(key_of(1), series_of(5, kDay0, 7.0)));
  auto pin = tier.lookup(key_of(1));
  ASSERT_TRUE(pin);
  EXPECT_EQ(pin.key(), key_of(1));
  EXPECT_EQ(pin->size(), 5u);
  EXPECT_EQ(pin->close()[4], 7.0);
  EXPECT_EQ(tier.stats().hits, 1u);
  EXPECT_EQ(tier.stats().entries, 1u);
  EXPECT_EQ(tier.stats().bytes, MemoryTier::charge_of(series_of(5)));
}

TEST(MemoryTierTest, KeysDifferingInAnyFieldAreDistinct) {
  MemoryTier tier;
  ChunkKey base{1, 60, 0, kDay0};
  tier.insert(base, series_of(1, kDay0, 1));
  ChunkKey others[] = {{2, 60, 0, kDay0}, {1, 15, 0, kDay0}, {1, 60, 540, kDay0}, {1, 60, 0, kDay0 + kDayMs}};
  for (const auto& k : others) EXPECT_FALSE(tier.lookup(k));
  EXPECT_TRUE(tier.lookup(base));
}

TEST(MemoryTierTest, EvictionKeepsBytesWithinCapacity) {
  MemoryTier tier(MemoryTierOptions{200'000, 4});
  std::mt19937 rng(1);
  for (uint32_t i = 0; i < 500; ++i) {
    (void)tier.insert(key_of(i), series_of(rng() % 300));
    ASSERT_LE(tier.stats().bytes, tier.capacity()) << "after insert " << i;
  }
  EXPECT_GT(tier.stats().evictions, 0u);
  EXPECT_EQ(tier.stats().rejected_inserts, 0u);
}

TEST(MemoryTierTest, EvictsLeastRecentlyUsedFirst) {
  MemoryTier tier = tier_for(3);
  for (uint32_t m : {1, 2, 3}) (void)tier.insert(key_of(m), series_of(10));
  (void)tier.lookup(key_of(1));  // 1 is now the most recently used; 2 is the oldest
  (void)tier.insert(key_of(4), series_of(10));
  EXPECT_FALSE(tier.lookup(key_of(2)));
  EXPECT_TRUE(tier.lookup(key_of(1)));
  EXPECT_TRUE(tier.lookup(key_of(3)));
  EXPECT_TRUE(tier.lookup(key_of(4)));
  EXPECT_EQ(tier.stats().evictions, 1u);
}

TEST(MemoryTierTest, PinnedEntrySurvivesEviction) {
  MemoryTier tier = tier_for(3);
  auto pinned = tier.insert(key_of(1), series_of(10, kDay0, 42.0));
  for (uint32_t m = 2; m < 50; ++m) (void)tier.insert(key_of(m), series_of(10));
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->close()[9], 42.0);
  EXPECT_TRUE(tier.lookup(key_of(1))) << "a pinned entry is not evictable, so it stays findable";
  EXPECT_LE(tier.stats().bytes, tier.capacity());
}

TEST(MemoryTierTest, PinKeepsSeriesValidAfterErase) {
  MemoryTier tier = tier_for(3);
  auto pin = tier.insert(key_of(1), series_of(10, kDay0, 3.5));
  std::span<const double> close = pin->close();
  EXPECT_TRUE(tier.erase(key_of(1)));
  EXPECT_FALSE(tier.lookup(key_of(1)));
  EXPECT_EQ(tier.stats().entries, 0u);
  // Still charged: the memory is alive until the pin goes.
  EXPECT_EQ(tier.stats().bytes, MemoryTier::charge_of(series_of(10)));
  EXPECT_EQ(close[9], 3.5);
  pin.reset();
  EXPECT_EQ(tier.stats().bytes, 0u);
  EXPECT_EQ(tier.stats().pinned_entries, 0u);
}

TEST(MemoryTierTest, EraseOfAbsentKeyReturnsFalse) {
  MemoryTier tier;
  EXPECT_FALSE(tier.erase(key_of(9)));
}

TEST(MemoryTierTest, StrictBudgetRejectsInsertThatWouldDropPinnedData) {
  MemoryTier tier = tier_for(2);
  auto a = tier.insert(key_of(1), series_of(10));
  auto b = tier.insert(key_of(2), series_of(10));
  auto c = tier.insert(key_of(3), series_of(10));
  EXPECT_FALSE(c);
  EXPECT_FALSE(tier.lookup(key_of(3)));
  EXPECT_TRUE(tier.lookup(key_of(1)));
  EXPECT_TRUE(tier.lookup(key_of(2)));
  auto st = tier.stats();
  EXPECT_EQ(st.rejected_inserts, 1u);
  EXPECT_EQ(st.evictions, 0u);
  EXPECT_LE(st.bytes, tier.capacity());
}

TEST(MemoryTierTest, ErasedButPinnedDataStillCountsAgainstBudget) {
  MemoryTier tier = tier_for(2);
  auto a = tier.insert(key_of(1), series_of(10));
  auto b = tier.insert(key_of(2), series_of(10));
  tier.erase(key_of(1));
  tier.erase(key_of(2));
  EXPECT_FALSE(tier.insert(key_of(3), series_of(10))) << "the erased entries' memory is still in use";
  a.reset();
  EXPECT_TRUE(tier.insert(key_of(3), series_of(10)));
}

TEST(MemoryTierTest, RejectedInsertDoesNotEvictAnything) {
  MemoryTier tier = tier_for(3);
  auto a = tier.insert(key_of(1), series_of(10));
  auto b = tier.insert(key_of(2), series_of(10));
  (void)tier.insert(key_of(3), series_of(10));  // unpinned
  EXPECT_FALSE(tier.insert(key_of(4), series_of(25)));  // needs more than the unpinned room
  EXPECT_TRUE(tier.lookup(key_of(3)));
  EXPECT_EQ(tier.stats().evictions, 0u);
}

TEST(MemoryTierTest, EntryLargerThanCapacityIsRejected) {
  MemoryTier tier = tier_for(2);
  EXPECT_FALSE(tier.insert(key_of(1), series_of(100)));
  EXPECT_EQ(tier.stats().rejected_inserts, 1u);
  EXPECT_EQ(tier.stats().bytes, 0u);
}

TEST(MemoryTierTest, ReplacingKeepsOldPinValidAndServesNewValue) {
  MemoryTier tier = tier_for(3);
  auto old_pin = tier.insert(key_of(1), series_of(10, kDay0, 1.0));
  (void)tier.insert(key_of(1), series_of(10, kDay0, 2.0));
  EXPECT_EQ(old_pin->close()[0], 1.0);
  auto fresh = tier.lookup(key_of(1));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->close()[0], 2.0);
  EXPECT_EQ(tier.stats().entries, 1u);
  EXPECT_EQ(tier.stats().bytes, 2 * MemoryTier::charge_of(series_of(10)));
}

TEST(MemoryTierTest, RejectedReplacementStillDropsStaleEntry) {
  MemoryTier tier = tier_for(2);
  (void)tier.insert(key_of(1), series_of(10, kDay0, 1.0));
  EXPECT_FALSE(tier.insert(key_of(1), series_of(100, kDay0, 2.0)));
  EXPECT_FALSE(tier.lookup(key_of(1)));
}

TEST(MemoryTierTest, EraseIfRemovesOnlyMatchingEntriesOfThatMarket) {
  MemoryTier tier(MemoryTierOptions{size_t{64} << 20, 16});
  for (uint32_t m : {1, 2}) {
    for (int d = 0; d < 10; ++d) (void)tier.insert(key_of(m, kDay0 + d * kDayMs), series_of(3));
  }
  size_t n = tier.erase_if(1, [](const ChunkKey& k) { return k.start >= kDay0 + 5 * kDayMs; });
  EXPECT_EQ(n, 5u);
  for (int d = 0; d < 10; ++d) {
    EXPECT_EQ(bool(tier.lookup(key_of(1, kDay0 + d * kDayMs))), d < 5) << d;
    EXPECT_TRUE(tier.lookup(key_of(2, kDay0 + d * kDayMs))) << d;
  }
}

TEST(MemoryTierTest, EraseRangeInvalidatesExactlyTheChunksBuiltOnChangedMinutes) {
  MemoryTier tier;
  const Timestamp day1 = kDay0 + kDayMs, day2 = kDay0 + 2 * kDayMs;
  const ChunkKey kept[] = {key_of(1, kDay0, 1), key_of(1, kDay0, 60), key_of(1, day2, 240), key_of(2, day1, 1),
                           ChunkKey{1, 10080, 0, day2}};
  const ChunkKey dropped[] = {key_of(1, day1, 1), key_of(1, day1, 15), key_of(1, day1, 1440),
                              ChunkKey{1, 10080, 0, kDay0}};
  for (const auto& k : kept) (void)tier.insert(k, series_of(1));
  for (const auto& k : dropped) (void)tier.insert(k, series_of(1));
  EXPECT_EQ(tier.erase_range(1, TimeRange{day1 + 5 * kMinuteMs, day1 + 6 * kMinuteMs}), std::size(dropped));
  for (const auto& k : kept) EXPECT_TRUE(tier.lookup(k)) << k.timeframe_minutes << " " << k.start;
  for (const auto& k : dropped) EXPECT_FALSE(tier.lookup(k)) << k.timeframe_minutes << " " << k.start;
}

TEST(MemoryTierTest, EmptyRangeInvalidatesNothing) {
  MemoryTier tier;
  (void)tier.insert(key_of(1), series_of(1));
  EXPECT_EQ(tier.erase_range(1, TimeRange{kDay0, kDay0}), 0u);
  EXPECT_TRUE(tier.lookup(key_of(1)));
}

TEST(MemoryTierTest, CountersAddUp) {
  MemoryTier tier = tier_for(2);
  (void)tier.insert(key_of(1), series_of(10));
  (void)tier.insert(key_of(2), series_of(10));
  (void)tier.insert(key_of(3), series_of(10));  // evicts 1
  (void)tier.lookup(key_of(1));
  (void)tier.lookup(key_of(2));
  (void)tier.lookup(key_of(3));
  auto st = tier.stats();
  EXPECT_EQ(st.entries, 2u);
  EXPECT_EQ(st.bytes, 2 * MemoryTier::charge_of(series_of(10)));
  EXPECT_EQ(st.hits, 2u);
  EXPECT_EQ(st.misses, 1u);
  EXPECT_EQ(st.evictions, 1u);
  EXPECT_EQ(st.rejected_inserts, 0u);
  EXPECT_EQ(st.pinned_entries, 0u);
}

TEST(MemoryTierTest, MovedPinTransfersTheHold) {
  MemoryTier tier = tier_for(1);
  auto a = tier.insert(key_of(1), series_of(10));
  MemoryTier::Pin b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from pins are empty by contract
  ASSERT_TRUE(b);
  EXPECT_EQ(tier.stats().pinned_entries, 1u);
  MemoryTier::Pin c;
  c = std::move(b);
  EXPECT_EQ(tier.stats().pinned_entries, 1u);
  c = MemoryTier::Pin();
  EXPECT_EQ(tier.stats().pinned_entries, 0u);
}

TEST(MemoryTierTest, ShardCountFollowsCapacity) {
  EXPECT_EQ(MemoryTier().shard_count(), 16u);
  EXPECT_EQ(MemoryTier(MemoryTierOptions{size_t{1} << 20}).shard_count(), 1u);
  EXPECT_EQ(MemoryTier(MemoryTierOptions{size_t{4} << 20}).shard_count(), 4u);
  EXPECT_EQ(MemoryTier(MemoryTierOptions{size_t{1} << 20, 3}).shard_count(), 2u);
  EXPECT_EQ(MemoryTier(MemoryTierOptions{size_t{1} << 20, 1000}).shard_count(), 64u);
}

// Readers look up, pin and verify while a writer replaces, erases and invalidates, in a tier small
// enough to evict constantly. Built a second time with ThreadSanitizer (memory_tier_tsan_test),
// which fails the run on any data race.
TEST(MemoryTierTest, ConcurrentReadersAndWriterKeepInvariants) {
  constexpr uint32_t kMarkets = 8, kDays = 16;
  constexpr int kReaders = 4, kReaderOps = 20000, kWriterOps = 20000;
  MemoryTier tier(MemoryTierOptions{40 * MemoryTier::charge_of(series_of(60)), 4});
  auto key_at = [](uint32_t i) { return key_of(i % kMarkets, kDay0 + Timestamp(i / kMarkets % kDays) * kDayMs); };
  // A series is "whole" if every candle carries the same mark and it starts at its key's start.
  auto whole = [](const MemoryTier::Pin& p) {
    const CandleSeries& s = p.series();
    if (s.empty() || s.time()[0] != p.key().start) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s.close()[i] != s.close()[0] || s.value()[i] != s.close()[0]) return false;
    }
    return true;
  };

  std::atomic<int> broken{0};
  std::atomic<bool> over_budget{false};
  std::vector<std::thread> threads;
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937 rng(100 + r);
      std::vector<MemoryTier::Pin> held;
      for (int op = 0; op < kReaderOps; ++op) {
        ChunkKey k = key_at(rng() % (kMarkets * kDays));
        MemoryTier::Pin p = tier.lookup(k);
        if (!p && rng() % 4 == 0) p = tier.insert(k, series_of(1 + rng() % 60, k.start, double(rng() % 1000)));
        if (p && !whole(p)) ++broken;
        if (p && held.size() < 6) held.push_back(std::move(p));
        if (!held.empty() && rng() % 3 == 0) {
          size_t i = rng() % held.size();
          if (!whole(held[i])) ++broken;  // still intact however long it was held
          held.erase(held.begin() + long(i));
        }
      }
    });
  }
  threads.emplace_back([&] {
    std::mt19937 rng(7);
    for (int op = 0; op < kWriterOps; ++op) {
      uint32_t i = rng() % (kMarkets * kDays);
      ChunkKey k = key_at(i);
      switch (rng() % 8) {
        case 0: tier.erase(k); break;
        case 1: tier.erase_range(k.market_id, TimeRange{k.start, k.start + kMinuteMs}); break;
        case 2: tier.erase_if(k.market_id, [](const ChunkKey& c) { return c.start % (2 * kDayMs) == 0; }); break;
        default: (void)tier.insert(k, series_of(1 + rng() % 60, k.start, double(op))); break;
      }
      if (tier.stats().bytes > tier.capacity()) over_budget = true;
    }
  });
  for (auto& t : threads) t.join();

  EXPECT_EQ(broken.load(), 0);
  EXPECT_FALSE(over_budget.load());
  auto st = tier.stats();
  EXPECT_EQ(st.pinned_entries, 0u);
  EXPECT_GT(st.evictions, 0u);
  // Accounting did not drift: dropping everything leaves nothing charged.
  for (uint32_t m = 0; m < kMarkets; ++m) tier.erase_if(m, [](const ChunkKey&) { return true; });
  EXPECT_EQ(tier.stats().entries, 0u);
  EXPECT_EQ(tier.stats().bytes, 0u);
}

}  // namespace
}  // namespace ck
