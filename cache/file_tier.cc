#include "cache/file_tier.h"

#include <lz4.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <bit>
#include <charconv>
#include <cstring>
#include <tuple>
#include <vector>

#include "cache/coding.h"

namespace ck {
namespace {

// ---- file format (docs/l2-file-format.md) ----------------------------------------------------
// The header is encoded field by field (little-endian), never by copying a struct, so its layout
// is exactly the offsets below on every compiler.
constexpr char kMagic[4] = {'C', 'K', 'L', '2'};
constexpr uint8_t kVersion = 1;
constexpr size_t kOffMagic = 0, kOffVersion = 4, kOffReserved = 5, kOffMarket = 8, kOffTimeframe = 12,
                 kOffOrigin = 16, kOffCount = 20, kOffStart = 24, kOffRawSize = 32, kOffPackedSize = 36,
                 kOffPayloadCrc = 40, kOffHeaderCrc = 44;
constexpr size_t kHeaderSize = 48;
static_assert(kOffVersion == kOffMagic + sizeof kMagic && kOffReserved == kOffVersion + 1 &&
                  kOffMarket == kOffReserved + 3 && kOffTimeframe == kOffMarket + 4 &&
                  kOffOrigin == kOffTimeframe + 4 && kOffCount == kOffOrigin + 4 && kOffStart == kOffCount + 4 &&
                  kOffRawSize == kOffStart + 8 && kOffPackedSize == kOffRawSize + 4 &&
                  kOffPayloadCrc == kOffPackedSize + 4 && kOffHeaderCrc == kOffPayloadCrc + 4 &&
                  kHeaderSize == kOffHeaderCrc + 4,
              "L2 header fields must be contiguous and end at kHeaderSize");
// The payload columns are copied as raw little-endian bytes.
static_assert(std::endian::native == std::endian::little, "L2 payload assumes a little-endian host");
static_assert(sizeof(double) == 8 && sizeof(Timestamp) == 8);
constexpr size_t kBytesPerCandle = 7 * 8;  // time + open, high, low, close, volume, value
// Far above a day of 1-minute candles (1,440); bounds what a damaged header can make us allocate.
constexpr uint32_t kMaxCount = 1u << 20;
constexpr std::string_view kExtension = ".ckc";

uint32_t crc32_of(std::string_view bytes) {
  return uint32_t(::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), uInt(bytes.size())));
}

bool is_day_chunk(const ChunkKey& key) {
  return key.timeframe_minutes > 0 && 1440 % key.timeframe_minutes == 0;
}

// The rules every stored chunk obeys, checked before writing and after reading.
Status check_chunk(const ChunkKey& key, const CandleSeries& s) {
  if (key.start % kMinuteMs != 0) return Status::invalid_argument("chunk start is not on a minute");
  if (s.size() > kMaxCount) return Status::invalid_argument("chunk has " + std::to_string(s.size()) + " candles");
  CK_RETURN_IF_ERROR(s.validate(kMinuteMs));
  if (s.empty()) return Status::ok();
  if (s.time().front() < key.start) return Status::invalid_argument("candle before the chunk start");
  if (is_day_chunk(key) && s.time().back() >= key.start + kDayMs) {
    return Status::invalid_argument("candle after the end of the chunk's day");
  }
  return Status::ok();
}

std::string encode_chunk(const ChunkKey& key, const CandleSeries& s) {
  const size_t n = s.size();
  std::string raw(n * kBytesPerCandle, '\0');
  char* p = raw.data();
  auto put_column = [&](auto span) {
    if (n > 0) std::memcpy(p, span.data(), n * 8);
    p += n * 8;
  };
  put_column(s.time());
  put_column(s.open());
  put_column(s.high());
  put_column(s.low());
  put_column(s.close());
  put_column(s.volume());
  put_column(s.value());

  std::string out(kHeaderSize + size_t(LZ4_compressBound(int(raw.size()))), '\0');
  int packed = LZ4_compress_default(raw.data(), out.data() + kHeaderSize, int(raw.size()),
                                    int(out.size() - kHeaderSize));
  out.resize(kHeaderSize + size_t(packed));

  std::string h;
  h.append(kMagic, sizeof kMagic);
  h.push_back(char(kVersion));
  h.append(3, '\0');
  coding::put_fixed32_le(h, key.market_id);
  coding::put_fixed32_le(h, key.timeframe_minutes);
  coding::put_fixed32_le(h, uint32_t(key.origin_minutes));
  coding::put_fixed32_le(h, uint32_t(n));
  coding::put_fixed64_le(h, uint64_t(key.start));
  coding::put_fixed32_le(h, uint32_t(raw.size()));
  coding::put_fixed32_le(h, uint32_t(packed));
  coding::put_fixed32_le(h, crc32_of(std::string_view(out).substr(kHeaderSize)));
  coding::put_fixed32_le(h, crc32_of(h));
  std::memcpy(out.data(), h.data(), kHeaderSize);
  return out;
}

