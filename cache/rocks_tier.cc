#include "cache/rocks_tier.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <mutex>

#include "cache/chunk_codec.h"
#include "cache/coding.h"

namespace ck {
namespace {

// ---- layout (docs/storage-format.md) ---------------------------------------------------------

constexpr char kFormatKey[] = "candlekeep.l3.format";
constexpr char kFormatVersion[] = "1";
constexpr char kCandlesFamily[] = "candles";
constexpr char kCoverageFamily[] = "coverage";
constexpr char kMarketsFamily[] = "markets";
constexpr char kRunsFamily[] = "runs";
constexpr char kIssuesFamily[] = "issues";
// Prefixes of the markets family.
constexpr char kNamePrefix = 'n';   // 'n' name -> u32be id
constexpr char kIdPrefix = 'i';     // 'i' u32be id -> name
constexpr char kMetaPrefix = 'm';   // 'm' u32be id -> metadata JSON
constexpr char kStatsPrefix = 's';  // 's' u32be id -> varint candles | varint days | varint chunk bytes
constexpr size_t kMaxMarketName = 256;
constexpr uint64_t kSignFlip = uint64_t(1) << 63;  // makes negative times sort before positive ones
// Stored times lie within +-2^61 ms (+-73 million years), so day arithmetic never overflows.
constexpr Timestamp kTimeLimit = Timestamp(1) << 61;

std::string market_key(uint32_t market) {
  std::string k;
  coding::put_fixed32_be(k, market);
  return k;
}
// u32be market | u64be (day_ms with its sign bit flipped): one market's days are contiguous.
std::string candle_key(uint32_t market, Timestamp day) {
  std::string k = market_key(market);
  coding::put_fixed64_be(k, uint64_t(day) ^ kSignFlip);
  return k;
}
bool parse_candle_key(const rocksdb::Slice& k, uint32_t& market, Timestamp& day) {
  if (k.size() != 12) return false;
  market = coding::load_fixed32_be(k.data());
  day = Timestamp(coding::load_fixed64_be(k.data() + 4) ^ kSignFlip);
  return true;
}
std::string prefixed(char prefix, uint32_t id) { return std::string(1, prefix) + market_key(id); }

struct StoredStats {
  uint64_t candles = 0, days = 0, chunk_bytes = 0;
  std::string encode() const {
    std::string v;
    coding::put_varint64(v, candles);
    coding::put_varint64(v, days);
    coding::put_varint64(v, chunk_bytes);
    return v;
  }
  bool decode(std::string_view v) {
    return coding::get_varint64(v, candles) && coding::get_varint64(v, days) && coding::get_varint64(v, chunk_bytes) &&
           v.empty();
  }
};

Status from_rocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::corruption(msg);
  if (s.IsNotFound()) return Status::not_found(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Status::unavailable(msg);
  if (s.IsInvalidArgument()) return Status::invalid_argument(msg);
  return Status::io_error(msg);
}

// Merges `update` into `base` (both sorted): a candle of `update` replaces the one of the same
// minute in `base`.
CandleSeries upsert(const CandleSeries& base, const CandleSeries& update) {
  CandleSeries out;
  out.reserve(base.size() + update.size());
  size_t i = 0, j = 0;
  auto bt = base.time(), ut = update.time();
  while (i < base.size() || j < update.size()) {
    if (j == update.size() || (i < base.size() && bt[i] < ut[j])) {
      out.push_back(base[i++]);
    } else {
      if (i < base.size() && bt[i] == ut[j]) ++i;
      out.push_back(update[j++]);
    }
  }
  return out;
}

rocksdb::ColumnFamilyOptions family_options(const RocksTierOptions& o, const std::shared_ptr<rocksdb::Cache>& cache,
                                            bool candles, bool have_lz4, bool have_zstd) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  if (candles) {
    // A day chunk is ~10-20 KB: blocks of about one chunk keep reads and size estimates per day.
    table.block_size = 16 * 1024;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(o.bloom_bits_per_key));
    cf.write_buffer_size = 32 << 20;
  } else {
    cf.write_buffer_size = 4 << 20;
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Most data lives in the last level, which is the one compressed hardest.
  cf.level_compaction_dynamic_level_bytes = true;
  cf.compression = have_lz4 ? rocksdb::kLZ4Compression : rocksdb::kSnappyCompression;
  if (have_zstd) {
    cf.bottommost_compression = rocksdb::kZSTD;
    cf.bottommost_compression_opts.level = o.zstd_level;
    cf.bottommost_compression_opts.enabled = true;
  }
  return cf;
}

}  // namespace

