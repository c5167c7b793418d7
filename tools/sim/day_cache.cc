#include "tools/sim/day_cache.h"

namespace ck::sim {

DayCache::DayCache(size_t capacity, Generator generator)
    : capacity_(capacity < 1 ? 1 : capacity), generator_(std::move(generator)) {}

std::shared_ptr<const MarketDay> DayCache::get(int market, int64_t day) {
  Key key{market, day};
  {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      ++hits_;
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.day;
    }
    ++misses_;
  }
  auto generated = std::make_shared<const MarketDay>(generator_(market, day));
  std::lock_guard lock(mu_);
  auto it = map_.find(key);
  if (it != map_.end()) return it->second.day;  // another thread won the race
  lru_.push_front(key);
  map_.emplace(key, Entry{generated, lru_.begin()});
  bytes_ += generated->memory_bytes();
  while (map_.size() > capacity_) {
    auto victim = map_.find(lru_.back());
    bytes_ -= victim->second.day->memory_bytes();
    map_.erase(victim);
    lru_.pop_back();
    ++evictions_;
  }
  return generated;
}

DayCacheStats DayCache::stats() const {
  std::lock_guard lock(mu_);
  return DayCacheStats{hits_, misses_, evictions_, map_.size(), bytes_};
}

}  // namespace ck::sim
