#pragma once
// RocksTier (L3): the store of record in RocksDB — every 1-minute candle ever collected, the
// coverage of each market, the market directory, and room for run records and data-quality issues.
// Key and value layouts are frozen and versioned in docs/storage-format.md.
//
// Contract:
// - Candles are stored as one chunk per market and UTC day (cache/chunk_codec.h). write_minutes()
//   is an upsert: a new candle replaces the stored candle of the same minute, other minutes stay.
//   The chunks it touches, the coverage it extends and the per-market counters change in ONE
//   atomic WriteBatch, written with the WAL fsynced (options.sync_writes): once it returns OK the
//   write survives kill -9 (and, with sync, power loss); a write cut short leaves no part behind.
// - Writers of the same market are serialized internally; any number of readers run concurrently
//   with them (each read sees a consistent snapshot of one market). All methods are thread-safe.
// - Everything read from disk is verified (chunk checksums, coverage bytes); damage is reported as
//   kCorruption, never as wrong candles.
// - Column families: candles (LZ4 on upper levels, zstd at the bottom, bloom filters), coverage,
//   markets, runs, issues. One RocksTier per directory at a time (RocksDB holds a lock file).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/coverage.h"
#include "timeframe/candle_series.h"
#include "timeframe/result.h"
#include "timeframe/time_range.h"

namespace spdlog {
class logger;
}

namespace ck {

struct RocksTierOptions {
  // The RocksDB directory (e.g. <data dir>/l3). Required.
  std::string path;
  // Create the database (and its column families) when the directory holds none. Default true.
  bool create_if_missing = true;
  // fsync the WAL on every write, so an acknowledged write survives power loss, not only a killed
  // process. Default true; turning it off is for bulk loads that can be repeated.
  bool sync_writes = true;
  // Shared LRU cache of (compressed) blocks for all column families. Default 64 MiB; L1 above
  // holds the decoded hot data.
  size_t block_cache_bytes = size_t{64} << 20;
  // Bloom filter bits per key on the candles family (point lookups of absent days). Default 10.
  int bloom_bits_per_key = 10;
  // zstd level of the bottommost level. Default 6: chunks are already entropy coded, so higher
  // levels cost compaction time for little gain.
  int zstd_level = 6;
  // Warnings go here. Default: spdlog's default logger.
  std::shared_ptr<spdlog::logger> logger;
};

struct MarketInfo {
  uint32_t id = 0;
  std::string name;
  std::string metadata_json;  // "" until set_market_metadata()
};

struct MarketStats {
  uint64_t candles = 0;      // 1-minute candles stored
  uint64_t days = 0;         // day chunks stored
  uint64_t chunk_bytes = 0;  // encoded chunk bytes (codec output, before RocksDB compression)
  // Bytes of the market's candle key range in SST files (RocksDB's GetApproximateSizes: block
  // granular, excludes the memtable and the WAL). Exact enough after flush_and_compact().
  uint64_t l3_bytes = 0;
};

// The opaque record families a later issue fills.
enum class RecordFamily : uint8_t { kRuns, kIssues };

class RocksTier {
 public:
  // Opens (or creates) the database. kFailedPrecondition when the directory holds a database of
  // another layout version; kIOError when RocksDB cannot open it (e.g. locked by another process).
  static Result<std::unique_ptr<RocksTier>> open(const RocksTierOptions& options);
  ~RocksTier();
  RocksTier(const RocksTier&) = delete;
  RocksTier& operator=(const RocksTier&) = delete;

  // ---- markets ------------------------------------------------------------------------------
  // The id of market `name` (e.g. "KRW-BTC"). A new name gets the next id when `create`, else
  // kNotFound. Ids are dense from 1 and never reused.
  Result<uint32_t> market_id(std::string_view name, bool create);
  // Every market, by id.
  Result<std::vector<MarketInfo>> markets();
  // Replaces the market's metadata (a JSON document; not interpreted here).
  Status set_market_metadata(uint32_t market, std::string_view json);

  // ---- candles and coverage ------------------------------------------------------------------
  // Upserts `minutes` (must pass validate(kMinuteMs), times within +-2^61 ms) and adds
  // `newly_covered` to the market's coverage, atomically and durably (see the contract). Either
  // may be empty. kNotFound for a market id that market_id() did not give out.
  Status write_minutes(uint32_t market, const CandleSeries& minutes, const std::vector<TimeRange>& newly_covered);
  // The stored 1-minute candles with time in [range.from, range.to).
  Result<CandleSeries> read_minutes(uint32_t market, TimeRange range);
  // The stored candles of one UTC day (day_start must be a midnight); empty if none.
  Result<CandleSeries> read_day(uint32_t market, Timestamp day_start);
  // The same into `out` (cleared first; its capacity is reused, so a loop over days allocates once).
  Status read_day_into(uint32_t market, Timestamp day_start, CandleSeries& out);
  // The market's coverage (empty if nothing was ever covered).
  Result<CoverageSet> coverage(uint32_t market);

  // ---- stats and maintenance -------------------------------------------------------------------
  Result<MarketStats> market_stats(uint32_t market);
  // Flushes memtables and compacts everything to the bottom level (zstd), so l3_bytes measures
  // what the candles occupy at rest.
  Status flush_and_compact();

  // ---- opaque records (runs, data-quality issues) ------------------------------------------------
  // Keys sort bytewise; use big-endian integers (coding.h put_fixed64_be) for ordered ids.
  Status put_record(RecordFamily family, std::string_view key, std::string_view value);
  Status delete_record(RecordFamily family, std::string_view key);
  // Every record whose key starts with `prefix`, in key order.
  Result<std::vector<std::pair<std::string, std::string>>> scan_records(RecordFamily family, std::string_view prefix);

  const std::string& path() const;

 private:
  struct Impl;
  explicit RocksTier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ck
