#include "cache/memory_tier.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace ck {

// One cached chunk. Lives while it is in the table or pinned; `pins`, `in_table` and the list links
// are guarded by the owning shard's mutex. The series itself is immutable, so pins read it unlocked.
struct MemoryTier::Entry {
  ChunkKey key;
  std::shared_ptr<const CandleSeries> series;
  size_t charge = 0;
  uint32_t pins = 0;
  bool in_table = false;
  // Links in the shard's LRU list; used only while in_table && pins == 0 (i.e. evictable).
  Entry* prev = nullptr;
  Entry* next = nullptr;
};

// Cache-line aligned so that two shards' mutexes and counters never share a line.
struct alignas(64) MemoryTier::Shard {
  mutable std::mutex mu;
  size_t capacity = 0;
  size_t usage = 0;         // charge of every live entry (in the table or pinned)
  size_t pinned_bytes = 0;  // charge of entries with pins > 0: what eviction cannot free
  uint64_t pinned_entries = 0, hits = 0, misses = 0, evictions = 0, rejected = 0;
  std::unordered_map<ChunkKey, Entry*, ChunkKeyHash> table;
  // Per-market index, so invalidation touches only that market's entries.
  std::unordered_map<uint32_t, std::unordered_set<Entry*>> by_market;
  Entry lru;  // circular list head: lru.next is the least recently released entry

  Shard() { lru.prev = lru.next = &lru; }

  void lru_unlink(Entry* e) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->prev = e->next = nullptr;
  }
  void lru_append(Entry* e) {
    e->next = &lru;
    e->prev = lru.prev;
    lru.prev->next = e;
    lru.prev = e;
  }

  void ref(Entry* e) {
    if (e->pins++ == 0) {
      if (e->in_table) lru_unlink(e);
      ++pinned_entries;
      pinned_bytes += e->charge;
    }
  }
  // Returns the entry if it is now dead; the caller deletes it after unlocking, so a large series is
  // not freed while other threads wait for this shard.
  Entry* unref(Entry* e) {
    assert(e->pins > 0);
    if (--e->pins > 0) return nullptr;
    --pinned_entries;
    pinned_bytes -= e->charge;
    if (e->in_table) {
      lru_append(e);
      return nullptr;
    }
    usage -= e->charge;
    return e;
  }
  // Removes `e` from the table; returns it if nothing pins it (dead), else it lives on for its pins.
  Entry* detach(Entry* e) {
    table.erase(e->key);
    auto m = by_market.find(e->key.market_id);
    m->second.erase(e);
    if (m->second.empty()) by_market.erase(m);
    e->in_table = false;
    if (e->pins > 0) return nullptr;
    lru_unlink(e);
    usage -= e->charge;
    return e;
  }
};

namespace {

// Spreads ChunkKeyHash over the high bits that pick the shard (a MurmurHash3-style finalizer).
uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

size_t pick_shards(const MemoryTierOptions& o) {
  size_t n = 16;
  if (o.shards > 0) {
    n = 1;
    while (n * 2 <= size_t(std::min(o.shards, 64))) n *= 2;
    return n;
  }
  while (n > 1 && o.capacity_bytes / n < (size_t{1} << 20)) n /= 2;
  return n;
}

}  // namespace

MemoryTier::Pin& MemoryTier::Pin::operator=(Pin&& o) noexcept {
  if (this != &o) {
    reset();
    shard_ = o.shard_;
    entry_ = o.entry_;
    o.shard_ = nullptr;
    o.entry_ = nullptr;
  }
  return *this;
}

const CandleSeries& MemoryTier::Pin::series() const {
  assert(entry_ != nullptr);
  return *entry_->series;
}

const ChunkKey& MemoryTier::Pin::key() const {
  assert(entry_ != nullptr);
  return entry_->key;
}

void MemoryTier::Pin::reset() {
  if (entry_ == nullptr) return;
  Entry* dead;
  {
    std::lock_guard lock(shard_->mu);
    dead = shard_->unref(entry_);
  }
  delete dead;
  shard_ = nullptr;
  entry_ = nullptr;
}

MemoryTier::MemoryTier(MemoryTierOptions options) : capacity_(options.capacity_bytes) {
  size_t n = pick_shards(options);
  shards_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Shard>());
    shards_.back()->capacity = capacity_ / n;  // rounding down keeps the total within capacity
  }
}

MemoryTier::~MemoryTier() {
  for (auto& s : shards_) {
    assert(s->pinned_entries == 0 && "a Pin outlived its MemoryTier");
    for (auto& [key, e] : s->table) delete e;
  }
}

