#include "cache/file_tier.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <bit>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <thread>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace ck {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const Timestamp kToday = 19'792 * kDayMs;  // 2024-03-10
const Timestamp kNow = kToday + 12 * kHourMs;

ChunkKey day_key(uint32_t market, Timestamp day, uint32_t tf = 1) { return ChunkKey{market, tf, 0, day}; }

// A realistic day: about `n` one-minute candles with random gaps and KRW-like prices.
CandleSeries day_series(Timestamp day, size_t n = 1440, uint32_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  CandleSeries s;
  double price = 50'000'000 + double(seed) * 1000;
  for (int64_t m = 0; m < 1440 && s.size() < n; ++m) {
    if (n < 1440 && u(rng) < 0.3) continue;
    double o = price, c = std::round(price * (1 + (u(rng) - 0.5) * 0.002));
    double h = std::max(o, c) + 1000, l = std::min(o, c) - 1000;
    double vol = u(rng) * 3;
    s.push_back(Candle{day + m * kMinuteMs, o, h, l, c, vol, vol * c});
    price = c;
  }
  return s;
}

// Bit-exact comparison (== would call -0.0 and 0.0 equal).
bool same_bits(const CandleSeries& a, const CandleSeries& b) {
  if (a.size() != b.size()) return false;
  auto eq = [&](auto x, auto y) { return x.empty() || std::memcmp(x.data(), y.data(), x.size_bytes()) == 0; };
  return eq(a.time(), b.time()) && eq(a.open(), b.open()) && eq(a.high(), b.high()) && eq(a.low(), b.low()) &&
         eq(a.close(), b.close()) && eq(a.volume(), b.volume()) && eq(a.value(), b.value());
}

std::string slurp(const std::string& path) { return testing::read_file(path); }
void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class FileTierTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileTier> open_tier(FileSystem* fs = nullptr, int retention = 7,
                                      uint64_t budget = uint64_t{1} << 30) {
    auto t = FileTier::open(FileTierOptions{dir.path(), retention, budget, clock, fs, logger});
    EXPECT_TRUE(t.is_ok()) << t.status().to_string();
    return t.is_ok() ? std::move(t).value() : nullptr;
  }
  std::optional<CandleSeries> get(FileTier& t, const ChunkKey& k) {
    auto r = t.get(k);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : std::nullopt;
  }
  // Visible files under l2/ (temp files included), as paths relative to it.
  std::vector<std::string> files_on_disk() {
    std::vector<std::string> out;
    for (auto& e : fs::recursive_directory_iterator(dir.path() + "/l2")) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir.path() + "/l2").string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kNow);
  // The tier's warnings, captured so tests can check them (and keep test output quiet).
  std::ostringstream log_text;
  std::shared_ptr<spdlog::logger> logger =
      std::make_shared<spdlog::logger>("l2", std::make_shared<spdlog::sinks::ostream_sink_st>(log_text));
};

TEST_F(FileTierTest, PutThenGetRoundTripsBitExactly) {
  auto tier = open_tier();
  CandleSeries s = day_series(kToday, 1440, 3);
  ASSERT_TRUE(tier->put(day_key(7, kToday), s).is_ok());
  auto got = get(*tier, day_key(7, kToday));
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(same_bits(*got, s));
  EXPECT_EQ(tier->stats().hits, 1u);
}

TEST_F(FileTierTest, ExtremeValuesRoundTripBitExactly) {
  auto tier = open_tier();
  const double tiny = std::numeric_limits<double>::denorm_min(), huge = std::numeric_limits<double>::max();
  CandleSeries s;
  s.push_back(Candle{kToday, -0.0, 0.0, -0.0, 0.0, 0.0, 0.0});
  s.push_back(Candle{kToday + kMinuteMs, tiny, huge, tiny, 1e-300, tiny, huge});
  s.push_back(Candle{kToday + 1439 * kMinuteMs, 0.1, 0.30000000000000004, 0.1, 0.2, 1e308, 123.456});
  ASSERT_TRUE(tier->put(day_key(1, kToday), s).is_ok());
  auto got = get(*tier, day_key(1, kToday));
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(same_bits(*got, s));
}