struct RocksTier::Impl {
  RocksTierOptions options;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned; destroyed before db
  rocksdb::ColumnFamilyHandle* candles = nullptr;
  rocksdb::ColumnFamilyHandle* coverage = nullptr;
  rocksdb::ColumnFamilyHandle* markets = nullptr;
  rocksdb::ColumnFamilyHandle* runs = nullptr;
  rocksdb::ColumnFamilyHandle* issues = nullptr;
  rocksdb::WriteOptions write_options;

  std::mutex names_mu;  // market creation
  uint32_t next_market_id = 1;
  std::array<std::mutex, 64> write_mu;  // striped by market: one writer per market at a time

  ~Impl() {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      db->Close().PermitUncheckedError();
    }
  }

  rocksdb::ColumnFamilyHandle* family(RecordFamily f) const { return f == RecordFamily::kRuns ? runs : issues; }

  // Value of `key`, std::nullopt if absent.
  Result<std::optional<std::string>> get(rocksdb::ColumnFamilyHandle* cf, const std::string& key,
                                         const rocksdb::Snapshot* snapshot = nullptr) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    std::string value;
    rocksdb::Status s = db->Get(ro, cf, key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return from_rocks(s, "reading L3");
    return std::optional<std::string>(std::move(value));
  }

  Status check_market(uint32_t market) {
    CK_ASSIGN_OR_RETURN(auto name, get(markets, prefixed(kIdPrefix, market)));
    if (!name) return Status::not_found("market id " + std::to_string(market) + " is not in the store");
    return Status::ok();
  }

  Result<StoredStats> stats(uint32_t market, const rocksdb::Snapshot* snapshot = nullptr) {
    CK_ASSIGN_OR_RETURN(auto v, get(markets, prefixed(kStatsPrefix, market), snapshot));
    StoredStats s;
    if (v && !s.decode(*v)) return Status::corruption("L3: bad stats record of market " + std::to_string(market));
    return s;
  }

  Result<CoverageSet> load_coverage(uint32_t market, const rocksdb::Snapshot* snapshot = nullptr) {
    CK_ASSIGN_OR_RETURN(auto v, get(coverage, market_key(market), snapshot));
    if (!v) return CoverageSet();
    auto set = CoverageSet::deserialize(*v);
    if (!set) return set.status().with_context("L3 coverage of market " + std::to_string(market));
    return set;
  }
};

RocksTier::RocksTier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksTier::~RocksTier() = default;
const std::string& RocksTier::path() const { return impl_->options.path; }

Result<std::unique_ptr<RocksTier>> RocksTier::open(const RocksTierOptions& options) {
  if (options.path.empty()) return Status::invalid_argument("RocksTier: no path given");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->log = options.logger ? options.logger : spdlog::default_logger();
  impl->write_options.sync = options.sync_writes;

  std::error_code ec;
  if (options.create_if_missing) std::filesystem::create_directories(options.path, ec);

  auto supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType t) { return std::find(supported.begin(), supported.end(), t) != supported.end(); };
  const bool have_lz4 = has(rocksdb::kLZ4Compression), have_zstd = has(rocksdb::kZSTD);
  if (!have_lz4 || !have_zstd) impl->log->warn("RocksDB lacks LZ4 or zstd; L3 falls back to what it has");

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 3;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, kCandlesFamily, kCoverageFamily,
                                    kMarketsFamily, kRunsFamily, kIssuesFamily};
  // A database written by a later version may have families we do not know: open them too, so
  // that the format check below can say what is wrong.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing).ok()) {
    for (const auto& n : existing) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) {
    descriptors.emplace_back(n, family_options(options, cache, n == kCandlesFamily, have_lz4, have_zstd));
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors, &impl->handles, &raw);
  if (!s.ok()) return from_rocks(s, "opening L3 at " + options.path).with_context("RocksTier");
  impl->db.reset(raw);
  impl->candles = impl->handles[1];
  impl->coverage = impl->handles[2];
  impl->markets = impl->handles[3];
  impl->runs = impl->handles[4];
  impl->issues = impl->handles[5];

  auto* defaults = impl->handles[0];
  CK_ASSIGN_OR_RETURN(auto format, impl->get(defaults, kFormatKey));
  if (!format) {
    // A new database (or one written before the marker existed, which no release did).
    s = impl->db->Put(impl->write_options, defaults, kFormatKey, kFormatVersion);
    if (!s.ok()) return from_rocks(s, "writing L3 format marker");
  } else if (*format != kFormatVersion) {
    return Status::failed_precondition("L3 at " + options.path + " has layout version " + *format +
                                       "; this build reads version " + kFormatVersion +
                                       " (use the matching candlekeep release, or a fresh data directory)");
  }

  // Ids are dense: the next one follows the highest in use.
  std::unique_ptr<rocksdb::Iterator> it(impl->db->NewIterator(rocksdb::ReadOptions(), impl->markets));
  it->SeekForPrev(prefixed(kIdPrefix, UINT32_MAX));
  if (it->Valid() && it->key().size() == 5 && it->key()[0] == kIdPrefix) {
    impl->next_market_id = coding::load_fixed32_be(it->key().data() + 1) + 1;
  }
  if (!it->status().ok()) return from_rocks(it->status(), "scanning L3 markets");
  return std::unique_ptr<RocksTier>(new RocksTier(std::move(impl)));
}

