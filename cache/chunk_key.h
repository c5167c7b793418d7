#pragma once
// ChunkKey: names one chunk of stored candles — one market's candles of one timeframe for one
// period starting at `start` (a UTC day for 1-minute chunks and for timeframes that divide a day).
// Shared by every tier, so a chunk has the same name in memory, in files and in RocksDB.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "timeframe/timestamp.h"

namespace ck {

struct ChunkKey {
  uint32_t market_id = 0;
  uint32_t timeframe_minutes = 1;  // 1 for the 1-minute source data; 15, 60, 240, 1440, 10080 for derived
  int32_t origin_minutes = 0;      // day origin of 1d / 1w chunks (0 otherwise)
  Timestamp start = 0;             // first instant the chunk covers

  friend bool operator==(const ChunkKey&, const ChunkKey&) = default;
};

struct ChunkKeyHash {
  size_t operator()(const ChunkKey& k) const {
    uint64_t h = uint64_t(k.market_id) * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t(k.timeframe_minutes) << 32 | uint32_t(k.origin_minutes)) + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
    h ^= uint64_t(k.start) + 0x94D049BB133111EBull + (h << 6) + (h >> 2);
    return size_t(h);
  }
};

}  // namespace ck