// Every failure here is Corruption: the bytes on disk are not a chunk we wrote for `key`.
Result<CandleSeries> decode_chunk(const ChunkKey& key, std::string_view file) {
  auto bad = [](std::string why) { return Status::corruption(std::move(why)); };
  if (file.size() < kHeaderSize) return bad("file shorter than the header (" + std::to_string(file.size()) + " bytes)");
  const char* h = file.data();
  if (std::memcmp(h + kOffMagic, kMagic, sizeof kMagic) != 0) return bad("bad magic");
  if (uint8_t(h[kOffVersion]) != kVersion) return bad("unknown version " + std::to_string(uint8_t(h[kOffVersion])));
  if (coding::load_fixed32_le(h + kOffHeaderCrc) != crc32_of(file.substr(0, kOffHeaderCrc))) {
    return bad("header checksum mismatch");
  }
  if (h[kOffReserved] != 0 || h[kOffReserved + 1] != 0 || h[kOffReserved + 2] != 0) return bad("reserved bytes set");
  ChunkKey stored{coding::load_fixed32_le(h + kOffMarket), coding::load_fixed32_le(h + kOffTimeframe),
                  int32_t(coding::load_fixed32_le(h + kOffOrigin)), Timestamp(coding::load_fixed64_le(h + kOffStart))};
  if (!(stored == key)) return bad("header names another chunk than the file's path");
  const uint32_t count = coding::load_fixed32_le(h + kOffCount);
  const uint32_t raw_size = coding::load_fixed32_le(h + kOffRawSize);
  const uint32_t packed_size = coding::load_fixed32_le(h + kOffPackedSize);
  if (count > kMaxCount || uint64_t(raw_size) != uint64_t(count) * kBytesPerCandle) return bad("bad candle count or size");
  if (packed_size != file.size() - kHeaderSize) {
    return bad("payload is " + std::to_string(file.size() - kHeaderSize) + " bytes, header says " +
               std::to_string(packed_size) + " (truncated?)");
  }
  std::string_view payload = file.substr(kHeaderSize);
  if (coding::load_fixed32_le(h + kOffPayloadCrc) != crc32_of(payload)) return bad("payload checksum mismatch");

  std::string raw(raw_size, '\0');
  int got = LZ4_decompress_safe(payload.data(), raw.data(), int(payload.size()), int(raw.size()));
  if (got < 0 || uint32_t(got) != raw_size) return bad("payload does not decompress to its recorded size");

  CandleSeries s;
  s.reserve(count);
  const char* col = raw.data();
  const size_t stride = size_t(count) * 8;
  for (size_t i = 0; i < count; ++i) {
    Candle c;
    double* fields[] = {&c.open, &c.high, &c.low, &c.close, &c.volume, &c.value};
    std::memcpy(&c.time, col + i * 8, 8);
    for (size_t f = 0; f < 6; ++f) std::memcpy(fields[f], col + (f + 1) * stride + i * 8, 8);
    s.push_back(c);
  }
  if (Status st = check_chunk(key, s); !st.is_ok()) return bad("candles break the chunk rules: " + st.message());
  return s;
}

// "2024-01-02" for a chunk starting at midnight, "2024-01-02T0900" otherwise.
std::string file_stem(Timestamp start) {
  std::string iso = format_timestamp(start);  // 2024-01-02T09:00:00Z
  std::string stem = iso.substr(0, 10);
  if (start % kDayMs != 0) stem += "T" + iso.substr(11, 2) + iso.substr(14, 2);
  return stem;
}

std::string timeframe_dir(const ChunkKey& key) {
  std::string d = std::to_string(key.timeframe_minutes);
  if (key.origin_minutes != 0) d += "_o" + std::to_string(key.origin_minutes);
  return d;
}

