#include "cache/file_tier.h"

#include <lz4.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <bit>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
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
static_assert(sizeof(double) == 8 && sizeof(Timestamp) == 8);
constexpr size_t kBytesPerCandle = 7 * 8;  // time + open, high, low, close, volume, value
static_assert(sizeof(uint64_t) == 8);
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

// ---- payload ------------------------------------------------------------------------------
// Before compression every column is turned into 64-bit words that are mostly zero bytes — times
// as differences from the previous time (the first from the chunk start), doubles as their bits
// XORed with the previous value's bits — and then stored as 8 byte planes (all lowest bytes of the
// column, then all second bytes, ...), so the zero bytes form long runs. LZ4 then packs a day of
// market data about a quarter tighter and decompresses it several times faster than raw columns.

std::vector<uint64_t> to_words(const ChunkKey& key, const CandleSeries& s) {
  const size_t n = s.size();
  std::vector<uint64_t> words(n * 7);
  uint64_t prev_time = uint64_t(key.start);
  for (size_t i = 0; i < n; ++i) {
    words[i] = uint64_t(s.time()[i]) - prev_time;
    prev_time = uint64_t(s.time()[i]);
  }
  size_t c = 1;
  for (auto column : {s.open(), s.high(), s.low(), s.close(), s.volume(), s.value()}) {
    uint64_t prev = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t bits = std::bit_cast<uint64_t>(column[i]);
      words[c * n + i] = bits ^ prev;
      prev = bits;
    }
    ++c;
  }
  return words;
}

// Writes byte k of words[i] to out[k * n + i].
void split_bytes(const uint64_t* words, size_t n, unsigned char* out) {
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < 8; ++k) out[k * n + i] = (unsigned char)(words[i] >> (8 * k));
  }
}

// Inverse of split_bytes.
void join_bytes(const unsigned char* planes, size_t n, uint64_t* words) {
  size_t i = 0;
#if defined(__SSE2__)
  // 16 words at a time: interleave the 8 planes' bytes (an 8x16 byte transpose in three rounds).
  for (; i + 16 <= n; i += 16) {
    __m128i p[8];
    for (size_t k = 0; k < 8; ++k) p[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(planes + k * n + i));
    __m128i a[8], b[8];
    for (int k = 0; k < 4; ++k) {
      a[2 * k] = _mm_unpacklo_epi8(p[2 * k], p[2 * k + 1]);      // bytes 2k,2k+1 of words 0-7
      a[2 * k + 1] = _mm_unpackhi_epi8(p[2 * k], p[2 * k + 1]);  // ... of words 8-15
    }
    for (int h = 0; h < 2; ++h) {  // h: words 0-7 or 8-15
      b[4 * h + 0] = _mm_unpacklo_epi16(a[h], a[2 + h]);      // bytes 0-3 of words 0-3 (+8h)
      b[4 * h + 1] = _mm_unpackhi_epi16(a[h], a[2 + h]);      // bytes 0-3 of words 4-7
      b[4 * h + 2] = _mm_unpacklo_epi16(a[4 + h], a[6 + h]);  // bytes 4-7 of words 0-3
      b[4 * h + 3] = _mm_unpackhi_epi16(a[4 + h], a[6 + h]);  // bytes 4-7 of words 4-7
    }
    auto* out = reinterpret_cast<__m128i*>(words + i);
    for (int q = 0; q < 4; ++q) {  // q: words 4q..4q+3
      const __m128i& lo = b[(q / 2) * 4 + (q % 2)];
      const __m128i& hi = b[(q / 2) * 4 + 2 + (q % 2)];
      _mm_storeu_si128(out + 2 * q, _mm_unpacklo_epi32(lo, hi));
      _mm_storeu_si128(out + 2 * q + 1, _mm_unpackhi_epi32(lo, hi));
    }
  }
#endif
  for (; i < n; ++i) {
    uint64_t v = 0;
    for (size_t k = 0; k < 8; ++k) v |= uint64_t(planes[k * n + i]) << (8 * k);
    words[i] = v;
  }
}

std::string to_payload(const ChunkKey& key, const CandleSeries& s) {
  const size_t n = s.size();
  std::vector<uint64_t> words = to_words(key, s);
  std::string raw(n * kBytesPerCandle, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  for (size_t c = 0; c < 7; ++c) split_bytes(words.data() + c * n, n, out + c * n * 8);
  return raw;
}

// Inverse of to_payload. REQUIRES: raw.size() == count * kBytesPerCandle.
CandleSeries from_payload(const ChunkKey& key, std::string_view raw, size_t count) {
  std::vector<uint64_t> words(count * 7);
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  for (size_t c = 0; c < 7; ++c) join_bytes(in + c * count * 8, count, words.data() + c * count);
  uint64_t* time = words.data();
  uint64_t acc = uint64_t(key.start);
  for (size_t i = 0; i < count; ++i) time[i] = acc += time[i];
  for (size_t c = 1; c < 7; ++c) {
    uint64_t* col = words.data() + c * count;
    for (size_t i = 1; i < count; ++i) col[i] ^= col[i - 1];
  }
  CandleSeries s;
  s.reserve(count);
  auto f = [&](size_t c, size_t i) { return std::bit_cast<double>(words[c * count + i]); };
  for (size_t i = 0; i < count; ++i) {
    s.push_back(Candle{Timestamp(time[i]), f(1, i), f(2, i), f(3, i), f(4, i), f(5, i), f(6, i)});
  }
  return s;
}

std::string encode_l2_file(const ChunkKey& key, const CandleSeries& s) {
  const size_t n = s.size();
  std::string raw = to_payload(key, s);
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
Result<CandleSeries> decode_l2_file(const ChunkKey& key, std::string_view file) {
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
  CandleSeries s = from_payload(key, raw, count);
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
  std::string bytes = encode_l2_file(key, series);
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
  auto series = decode_l2_file(key, *data);
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
