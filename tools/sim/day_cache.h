#pragma once
// DayCache: a bounded LRU of generated MarketDays keyed by (market, day), so 200 markets × a year
// of minutes never sit in memory at once: a day is generated on first use (about a millisecond
// for a liquid market) and evicted when `capacity` days are held. Entries are shared_ptrs, so a
// reader keeps its day alive across an eviction. Thread-safe; generation runs outside the lock (two
// threads may generate the same day once each; the results are identical).
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "tools/sim/market_day.h"

namespace ck::sim {

struct DayCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;  // = days generated
  uint64_t evictions = 0;
  size_t entries = 0;
  size_t bytes = 0;  // memory held by cached days
};

class DayCache {
 public:
  using Generator = std::function<MarketDay(int market, int64_t day)>;
  // REQUIRES: capacity >= 1.
  DayCache(size_t capacity, Generator generator);

  std::shared_ptr<const MarketDay> get(int market, int64_t day);
  DayCacheStats stats() const;

 private:
  struct Key {
    int market;
    int64_t day;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<int64_t>()(k.day * 1315423911LL + k.market); }
  };
  struct Entry {
    std::shared_ptr<const MarketDay> day;
    std::list<Key>::iterator lru;
  };

  const size_t capacity_;
  Generator generator_;
  mutable std::mutex mu_;
  std::list<Key> lru_;  // front = most recent
  std::unordered_map<Key, Entry, KeyHash> map_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

}  // namespace ck::sim