template <typename T>
bool parse_int(std::string_view text, T& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

// Inverse of path_of() for one file; false for any name path_of() would not produce.
bool parse_chunk_path(std::string_view market, std::string_view tf, std::string_view file, ChunkKey& key) {
  if (!parse_int(market, key.market_id)) return false;
  size_t o = tf.find("_o");
  if (!parse_int(tf.substr(0, o), key.timeframe_minutes)) return false;
  key.origin_minutes = 0;
  if (o != std::string_view::npos && !parse_int(tf.substr(o + 2), key.origin_minutes)) return false;
  if (file.size() <= kExtension.size() || !file.ends_with(kExtension)) return false;
  std::string_view stem = file.substr(0, file.size() - kExtension.size());
  std::string iso(stem.substr(0, 10));
  if (stem.size() == 15 && stem[10] == 'T') {
    iso += "T" + std::string(stem.substr(11, 2)) + ":" + std::string(stem.substr(13, 2)) + "Z";
  } else if (stem.size() != 10) {
    return false;
  }
  auto t = parse_timestamp(iso);
  if (!t.is_ok()) return false;
  key.start = *t;
  // Reject non-canonical spellings, so two names can never denote one chunk.
  return file_stem(key.start) == stem && timeframe_dir(key) == tf && std::to_string(key.market_id) == market;
}

}  // namespace

bool FileTier::OlderFirst::operator()(const ChunkKey& a, const ChunkKey& b) const {
  return std::tie(a.start, a.market_id, a.timeframe_minutes, a.origin_minutes) <
         std::tie(b.start, b.market_id, b.timeframe_minutes, b.origin_minutes);
}

FileTier::FileTier(FileTierOptions options) : options_(std::move(options)), root_(options_.dir + "/l2") {}

FileTier::~FileTier() = default;

Result<std::unique_ptr<FileTier>> FileTier::open(FileTierOptions options) {
  if (options.dir.empty()) return Status::invalid_argument("FileTier needs a data directory");
  if (options.retention_days < 1) options.retention_days = 1;
  if (!options.clock) options.clock = SystemClock::shared();
  if (!options.fs) options.fs = FileSystem::posix();
  if (!options.logger) options.logger = spdlog::default_logger();
  std::unique_ptr<FileTier> tier(new FileTier(std::move(options)));
  CK_RETURN_IF_ERROR(tier->options_.fs->create_dirs(tier->root_).with_context("opening the L2 file tier"));
  CK_RETURN_IF_ERROR(tier->scan().with_context("scanning " + tier->root_));
  CK_RETURN_IF_ERROR(tier->enforce_retention());
  tier->enforce_budget();
  return tier;
}

std::string FileTier::path_of(const ChunkKey& key) const {
  return root_ + "/" + std::to_string(key.market_id) + "/" + timeframe_dir(key) + "/" + file_stem(key.start) +
         std::string(kExtension);
}

std::mutex& FileTier::stripe(const ChunkKey& key) { return stripes_[ChunkKeyHash{}(key) % kStripes]; }

Timestamp FileTier::retention_start() const {
  Timestamp today = floor_div(options_.clock->now_ms(), kDayMs) * kDayMs;
  return today - int64_t(options_.retention_days - 1) * kDayMs;
}

Status FileTier::scan() {
  FileSystem& fs = *options_.fs;
  CK_ASSIGN_OR_RETURN(auto markets, fs.list_dir(root_));
  for (const DirEntry& m : markets) {
    if (!m.is_dir) continue;
    std::string mdir = root_ + "/" + m.name;
    CK_ASSIGN_OR_RETURN(auto tfs, fs.list_dir(mdir));
    for (const DirEntry& tf : tfs) {
      if (!tf.is_dir) continue;
      std::string tdir = mdir + "/" + tf.name;
      CK_ASSIGN_OR_RETURN(auto files, fs.list_dir(tdir));
      for (const DirEntry& f : files) {
        if (f.is_dir) continue;
        std::string path = tdir + "/" + f.name;
        if (f.name.ends_with(kTempFileSuffix)) {
          // Left by a write that never reached its rename: never visible, safe to drop.
          if (Status st = fs.remove_file(path); !st.is_ok()) options_.logger->warn("L2: {}", st.to_string());
          continue;
        }
        ChunkKey key;
        if (!parse_chunk_path(m.name, tf.name, f.name, key)) {
          options_.logger->warn("L2: ignoring unexpected file {}", path);
          continue;
        }
        index_[key] = f.size;
        bytes_ += f.size;
      }
    }
  }
  return Status::ok();
}