// ---- markets ------------------------------------------------------------------------------------

Result<uint32_t> RocksTier::market_id(std::string_view name, bool create) {
  if (name.empty() || name.size() > kMaxMarketName) {
    return Status::invalid_argument("market name must be 1 to " + std::to_string(kMaxMarketName) + " bytes");
  }
  Impl& m = *impl_;
  const std::string name_key = std::string(1, kNamePrefix) + std::string(name);
  std::unique_lock lock(m.names_mu);
  CK_ASSIGN_OR_RETURN(auto id, m.get(m.markets, name_key));
  if (id) {
    if (id->size() != 4) return Status::corruption("L3: bad id record of market " + std::string(name));
    return coding::load_fixed32_be(id->data());
  }
  if (!create) return Status::not_found("market " + std::string(name) + " is not stored");
  if (m.next_market_id == UINT32_MAX) return Status::resource_exhausted("L3: market ids exhausted");
  const uint32_t new_id = m.next_market_id;
  rocksdb::WriteBatch batch;
  batch.Put(m.markets, name_key, market_key(new_id));
  batch.Put(m.markets, prefixed(kIdPrefix, new_id), rocksdb::Slice(name.data(), name.size()));
  CK_RETURN_IF_ERROR(from_rocks(m.db->Write(m.write_options, &batch), "creating market " + std::string(name)));
  ++m.next_market_id;
  return new_id;
}

Result<std::vector<MarketInfo>> RocksTier::markets() {
  Impl& m = *impl_;
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snap = m.db->GetSnapshot();
  ro.snapshot = snap;
  std::vector<MarketInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(m.db->NewIterator(ro, m.markets));
  for (it->Seek(std::string(1, kIdPrefix)); it->Valid() && it->key()[0] == kIdPrefix; it->Next()) {
    if (it->key().size() != 5) continue;
    MarketInfo info;
    info.id = coding::load_fixed32_be(it->key().data() + 1);
    info.name = it->value().ToString();
    out.push_back(std::move(info));
  }
  Status st = from_rocks(it->status(), "listing L3 markets");
  it.reset();
  for (auto& info : out) {
    if (!st.is_ok()) break;
    auto meta = m.get(m.markets, prefixed(kMetaPrefix, info.id), snap);
    if (!meta) {
      st = meta.status();
    } else if (*meta) {
      info.metadata_json = **meta;
    }
  }
  m.db->ReleaseSnapshot(snap);
  if (!st.is_ok()) return st;
  return out;
}

Status RocksTier::set_market_metadata(uint32_t market, std::string_view json) {
  Impl& m = *impl_;
  CK_RETURN_IF_ERROR(m.check_market(market));
  return from_rocks(m.db->Put(m.write_options, m.markets, prefixed(kMetaPrefix, market),
                              rocksdb::Slice(json.data(), json.size())),
                    "writing market metadata");
}

// ---- candles and coverage ----------------------------------------------------------------------

