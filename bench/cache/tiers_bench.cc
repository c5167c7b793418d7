// L1 (MemoryTier) and L2 (FileTier) figures on synthetic KRW data shaped like Upbit's.
// What each benchmark measures, on what data, and the goal it serves are in its label.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "cache/file_tier.h"
#include "cache/memory_tier.h"
#include "tests/cache/sample_data.h"

namespace ck {
namespace {

constexpr Timestamp kFirstDay = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
constexpr int kDays = 7;

// kDays days of one KRW-BTC-like market, split into 1-minute day chunks.
const std::vector<CandleSeries>& day_chunks() {
  static const std::vector<CandleSeries> chunks = [] {
    testing::KrwMarketShape shape;
    CandleSeries all = testing::synthetic_krw_minutes(shape, kFirstDay, kDays);
    std::vector<CandleSeries> out;
    for (int d = 0; d < kDays; ++d) {
      Timestamp day = kFirstDay + d * kDayMs;
      out.push_back(all.slice(TimeRange{day, day + kDayMs}));
    }
    return out;
  }();
  return chunks;
}

// One day of 1h candles: the screener's chunk shape.
CandleSeries hourly_chunk() {
  CandleSeries s;
  for (int h = 0; h < 24; ++h) s.push_back(Candle{kFirstDay + h * kHourMs, 1, 2, 0.5, 1.5, 10, 15});
  return s;
}

// The screener's working set: 200 markets x 30 days of 1h chunks (24 candles each) = 720 candles
// per market. L1 lookup of one chunk, pinned and released.
void BM_L1LookupHit(benchmark::State& state) {
  constexpr uint32_t kMarkets = 200, kChunkDays = 30;
  static MemoryTier* tier = [] {
    auto* t = new MemoryTier();
    for (uint32_t m = 0; m < kMarkets; ++m) {
      for (uint32_t d = 0; d < kChunkDays; ++d) (void)t->insert(ChunkKey{m, 60, 0, kFirstDay + d * kDayMs}, hourly_chunk());
    }
    return t;
  }();
  std::mt19937 rng(1 + state.thread_index());
  double sum = 0;
  for (auto _ : state) {
    ChunkKey k{uint32_t(rng() % kMarkets), 60, 0, kFirstDay + int64_t(rng() % kChunkDays) * kDayMs};
    MemoryTier::Pin pin = tier->lookup(k);
    sum += pin->close()[0];
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("6,000 chunks in 16 shards; screener needs 6,000 lookups in <= 10 ms");
}

// The whole screener read from L1: 200 markets x 30 chunks pinned, and their 720 closes summed.
void BM_L1ScreenerPass(benchmark::State& state) {
  constexpr uint32_t kMarkets = 200, kChunkDays = 30;
  MemoryTier tier;
  CandleSeries hourly = hourly_chunk();
  for (uint32_t m = 0; m < kMarkets; ++m) {
    for (uint32_t d = 0; d < kChunkDays; ++d) (void)tier.insert(ChunkKey{m, 60, 0, kFirstDay + d * kDayMs}, hourly);
  }
  double sum = 0;
  for (auto _ : state) {
    for (uint32_t m = 0; m < kMarkets; ++m) {
      for (uint32_t d = 0; d < kChunkDays; ++d) {
        MemoryTier::Pin pin = tier.lookup(ChunkKey{m, 60, 0, kFirstDay + d * kDayMs});
        for (double c : pin->close()) sum += c;
      }
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetLabel("200 markets x 720 1h candles from L1 (lookups + reading); goal <= 10 ms");
}

// A fresh temp directory for L2, removed at exit.
struct BenchDir {
  std::string path;
  BenchDir() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/ck-tiers-bench-XXXXXX";
    path = ::mkdtemp(tmpl.data());
  }
  ~BenchDir() { std::filesystem::remove_all(path); }
};

std::unique_ptr<FileTier> open_l2(const std::string& dir) {
  auto clock = std::make_shared<ManualClock>(kFirstDay + kDays * kDayMs - 1);
  auto tier = FileTier::open(FileTierOptions{dir, kDays, uint64_t{1} << 30, clock, nullptr, spdlog::default_logger()});
  if (!tier.is_ok()) std::abort();
  return std::move(tier).value();
}

// L2 read of one day of 1-minute candles: read the file, verify both checksums, LZ4-decompress,
// check the candle rules, build the CandleSeries. (Page cache warm: the files were just written.)
void BM_L2GetDayChunk(benchmark::State& state) {
  BenchDir dir;
  auto tier = open_l2(dir.path);
  const auto& chunks = day_chunks();
  for (int d = 0; d < kDays; ++d) {
    if (!tier->put(ChunkKey{1, 1, 0, kFirstDay + d * kDayMs}, chunks[size_t(d)]).is_ok()) std::abort();
  }
  size_t candles = 0;
  int d = 0;
  for (auto _ : state) {
    auto got = tier->get(ChunkKey{1, 1, 0, kFirstDay + d * kDayMs});
    candles += (*got)->size();
    d = (d + 1) % kDays;
  }
  size_t total = 0;
  for (const auto& c : chunks) total += c.size();
  state.SetItemsProcessed(int64_t(candles));
  state.counters["candles_per_chunk"] = double(total) / kDays;
  state.counters["file_bytes_per_candle"] = double(tier->stats().bytes) / double(total);
  state.SetLabel("1 day of 1m KRW candles per op (time/op = per chunk)");
}

// L2 write of one day: encode, compress, temp file, fsync, rename, fsync the directory.
void BM_L2PutDayChunk(benchmark::State& state) {
  BenchDir dir;
  auto tier = open_l2(dir.path);
  const auto& chunks = day_chunks();
  int d = 0;
  for (auto _ : state) {
    if (!tier->put(ChunkKey{1, 1, 0, kFirstDay + d * kDayMs}, chunks[size_t(d)]).is_ok()) std::abort();
    d = (d + 1) % kDays;
  }
  state.SetLabel("1 day of 1m KRW candles per op, fsynced (dominated by the disk's fsync)");
}

}  // namespace
}  // namespace ck

BENCHMARK(ck::BM_L1LookupHit)->Threads(1)->Threads(2);
BENCHMARK(ck::BM_L1ScreenerPass)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_L2GetDayChunk)->Unit(benchmark::kMicrosecond);
BENCHMARK(ck::BM_L2PutDayChunk)->Unit(benchmark::kMicrosecond)->Iterations(50);
BENCHMARK_MAIN();