Status FileTier::put(const ChunkKey& key, const CandleSeries& series) {
  CK_RETURN_IF_ERROR(check_chunk(key, series).with_context("L2 put"));
  if (key.start < retention_start()) return Status::ok();  // too old for L2
  std::string bytes = encode_chunk(key, series);
  std::string path = path_of(key);
  {
    std::lock_guard io(stripe(key));
    CK_RETURN_IF_ERROR(options_.fs->create_dirs(path.substr(0, path.find_last_of('/'))));
    CK_RETURN_IF_ERROR(write_file_atomically(*options_.fs, path, bytes));
    std::lock_guard lock(mu_);
    auto [it, fresh] = index_.try_emplace(key, 0);
    bytes_ -= it->second;
    it->second = bytes.size();
    bytes_ += bytes.size();
  }
  enforce_budget();
  return Status::ok();
}

Result<std::optional<CandleSeries>> FileTier::get(const ChunkKey& key) {
  std::lock_guard io(stripe(key));
  {
    std::lock_guard lock(mu_);
    if (!index_.contains(key)) {
      ++misses_;
      return std::optional<CandleSeries>();
    }
  }
  std::string path = path_of(key);
  auto data = options_.fs->read_file(path);
  if (!data.is_ok()) {
    if (data.status().code() == StatusCode::kNotFound) {  // removed behind our back
      remove_locked(key, nullptr);
      std::lock_guard lock(mu_);
      ++misses_;
      return std::optional<CandleSeries>();
    }
    std::lock_guard lock(mu_);
    ++misses_;
    return data.status();
  }
  auto series = decode_chunk(key, *data);
  if (!series.is_ok()) {
    options_.logger->warn("L2: removing corrupt chunk file {}: {}", path, series.status().message());
    remove_locked(key, "corrupt");
    std::lock_guard lock(mu_);
    ++corrupt_;
    ++misses_;
    return std::optional<CandleSeries>();
  }
  std::lock_guard lock(mu_);
  ++hits_;
  return std::optional<CandleSeries>(std::move(series).value());
}

void FileTier::erase(const ChunkKey& key) {
  std::lock_guard io(stripe(key));
  remove_locked(key, "erase");
}

bool FileTier::remove_locked(const ChunkKey& key, const char* why) {
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    bytes_ -= it->second;
    index_.erase(it);
  }
  Status st = options_.fs->remove_file(path_of(key));
  if (!st.is_ok() && st.code() != StatusCode::kNotFound && why != nullptr) {
    // The index forgets the file anyway; it is still verified if a later open finds it.
    options_.logger->error("L2: could not remove {} ({}): {}", path_of(key), why, st.to_string());
  }
  return true;
}

Status FileTier::enforce_retention() {
  const Timestamp first_kept = retention_start();
  std::vector<ChunkKey> old;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, size] : index_) {
      if (key.start >= first_kept) break;  // index is ordered by start
      old.push_back(key);
    }
  }
  for (const ChunkKey& key : old) {
    std::lock_guard io(stripe(key));
    if (!remove_locked(key, "retention")) continue;  // already gone (raced with erase or get)
    std::lock_guard lock(mu_);
    ++evictions_;
  }
  return Status::ok();
}

void FileTier::enforce_budget() {
  std::vector<ChunkKey> victims;
  {
    std::lock_guard lock(mu_);
    if (bytes_ <= options_.budget_bytes) return;
    uint64_t excess = bytes_ - options_.budget_bytes;
    for (const auto& [key, size] : index_) {
      if (excess == 0) break;
      victims.push_back(key);
      excess -= std::min(excess, size);
    }
  }
  for (const ChunkKey& key : victims) {
    std::lock_guard io(stripe(key));
    if (!remove_locked(key, "budget")) continue;  // already gone (raced with erase or get)
    std::lock_guard lock(mu_);
    ++evictions_;
  }
}

FileTierStats FileTier::stats() const {
  std::lock_guard lock(mu_);
  return {index_.size(), bytes_, hits_, misses_, evictions_, corrupt_};
}

}  // namespace ck