Status RocksTier::write_minutes(uint32_t market, const CandleSeries& minutes,
                                const std::vector<TimeRange>& newly_covered) {
  CK_RETURN_IF_ERROR(minutes.validate(kMinuteMs).with_context("RocksTier::write_minutes"));
  if (!minutes.empty() && (minutes.time().front() < -kTimeLimit || minutes.time().back() >= kTimeLimit)) {
    return Status::invalid_argument("RocksTier::write_minutes: times beyond +-2^61 ms are not stored");
  }
  Impl& m = *impl_;
  std::unique_lock lock(m.write_mu[market % m.write_mu.size()]);
  CK_RETURN_IF_ERROR(m.check_market(market));
  CK_ASSIGN_OR_RETURN(StoredStats stats, m.stats(market));

  rocksdb::WriteBatch batch;
  auto time = minutes.time();
  for (size_t i = 0; i < minutes.size();) {
    const Timestamp day = floor_div(time[i], kDayMs) * kDayMs;
    const size_t end = minutes.lower_bound(day + kDayMs);
    CandleSeries update = minutes.slice({day, day + kDayMs});
    i = end;
    const std::string key = candle_key(market, day);
    CK_ASSIGN_OR_RETURN(auto old_bytes, m.get(m.candles, key));
    CandleSeries merged;
    if (old_bytes) {
      auto old = decode_chunk(*old_bytes);
      if (!old) return old.status().with_context("L3 chunk of market " + std::to_string(market) + " day " +
                                                 format_timestamp(day));
      merged = upsert(*old, update);
      stats.candles -= old->size();
      stats.chunk_bytes -= old_bytes->size();
    } else {
      merged = std::move(update);
      ++stats.days;
    }
    CK_ASSIGN_OR_RETURN(std::string encoded, encode_chunk(merged, day));
    stats.candles += merged.size();
    stats.chunk_bytes += encoded.size();
    if (old_bytes && *old_bytes == encoded) continue;  // a re-import of the same candles: nothing to write
    batch.Put(m.candles, key, encoded);
  }

  bool covered_changed = false;
  CoverageSet cov;
  if (std::any_of(newly_covered.begin(), newly_covered.end(), [](const TimeRange& r) { return !r.empty(); })) {
    CK_ASSIGN_OR_RETURN(cov, m.load_coverage(market));
    CoverageSet before = cov;
    for (const auto& r : newly_covered) cov.add(r);
    covered_changed = !(cov == before);
  }
  if (covered_changed) batch.Put(m.coverage, market_key(market), cov.serialize());
  if (batch.Count() == 0) return Status::ok();
  batch.Put(m.markets, prefixed(kStatsPrefix, market), stats.encode());
  return from_rocks(m.db->Write(m.write_options, &batch), "writing candles of market " + std::to_string(market));
}

Result<CandleSeries> RocksTier::read_minutes(uint32_t market, TimeRange range) {
  CandleSeries out;
  range = range.intersect({-kTimeLimit, kTimeLimit});  // nothing is stored outside
  if (range.empty()) return out;
  Impl& m = *impl_;
  const Timestamp first_day = floor_div(range.from, kDayMs) * kDayMs;
  const Timestamp last_day = floor_div(range.to - 1, kDayMs) * kDayMs;
  rocksdb::ReadOptions ro;
  const std::string lower = candle_key(market, first_day);
  std::string upper = candle_key(market, last_day);
  upper.push_back('\0');  // just past the last day's key
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(m.db->NewIterator(ro, m.candles));
  // One allocation for up to about two years of full days; longer reads grow geometrically.
  out.reserve(size_t(std::min<int64_t>((last_day - first_day) / kDayMs + 1, 800) * 1440));
  CandleSeries part;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    uint32_t key_market;
    Timestamp day;
    if (!parse_candle_key(it->key(), key_market, day) || key_market != market || day % kDayMs != 0) {
      return Status::corruption("L3: malformed candle key in market " + std::to_string(market));
    }
    std::string_view bytes(it->value().data(), it->value().size());
    const std::string where = "L3 chunk of market " + std::to_string(market) + " day " + format_timestamp(day);
    const size_t before = out.size();
    if (day >= range.from && day + kDayMs <= range.to) {
      Status st = decode_chunk_into(bytes, out);
      if (!st.is_ok()) return st.with_context(where);
    } else {
      part.clear();
      Status st = decode_chunk_into(bytes, part);
      if (!st.is_ok()) return st.with_context(where);
      if (!part.empty() && (part.time().front() < day || part.time().back() >= day + kDayMs)) {
        return Status::corruption(where + ": candles outside the day");
      }
      out.append(part.slice(range));
      continue;
    }
    // A chunk under another day's key would be a wrong answer: check the decoded span.
    if (out.size() > before && (out.time()[before] < day || out.back().time >= day + kDayMs)) {
      return Status::corruption(where + ": candles outside the day");
    }
  }
  CK_RETURN_IF_ERROR(from_rocks(it->status(), "reading L3 candles"));
  return out;
}