TEST_F(FileTierTest, EveryChunkSizeRoundTripsBitExactly) {
  auto tier = open_tier();
  std::mt19937_64 rng(5);
  for (size_t n : {1, 2, 15, 16, 17, 31, 32, 33, 100, 1439, 1440}) {
    CandleSeries s;
    for (size_t i = 0; i < n; ++i) {
      // Random bit patterns (finite, non-negative) reach every byte plane.
      auto any = [&] { return std::abs(std::bit_cast<double>((rng() & ~(uint64_t{0x7ff} << 52)) | ((rng() % 2046) << 52))); };
      double lo = any(), hi = any();
      if (hi < lo) std::swap(lo, hi);
      s.push_back(Candle{kToday + int64_t(i) * kMinuteMs, any(), hi, lo, any(), any(), any()});
    }
    ASSERT_TRUE(tier->put(day_key(1, kToday), s).is_ok()) << n;
    auto got = get(*tier, day_key(1, kToday));
    ASSERT_TRUE(got.has_value()) << n;
    EXPECT_TRUE(same_bits(*got, s)) << n;
  }
}

TEST_F(FileTierTest, EmptyChunkRoundTrips) {
  auto tier = open_tier();
  ASSERT_TRUE(tier->put(day_key(1, kToday), CandleSeries{}).is_ok());
  auto got = get(*tier, day_key(1, kToday));
  ASSERT_TRUE(got.has_value()) << "an empty day (no trades) is a stored chunk, not a miss";
  EXPECT_TRUE(got->empty());
}

TEST_F(FileTierTest, AbsentChunkIsAMiss) {
  auto tier = open_tier();
  EXPECT_FALSE(get(*tier, day_key(1, kToday)).has_value());
  EXPECT_EQ(tier->stats().misses, 1u);
}

TEST_F(FileTierTest, FileLivesUnderMarketTimeframeAndDay) {
  auto tier = open_tier();
  ASSERT_TRUE(tier->put(day_key(7, kToday, 60), day_series(kToday, 24)).is_ok());
  ASSERT_TRUE(tier->put(ChunkKey{7, 1440, -540, kToday - 9 * kHourMs + kDayMs}, CandleSeries{}).is_ok());
  EXPECT_EQ(tier->path_of(day_key(7, kToday, 60)), dir.path() + "/l2/7/60/2024-03-10.ckc");
  EXPECT_EQ(files_on_disk(), (std::vector<std::string>{"7/1440_o-540/2024-03-10T1500.ckc", "7/60/2024-03-10.ckc"}));
}

TEST_F(FileTierTest, PutReplacesPreviousVersion) {
  auto tier = open_tier();
  ASSERT_TRUE(tier->put(day_key(1, kToday), day_series(kToday, 100, 1)).is_ok());
  CandleSeries v2 = day_series(kToday, 200, 2);
  ASSERT_TRUE(tier->put(day_key(1, kToday), v2).is_ok());
  EXPECT_TRUE(same_bits(*get(*tier, day_key(1, kToday)), v2));
  EXPECT_EQ(tier->stats().entries, 1u);
  EXPECT_EQ(tier->stats().bytes, fs::file_size(tier->path_of(day_key(1, kToday))));
}

