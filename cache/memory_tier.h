#pragma once
// MemoryTier (L1): decoded, immutable chunks (1-minute and derived timeframes) in memory, keyed by
// ChunkKey, in a sharded LRU bounded by bytes.
//
// Contract:
// - Each entry is charged charge_of(series) bytes against the capacity. The capacity is split evenly
//   over the shards (a key's shard is chosen by its hash); each shard is an LRU with its own mutex.
// - Readers pin what they use: lookup() and insert() return a move-only Pin. The series behind a
//   pin — and every span taken from it — stays valid exactly as long as the pin lives, even if the
//   entry is evicted, erased or replaced meanwhile. Eviction only ever drops unpinned entries,
//   least recently released first.
// - The budget is strict: memory still held by pins (including erased-but-pinned entries) is
//   charged until the last pin goes away, and an insert that cannot fit without dropping pinned
//   data is rejected (an empty Pin) and counted. bytes never exceed capacity.
// - Thread-safe: every method may be called concurrently. A single Pin is not shared between
//   threads without external synchronization, but may be moved to and released on any thread.
// REQUIRES: every Pin is released (destroyed or reset) before the MemoryTier is destroyed.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "cache/chunk_key.h"
#include "timeframe/candle_series.h"
#include "timeframe/time_range.h"

namespace ck {

struct MemoryTierOptions {
  // Total bytes the tier may hold, pinned data included. Default 256 MiB.
  size_t capacity_bytes = size_t{256} << 20;
  // Number of shards; rounded down to a power of two in [1, 64]. 0 (default) picks 16, or fewer so
  // that each shard holds at least 1 MiB (tiny capacities would otherwise fit no chunk at all).
  int shards = 0;
};

struct MemoryTierStats {
  uint64_t entries = 0;           // entries that lookup() can find
  uint64_t bytes = 0;             // charged bytes: findable entries + erased/replaced ones still pinned
  uint64_t pinned_entries = 0;    // entries (findable or not) with at least one live pin
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;         // unpinned entries dropped to make room
  uint64_t rejected_inserts = 0;  // inserts that did not fit without dropping pinned data
};

class MemoryTier {
  struct Shard;
  struct Entry;

 public:
  // A reference-counted hold on one entry. Empty when a lookup missed or an insert was rejected.
  class Pin {
   public:
    Pin() = default;
    ~Pin() { reset(); }
    Pin(Pin&& o) noexcept : shard_(o.shard_), entry_(o.entry_) {
      o.shard_ = nullptr;
      o.entry_ = nullptr;
    }
    Pin& operator=(Pin&& o) noexcept;
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;

    explicit operator bool() const { return entry_ != nullptr; }
    // REQUIRES: *this is not empty.
    const CandleSeries& series() const;
    const CandleSeries* operator->() const { return &series(); }
    const ChunkKey& key() const;
    // Releases the hold now (a no-op on an empty pin).
    void reset();

   private:
    friend class MemoryTier;
    Pin(Shard* s, Entry* e) : shard_(s), entry_(e) {}
    Shard* shard_ = nullptr;
    Entry* entry_ = nullptr;
  };

  explicit MemoryTier(MemoryTierOptions options = {});
  ~MemoryTier();
  MemoryTier(const MemoryTier&) = delete;
  MemoryTier& operator=(const MemoryTier&) = delete;

  // Bytes an entry holding `series` is charged: its columns plus a fixed bookkeeping overhead.
  static size_t charge_of(const CandleSeries& series);

  // Pins the entry for `key` (counts a hit) or returns an empty Pin (counts a miss).
  Pin lookup(const ChunkKey& key);

  // Stores `series` under `key`, replacing any entry there (a replaced entry stays valid for its
  // pins but can no longer be found), evicting least recently used unpinned entries as needed, and
  // returns a Pin on the new entry. If it cannot fit without dropping pinned data, or is larger than
  // a shard, nothing is stored, the rejection is counted and the Pin is empty; an older entry under
  // `key` is dropped even then, since the caller has just said it is stale.
  // REQUIRES: series != nullptr.
  Pin insert(const ChunkKey& key, std::shared_ptr<const CandleSeries> series);
  Pin insert(const ChunkKey& key, CandleSeries series);

  // Makes `key` unfindable. Its memory goes when its last pin does. Returns whether it was present.
  bool erase(const ChunkKey& key);
  // Erases every entry of `market_id` whose key satisfies `pred`; returns how many. `pred` runs
  // under a shard lock: it must be quick and must not call back into this tier.
  size_t erase_if(uint32_t market_id, const std::function<bool(const ChunkKey&)>& pred);
  // Invalidation after 1-minute candles of `market_id` in `changed` were written: erases every
  // entry that may contain a candle built from a minute in `changed`. A chunk whose timeframe
  // divides a day covers [start, start + 1 day); any other chunk is treated as covering everything
  // from its start on (over-invalidating is safe, missing one is not).
  size_t erase_range(uint32_t market_id, const TimeRange& changed);

  MemoryTierStats stats() const;
  size_t capacity() const { return capacity_; }
  size_t shard_count() const { return shards_.size(); }

 private:
  Shard& shard_for(const ChunkKey& key);

  size_t capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace ck