size_t MemoryTier::charge_of(const CandleSeries& series) {
  // Columns, plus the entry, the series object and roughly two hash-node allocations.
  constexpr size_t kPerCandle = sizeof(Timestamp) + 6 * sizeof(double);
  return series.size() * kPerCandle + sizeof(Entry) + sizeof(CandleSeries) + 96;
}

MemoryTier::Shard& MemoryTier::shard_for(const ChunkKey& key) {
  if (shards_.size() == 1) return *shards_[0];
  int bits = std::countr_zero(shards_.size());
  return *shards_[mix(ChunkKeyHash{}(key)) >> (64 - bits)];
}

MemoryTier::Pin MemoryTier::lookup(const ChunkKey& key) {
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mu);
  auto it = s.table.find(key);
  if (it == s.table.end()) {
    ++s.misses;
    return {};
  }
  ++s.hits;
  s.ref(it->second);
  return Pin(&s, it->second);
}

MemoryTier::Pin MemoryTier::insert(const ChunkKey& key, CandleSeries series) {
  return insert(key, std::make_shared<const CandleSeries>(std::move(series)));
}

MemoryTier::Pin MemoryTier::insert(const ChunkKey& key, std::shared_ptr<const CandleSeries> series) {
  assert(series != nullptr);
  auto fresh = std::make_unique<Entry>();
  fresh->key = key;
  fresh->charge = charge_of(*series);
  fresh->series = std::move(series);

  Shard& s = shard_for(key);
  std::vector<Entry*> dead;
  Pin pin;
  {
    std::lock_guard lock(s.mu);
    if (auto it = s.table.find(key); it != s.table.end()) dead.push_back(s.detach(it->second));
    // Decide before evicting anything: only unpinned entries can make room.
    if (s.pinned_bytes + fresh->charge > s.capacity) {
      ++s.rejected;
    } else {
      while (s.usage + fresh->charge > s.capacity) {
        assert(s.lru.next != &s.lru);
        dead.push_back(s.detach(s.lru.next));
        ++s.evictions;
      }
      Entry* e = fresh.release();
      s.table.emplace(key, e);
      s.by_market[key.market_id].insert(e);
      s.usage += e->charge;
      s.ref(e);  // before marking it in the table: it was never on the LRU list
      e->in_table = true;
      pin = Pin(&s, e);
    }
  }
  for (Entry* e : dead) delete e;
  return pin;
}

bool MemoryTier::erase(const ChunkKey& key) {
  Shard& s = shard_for(key);
  Entry* dead = nullptr;
  {
    std::lock_guard lock(s.mu);
    auto it = s.table.find(key);
    if (it == s.table.end()) return false;
    dead = s.detach(it->second);
  }
  delete dead;
  return true;
}

size_t MemoryTier::erase_if(uint32_t market_id, const std::function<bool(const ChunkKey&)>& pred) {
  size_t erased = 0;
  for (auto& sp : shards_) {
    Shard& s = *sp;
    std::vector<Entry*> dead;
    {
      std::lock_guard lock(s.mu);
      auto m = s.by_market.find(market_id);
      if (m == s.by_market.end()) continue;
      std::vector<Entry*> victims;
      for (Entry* e : m->second) {
        if (pred(e->key)) victims.push_back(e);
      }
      // detach() edits the set being walked, so detach after the walk.
      for (Entry* e : victims) dead.push_back(s.detach(e));
      erased += victims.size();
    }
    for (Entry* e : dead) delete e;
  }
  return erased;
}

size_t MemoryTier::erase_range(uint32_t market_id, const TimeRange& changed) {
  if (changed.empty()) return 0;
  return erase_if(market_id, [&](const ChunkKey& k) {
    bool day_chunk = k.timeframe_minutes > 0 && 1440 % k.timeframe_minutes == 0;
    if (day_chunk) return changed.overlaps(TimeRange{k.start, k.start + kDayMs});
    return k.start < changed.to;
  });
}

MemoryTierStats MemoryTier::stats() const {
  MemoryTierStats out;
  for (auto& sp : shards_) {
    std::lock_guard lock(sp->mu);
    out.entries += sp->table.size();
    out.bytes += sp->usage;
    out.pinned_entries += sp->pinned_entries;
    out.hits += sp->hits;
    out.misses += sp->misses;
    out.evictions += sp->evictions;
    out.rejected_inserts += sp->rejected;
  }
  return out;
}

}  // namespace ck
