#pragma once
// FileTier (L2): LZ4-compressed chunk files for the most recent days, one file per chunk
// (market, timeframe, day) under `<dir>/l2/`. Layout and header: docs/l2-file-format.md.
//
// Contract:
// - put() writes atomically (temp file, fsync, rename, fsync of the directory): after a crash or a
//   failed put, a reader sees the previous file or the new one, never a mix. Chunks that start
//   before the retention window are not stored (L2 holds recent days only) and put() returns OK.
// - get() verifies everything it reads — magic, version, header checksum, the key against the
//   file's path, sizes, payload checksum, decompressed length and the candle rules — and never
//   returns a wrong candle. A damaged or truncated file is removed, counted in corrupt_files and
//   reported as a miss (OK with no value), so the caller serves the chunk from L3 and put()s it
//   again. An error Status means the disk itself failed (e.g. a read error); also a miss.
// - Retention: chunks whose start is before the first day of the window (today, by the injected
//   clock, and the retention_days - 1 days before it) are removed by enforce_retention() and on
//   open(). The byte budget is enforced after every put(), removing the oldest chunks first.
// - open() rebuilds the index (entries, bytes) by scanning the directory and removes leftover
//   temp files of interrupted writes. One FileTier per directory at a time.
// - Thread-safe: calls on the same chunk are serialized; calls on different chunks run in parallel.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cache/chunk_key.h"
#include "cache/file_system.h"
#include "timeframe/candle_series.h"
#include "timeframe/clock.h"
#include "timeframe/result.h"

namespace spdlog {
class logger;
}

namespace ck {

struct FileTierOptions {
  // The data directory; chunk files go under dir + "/l2". Required.
  std::string dir;
  // Days kept, counting today (UTC, by `clock`). Clamped to at least 1. Default 7.
  int retention_days = 7;
  // Bytes of chunk files (headers included) kept on disk; the oldest go first. Default 1 GiB.
  uint64_t budget_bytes = uint64_t{1} << 30;
  // Default: SystemClock::shared().
  std::shared_ptr<Clock> clock;
  // Not owned; must outlive the tier. Default: FileSystem::posix().
  FileSystem* fs = nullptr;
  // Warnings (corrupt files, failed removals) go here. Default: spdlog's default logger.
  std::shared_ptr<spdlog::logger> logger;
};

struct FileTierStats {
  uint64_t entries = 0;  // chunk files in the index
  uint64_t bytes = 0;    // their total size on disk
  uint64_t hits = 0;
  uint64_t misses = 0;         // absent, corrupt or unreadable
  uint64_t evictions = 0;      // files removed by the budget or retention
  uint64_t corrupt_files = 0;  // files that failed verification and were removed
};

class FileTier {
 public:
  static Result<std::unique_ptr<FileTier>> open(FileTierOptions options);
  ~FileTier();
  FileTier(const FileTier&) = delete;
  FileTier& operator=(const FileTier&) = delete;

  // Stores `series` as the chunk `key`, replacing any previous file. The series must pass
  // validate(kMinuteMs) and start at or after key.start (else kInvalidArgument, nothing written).
  Status put(const ChunkKey& key, const CandleSeries& series);
  // The chunk, or std::nullopt on a miss (absent, or corrupt and now removed).
  Result<std::optional<CandleSeries>> get(const ChunkKey& key);
  // Removes the chunk's file if there is one (invalidation). Failures are logged, not returned:
  // a file left behind is still verified on every read.
  void erase(const ChunkKey& key);
  // Removes chunks older than the retention window; see the contract above.
  Status enforce_retention();

  FileTierStats stats() const;
  // Where `key`'s file lives (for tools and tests).
  std::string path_of(const ChunkKey& key) const;

 private:
  // Oldest first, so the index is also the eviction order.
  struct OlderFirst {
    bool operator()(const ChunkKey& a, const ChunkKey& b) const;
  };
  static constexpr size_t kStripes = 64;

  explicit FileTier(FileTierOptions options);
  Status scan();
  std::mutex& stripe(const ChunkKey& key);
  Timestamp retention_start() const;
  // Removes `key`'s file and index entry; false if it was not in the index. `why` (null: silent)
  // labels a failed removal in the log. REQUIRES: stripe(key) held.
  bool remove_locked(const ChunkKey& key, const char* why);
  // Removes the oldest chunks until the budget holds.
  void enforce_budget();

  FileTierOptions options_;
  std::string root_;  // options_.dir + "/l2"
  std::array<std::mutex, kStripes> stripes_;  // one chunk's file I/O at a time

  mutable std::mutex mu_;  // guards the index and the counters below
  std::map<ChunkKey, uint64_t, OlderFirst> index_;  // chunk -> file size
  uint64_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0, corrupt_ = 0;
};

}  // namespace ck