TEST_F(FileTierTest, InvalidSeriesIsRejectedAndNothingWritten) {
  auto tier = open_tier();
  CandleSeries unsorted;
  unsorted.push_back(Candle{kToday + kMinuteMs, 1, 1, 1, 1, 1, 1});
  unsorted.push_back(Candle{kToday, 1, 1, 1, 1, 1, 1});
  CandleSeries nan;
  nan.push_back(Candle{kToday, NAN, 1, 1, 1, 1, 1});
  CandleSeries next_day;
  next_day.push_back(Candle{kToday + kDayMs, 1, 1, 1, 1, 1, 1});
  CandleSeries before_start;
  before_start.push_back(Candle{kToday - kMinuteMs, 1, 1, 1, 1, 1, 1});
  for (const auto* s : {&unsorted, &nan, &next_day, &before_start}) {
    EXPECT_EQ(tier->put(day_key(1, kToday), *s).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(files_on_disk().empty());
}

TEST_F(FileTierTest, ReopenRebuildsIndexFromDirectory) {
  uint64_t bytes;
  {
    auto tier = open_tier();
    for (int d = 0; d < 3; ++d) ASSERT_TRUE(tier->put(day_key(2, kToday - d * kDayMs), day_series(kToday - d * kDayMs, 500, d)).is_ok());
    ASSERT_TRUE(tier->put(day_key(3, kToday, 15), day_series(kToday, 96)).is_ok());
    bytes = tier->stats().bytes;
  }
  auto tier = open_tier();
  EXPECT_EQ(tier->stats().entries, 4u);
  EXPECT_EQ(tier->stats().bytes, bytes);
  EXPECT_TRUE(same_bits(*get(*tier, day_key(2, kToday - 2 * kDayMs)), day_series(kToday - 2 * kDayMs, 500, 2)));
}

TEST_F(FileTierTest, OpenRemovesStrayTempFilesAndIgnoresForeignFiles) {
  fs::create_directories(dir.path() + "/l2/5/1");
  spit(dir.path() + "/l2/5/1/2024-03-10.ckc.tmp", "half a file");
  spit(dir.path() + "/l2/5/1/notes.txt", "not ours");
  auto tier = open_tier();
  EXPECT_FALSE(fs::exists(dir.path() + "/l2/5/1/2024-03-10.ckc.tmp"));
  EXPECT_EQ(tier->stats().entries, 0u);
}

TEST_F(FileTierTest, RetentionRemovesChunksOlderThanWindow) {
  auto tier = open_tier(nullptr, 7);
  for (int d = 0; d < 7; ++d) ASSERT_TRUE(tier->put(day_key(1, kToday - d * kDayMs), day_series(kToday - d * kDayMs, 10)).is_ok());
  EXPECT_EQ(tier->stats().entries, 7u);
  clock->advance_ms(2 * kDayMs);
  ASSERT_TRUE(tier->enforce_retention().is_ok());
  EXPECT_EQ(tier->stats().entries, 5u);
  EXPECT_EQ(tier->stats().evictions, 2u);
  EXPECT_FALSE(get(*tier, day_key(1, kToday - 6 * kDayMs)).has_value());
  EXPECT_FALSE(get(*tier, day_key(1, kToday - 5 * kDayMs)).has_value());
  EXPECT_TRUE(get(*tier, day_key(1, kToday - 4 * kDayMs)).has_value());
  EXPECT_FALSE(fs::exists(tier->path_of(day_key(1, kToday - 6 * kDayMs))));
}

TEST_F(FileTierTest, OpenEnforcesRetention) {
  { auto tier = open_tier(); ASSERT_TRUE(tier->put(day_key(1, kToday - 3 * kDayMs), day_series(kToday - 3 * kDayMs, 10)).is_ok()); }
  auto tier = open_tier(nullptr, 3);
  EXPECT_EQ(tier->stats().entries, 0u);
  EXPECT_TRUE(files_on_disk().empty());
}

TEST_F(FileTierTest, PutOfChunkOlderThanWindowStoresNothing) {
  auto tier = open_tier(nullptr, 2);
  EXPECT_TRUE(tier->put(day_key(1, kToday - 2 * kDayMs), day_series(kToday - 2 * kDayMs, 10)).is_ok());
  EXPECT_EQ(tier->stats().entries, 0u);
  EXPECT_TRUE(tier->put(day_key(1, kToday - kDayMs), day_series(kToday - kDayMs, 10)).is_ok());
  EXPECT_EQ(tier->stats().entries, 1u);
}

TEST_F(FileTierTest, BudgetEvictsOldestFirst) {
  uint64_t one_file;
  {
    auto probe = open_tier();
    ASSERT_TRUE(probe->put(day_key(1, kToday), day_series(kToday, 300)).is_ok());
    one_file = probe->stats().bytes;
    probe->erase(day_key(1, kToday));
  }
  auto tier = open_tier(nullptr, 7, one_file * 5 / 2);
  // Write newest first, so "oldest" must mean the chunk's day, not the order of writing.
  for (int d : {0, 2, 1}) ASSERT_TRUE(tier->put(day_key(1, kToday - d * kDayMs), day_series(kToday - d * kDayMs, 300)).is_ok());
  auto st = tier->stats();
  EXPECT_EQ(st.entries, 2u);
  EXPECT_EQ(st.evictions, 1u);
  EXPECT_LE(st.bytes, one_file * 5 / 2);
  EXPECT_FALSE(get(*tier, day_key(1, kToday - 2 * kDayMs)).has_value());
  EXPECT_TRUE(get(*tier, day_key(1, kToday - kDayMs)).has_value());
  EXPECT_TRUE(get(*tier, day_key(1, kToday)).has_value());
}

TEST_F(FileTierTest, EraseRemovesFile) {
  auto tier = open_tier();
  ASSERT_TRUE(tier->put(day_key(1, kToday), day_series(kToday, 10)).is_ok());
  tier->erase(day_key(1, kToday));
  EXPECT_FALSE(fs::exists(tier->path_of(day_key(1, kToday))));
  EXPECT_FALSE(get(*tier, day_key(1, kToday)).has_value());
  EXPECT_EQ(tier->stats().entries, 0u);
  EXPECT_EQ(tier->stats().bytes, 0u);
}

// ---- damaged files ----------------------------------------------------------------------------

// Puts a chunk, damages its file with `damage`, and checks the damage is caught: a miss, the file
// gone, the corruption counted — and that a fresh put heals it.
class DamagedFileTest : public FileTierTest {
 protected:
  void expect_detected(const std::function<void(std::string&)>& damage, const std::string& what) {
    auto tier = open_tier();
    const ChunkKey key = day_key(9, kToday);
    const CandleSeries s = day_series(kToday, 700, 11);
    ASSERT_TRUE(tier->put(key, s).is_ok());
    std::string bytes = slurp(tier->path_of(key));
    std::string damaged = bytes;
    damage(damaged);
    ASSERT_NE(damaged, bytes) << what << ": the damage changed nothing";
    spit(tier->path_of(key), damaged);
    uint64_t corrupt_before = tier->stats().corrupt_files;
    auto got = tier->get(key);
    ASSERT_TRUE(got.is_ok()) << what;
    EXPECT_FALSE(got->has_value()) << what << ": a damaged file must never be served";
    EXPECT_FALSE(fs::exists(tier->path_of(key))) << what;
    EXPECT_EQ(tier->stats().corrupt_files, corrupt_before + 1) << what;
    EXPECT_EQ(tier->stats().entries, 0u) << what;
    ASSERT_TRUE(tier->put(key, s).is_ok());
    auto healed = get(*tier, key);
    ASSERT_TRUE(healed.has_value()) << what;
    EXPECT_TRUE(same_bits(*healed, s)) << what;
  }

  // Rewrites the header checksum so only the deliberate field change is wrong.
  static void reseal_header(std::string& b) {
    uint32_t crc = uint32_t(::crc32(0L, reinterpret_cast<const Bytef*>(b.data()), 44));
    for (int i = 0; i < 4; ++i) b[44 + i] = char(crc >> (8 * i));
  }
};

TEST_F(DamagedFileTest, RandomByteFlipsAreDetected) {
  std::mt19937 rng(42);
  for (int round = 0; round < 150; ++round) {
    int flips = 1 + int(rng() % 3);
    expect_detected(
        [&](std::string& b) {
          for (int i = 0; i < flips; ++i) b[rng() % b.size()] ^= char(1 + rng() % 255);
        },
        "round " + std::to_string(round));
    if (HasFatalFailure()) return;
  }
}

TEST_F(DamagedFileTest, TruncationAtRandomLengthsIsDetected) {
  std::mt19937 rng(43);
  std::vector<size_t> cuts = {0, 1, 4, 47, 48, 49};
  for (int i = 0; i < 100; ++i) cuts.push_back(rng());
  for (size_t cut : cuts) {
    expect_detected([&](std::string& b) { b.resize(cut < 60 ? cut : cut % b.size()); }, "cut at " + std::to_string(cut));
    if (HasFatalFailure()) return;
  }
}

TEST_F(DamagedFileTest, ZeroLengthFileIsDetected) {
  expect_detected([](std::string& b) { b.clear(); }, "zero length");
}

TEST_F(DamagedFileTest, TrailingGarbageIsDetected) {
  expect_detected([](std::string& b) { b += "garbage"; }, "trailing garbage");
}

TEST_F(DamagedFileTest, WrongMagicIsDetected) {
  expect_detected([](std::string& b) { b[0] = 'X'; reseal_header(b); }, "wrong magic");
}

TEST_F(DamagedFileTest, UnknownVersionIsDetected) {
  expect_detected([](std::string& b) { b[4] = 2; reseal_header(b); }, "version 2");
}

TEST_F(DamagedFileTest, ResealedWrongCountIsDetected) {
  expect_detected([](std::string& b) { b[20] ^= 1; reseal_header(b); }, "count off by one");
}

TEST_F(FileTierTest, FileOfAnotherChunkIsDetected) {
  auto tier = open_tier();
  ASSERT_TRUE(tier->put(day_key(1, kToday), day_series(kToday, 10)).is_ok());
  ASSERT_TRUE(tier->put(day_key(1, kToday - kDayMs), day_series(kToday - kDayMs, 10)).is_ok());
  // A valid file, but copied under another chunk's name.
  spit(tier->path_of(day_key(1, kToday)), slurp(tier->path_of(day_key(1, kToday - kDayMs))));
  EXPECT_FALSE(get(*tier, day_key(1, kToday)).has_value());
  EXPECT_EQ(tier->stats().corrupt_files, 1u);
}

TEST_F(FileTierTest, CorruptFileIsLoggedAsWarning) {
  auto tier = open_tier();
  ASSERT_TRUE(tier->put(day_key(1, kToday), day_series(kToday, 10)).is_ok());
  spit(tier->path_of(day_key(1, kToday)), "junk");
  EXPECT_FALSE(get(*tier, day_key(1, kToday)).has_value());
  EXPECT_NE(log_text.str().find("[warning] L2: removing corrupt chunk file"), std::string::npos) << log_text.str();
  EXPECT_NE(log_text.str().find(tier->path_of(day_key(1, kToday))), std::string::npos);
}

TEST_F(FileTierTest, FileRemovedBehindItsBackIsAMiss) {
  auto tier = open_tier();
  ASSERT_TRUE(tier->put(day_key(1, kToday), day_series(kToday, 10)).is_ok());
  fs::remove(tier->path_of(day_key(1, kToday)));
  EXPECT_FALSE(get(*tier, day_key(1, kToday)).has_value());
  EXPECT_EQ(tier->stats().corrupt_files, 0u);
  EXPECT_EQ(tier->stats().entries, 0u);
}

// ---- failures while writing -----------------------------------------------------------------

TEST_F(FileTierTest, WriteSyncsTempFileBeforeRenameAndThenTheDirectory) {
  FaultInjectingFileSystem faults(FileSystem::posix());
  auto tier = open_tier(&faults);
  faults.clear_log();
  ASSERT_TRUE(tier->put(day_key(1, kToday), day_series(kToday, 10)).is_ok());
  std::string final_path = tier->path_of(day_key(1, kToday)), tmp = final_path + ".tmp";
  std::string dir_path = final_path.substr(0, final_path.find_last_of('/'));
  std::vector<std::string> log = faults.log();
  std::vector<std::string> expected = {"create " + tmp, "append " + tmp, "sync " + tmp, "close " + tmp,
                                       "rename " + tmp + " " + final_path, "sync_dir " + dir_path};
  ASSERT_GE(log.size(), expected.size());
  // create_dirs may come first; the write itself must be exactly this sequence.
  std::vector<std::string> tail(log.end() - long(expected.size()), log.end());
  EXPECT_EQ(tail, expected);
}

TEST_F(FileTierTest, FailedWriteAtAnyStepKeepsPreviousVersion) {
  using Op = FaultInjectingFileSystem::Op;
  FaultInjectingFileSystem faults(FileSystem::posix());
  auto tier = open_tier(&faults);
  const ChunkKey key = day_key(1, kToday);
  const CandleSeries v1 = day_series(kToday, 500, 1);
  ASSERT_TRUE(tier->put(key, v1).is_ok());
  const std::vector<std::string> files_before = files_on_disk();

  struct Fault { std::string name; std::function<void()> arm; };
  std::vector<Fault> faults_to_try = {
      {"create", [&] { faults.set_failing(Op::kCreate, true); }},
      {"append", [&] { faults.set_failing(Op::kAppend, true); }},
      {"disk full after 0 bytes", [&] { faults.fail_writes_after(0); }},
      {"disk full after 30 bytes", [&] { faults.fail_writes_after(30); }},
      {"disk full after 1000 bytes", [&] { faults.fail_writes_after(1000); }},
      {"sync", [&] { faults.set_failing(Op::kSync, true); }},
      {"close", [&] { faults.set_failing(Op::kClose, true); }},
      {"rename", [&] { faults.set_failing(Op::kRename, true); }},
      {"create_dirs", [&] { faults.set_failing(Op::kCreateDirs, true); }},
  };
  for (const auto& f : faults_to_try) {
    f.arm();
    EXPECT_FALSE(tier->put(key, day_series(kToday, 900, 2)).is_ok()) << f.name;
    faults.clear_faults();
    EXPECT_EQ(files_on_disk(), files_before) << f.name << ": no temp file or torn file may remain";
    auto got = get(*tier, key);
    ASSERT_TRUE(got.has_value()) << f.name;
    EXPECT_TRUE(same_bits(*got, v1)) << f.name;
  }
  EXPECT_EQ(tier->stats().corrupt_files, 0u);
}

TEST_F(FileTierTest, FailedFirstWriteLeavesNoFile) {
  FaultInjectingFileSystem faults(FileSystem::posix());
  auto tier = open_tier(&faults);
  faults.fail_writes_after(100);
  EXPECT_EQ(tier->put(day_key(1, kToday), day_series(kToday, 500)).code(), StatusCode::kIOError);
  EXPECT_TRUE(files_on_disk().empty());
  EXPECT_FALSE(get(*tier, day_key(1, kToday)).has_value());
  EXPECT_EQ(tier->stats().entries, 0u);
}

TEST_F(FileTierTest, TempFileLeftByCrashIsRemovedOnReopen) {
  using Op = FaultInjectingFileSystem::Op;
  const CandleSeries v1 = day_series(kToday, 500, 1);
  {
    FaultInjectingFileSystem faults(FileSystem::posix());
    auto tier = open_tier(&faults);
    ASSERT_TRUE(tier->put(day_key(1, kToday), v1).is_ok());
    // A crash between writing the temp file and renaming it: the cleanup never happens either.
    faults.set_failing(Op::kRename, true);
    faults.set_failing(Op::kRemove, true);
    EXPECT_FALSE(tier->put(day_key(1, kToday), day_series(kToday, 900, 2)).is_ok());
    EXPECT_EQ(files_on_disk().size(), 2u);
  }
  auto tier = open_tier();
  EXPECT_EQ(files_on_disk(), (std::vector<std::string>{"1/1/2024-03-10.ckc"}));
  EXPECT_TRUE(same_bits(*get(*tier, day_key(1, kToday)), v1));
}

TEST_F(FileTierTest, ReadErrorIsReportedAndCountedAsMiss) {
  using Op = FaultInjectingFileSystem::Op;
  FaultInjectingFileSystem faults(FileSystem::posix());
  auto tier = open_tier(&faults);
  ASSERT_TRUE(tier->put(day_key(1, kToday), day_series(kToday, 10)).is_ok());
  faults.set_failing(Op::kRead, true);
  auto r = tier->get(day_key(1, kToday));
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_EQ(tier->stats().misses, 1u);
  EXPECT_EQ(tier->stats().corrupt_files, 0u);
  faults.set_failing(Op::kRead, false);
  EXPECT_TRUE(get(*tier, day_key(1, kToday)).has_value()) << "a read error must not drop a good file";
}

TEST_F(FileTierTest, OpenFailsCleanlyWhenDirectoryCannotBeListed) {
  using Op = FaultInjectingFileSystem::Op;
  FaultInjectingFileSystem faults(FileSystem::posix());
  faults.set_failing(Op::kList, true);
  auto t = FileTier::open(FileTierOptions{dir.path(), 7, 1 << 20, clock, &faults, logger});
  EXPECT_EQ(t.status().code(), StatusCode::kIOError);
}

// ---- concurrency ----------------------------------------------------------------------------

// Readers get chunks while writers replace and erase them and a budget evicts: every hit is one
// whole version of its chunk, and at the end the index matches the disk exactly. Also built with
// ThreadSanitizer (file_tier_tsan_test).
TEST_F(FileTierTest, ConcurrentReadersAndWritersSeeWholeChunks) {
  constexpr int kKeys = 6, kOps = 300;
  auto tier = open_tier(nullptr, 7, 200'000);
  auto key_at = [](int i) { return day_key(1 + i % 2, kToday - (i / 2) * kDayMs); };
  auto version = [](const ChunkKey& k, int v, size_t n) {
    CandleSeries s;
    for (size_t i = 0; i < n; ++i) s.push_back(Candle{k.start + int64_t(i) * kMinuteMs, 1, 2, 0.5, double(v), 1, double(v)});
    return s;
  };
  std::atomic<int> torn{0}, errors{0}, hits{0}, writers_left{2};
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937 rng(r);
      // Until the writers are done, so reads overlap writes however the threads are scheduled.
      for (int op = 0; op < kOps || writers_left.load() > 0; ++op) {
        ChunkKey k = key_at(int(rng() % kKeys));
        auto got = tier->get(k);
        if (!got.is_ok()) { ++errors; continue; }
        if (!got->has_value()) continue;
        ++hits;
        const CandleSeries& s = **got;
        bool whole = !s.empty() && s.time()[0] == k.start;
        for (size_t i = 0; whole && i < s.size(); ++i) whole = s.close()[i] == s.close()[0] && s.value()[i] == s.close()[0];
        if (!whole) ++torn;
      }
    });
  }
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(10 + w);
      for (int op = 0; op < kOps; ++op) {
        ChunkKey k = key_at(int(rng() % kKeys));
        if (rng() % 5 == 0) {
          tier->erase(k);
        } else if (!tier->put(k, version(k, op * 2 + w, 1 + rng() % 1440)).is_ok()) {
          ++errors;
        }
      }
      --writers_left;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(hits.load(), 0);
  auto st = tier->stats();
  EXPECT_LE(st.bytes, 200'000u);
  std::vector<std::string> files = files_on_disk();
  EXPECT_EQ(st.entries, files.size());
  uint64_t on_disk = 0;
  for (const auto& f : files) on_disk += fs::file_size(dir.path() + "/l2/" + f);
  EXPECT_EQ(st.bytes, on_disk);
}

}  // namespace
}  // namespace ck