Result<CandleSeries> RocksTier::read_day(uint32_t market, Timestamp day_start) {
  CandleSeries out;
  CK_RETURN_IF_ERROR(read_day_into(market, day_start, out));
  return out;
}

Status RocksTier::read_day_into(uint32_t market, Timestamp day_start, CandleSeries& out) {
  if (floor_div(day_start, kDayMs) * kDayMs != day_start) {
    return Status::invalid_argument("read_day: " + format_timestamp(day_start) + " is not a UTC midnight");
  }
  out.clear();
  if (day_start < -kTimeLimit || day_start >= kTimeLimit) return Status::ok();  // nothing is stored outside
  Impl& m = *impl_;
  // One key: a point lookup (bloom filter, no iterator) is the cheapest read RocksDB has.
  rocksdb::PinnableSlice value;
  rocksdb::Status st = m.db->Get(rocksdb::ReadOptions(), m.candles, candle_key(market, day_start), &value);
  if (st.IsNotFound()) return Status::ok();
  CK_RETURN_IF_ERROR(from_rocks(st, "reading L3 candles"));
  const std::string_view bytes(value.data(), value.size());
  Status decoded = decode_chunk_into(bytes, out);
  if (!decoded.is_ok()) {
    return decoded.with_context("L3 chunk of market " + std::to_string(market) + " day " + format_timestamp(day_start));
  }
  // A chunk under another day's key would be a wrong answer: check the decoded span.
  if (!out.empty() && (out.time().front() < day_start || out.time().back() >= day_start + kDayMs)) {
    out.clear();
    return Status::corruption("L3 chunk of market " + std::to_string(market) + " day " + format_timestamp(day_start) +
                              ": candles outside the day");
  }
  return Status::ok();
}

Result<CoverageSet> RocksTier::coverage(uint32_t market) { return impl_->load_coverage(market); }

// ---- stats and maintenance -----------------------------------------------------------------------

Result<MarketStats> RocksTier::market_stats(uint32_t market) {
  Impl& m = *impl_;
  CK_ASSIGN_OR_RETURN(StoredStats stored, m.stats(market));
  MarketStats out;
  out.candles = stored.candles;
  out.days = stored.days;
  out.chunk_bytes = stored.chunk_bytes;
  const std::string start = market_key(market);
  const std::string limit = start + std::string(9, '\xff');  // after every 12-byte key of the market
  rocksdb::Range range(start, limit);
  rocksdb::SizeApproximationOptions sao;
  sao.include_memtables = false;
  sao.include_files = true;
  uint64_t size = 0;
  CK_RETURN_IF_ERROR(from_rocks(m.db->GetApproximateSizes(sao, m.candles, &range, 1, &size), "sizing L3 market"));
  out.l3_bytes = size;
  return out;
}

Status RocksTier::flush_and_compact() {
  Impl& m = *impl_;
  rocksdb::FlushOptions fo;
  fo.wait = true;
  CK_RETURN_IF_ERROR(from_rocks(m.db->Flush(fo, m.handles), "flushing L3"));
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (auto* h : m.handles) {
    CK_RETURN_IF_ERROR(from_rocks(m.db->CompactRange(cro, h, nullptr, nullptr), "compacting L3"));
  }
  return Status::ok();
}

// ---- opaque records ------------------------------------------------------------------------------

Status RocksTier::put_record(RecordFamily family, std::string_view key, std::string_view value) {
  if (key.empty()) return Status::invalid_argument("put_record: empty key");
  Impl& m = *impl_;
  return from_rocks(m.db->Put(m.write_options, m.family(family), rocksdb::Slice(key.data(), key.size()),
                              rocksdb::Slice(value.data(), value.size())),
                    "writing L3 record");
}

Status RocksTier::delete_record(RecordFamily family, std::string_view key) {
  Impl& m = *impl_;
  return from_rocks(m.db->Delete(m.write_options, m.family(family), rocksdb::Slice(key.data(), key.size())),
                    "deleting L3 record");
}

Result<std::vector<std::pair<std::string, std::string>>> RocksTier::scan_records(RecordFamily family,
                                                                                 std::string_view prefix) {
  Impl& m = *impl_;
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(m.db->NewIterator(rocksdb::ReadOptions(), m.family(family)));
  rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  CK_RETURN_IF_ERROR(from_rocks(it->status(), "scanning L3 records"));
  return out;
}

}  // namespace ck
