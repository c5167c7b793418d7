// Screener figures, each printed beside its goal (issue 6):
//   - data: 200 KRW markets × 30 days of 1-minute candles shaped like Upbit's (the store benchmark's
//     screener set, tests/cache/sample_data.h: prices on the KRW tick ladder, 1 in 5 markets
//     illiquid), stored in L3 only (flushed and compacted; the clock is a month after the data, so
//     no day of it is in L2);
//   - the screen: the last 720 closed 1h candles of every market with three indicators
//     (sma:20, rsi:14, bb_upper:20:2), no filter, sorted by rsi14;
//   - "warm": one Engine kept open, so L1 holds the hourly chunks after the first run (goal <= 10 ms);
//   - "from L3": a new Engine per iteration (empty L1 and RocksDB block cache; the OS page cache
//     stays warm), its open not timed — what a fresh `candlekeep screen` process does (goal <= 500 ms);
//   - the read alone (Engine::latest) and the rows alone (screen_windows), to split the figures.
// Run: build-*/bench/screen/screen_bench   (Release build; writing the data takes about half a minute)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "timeframe/allocator_tuning.h"
#include "engine/screener.h"
#include "tests/cache/sample_data.h"

namespace ck {
namespace {

constexpr int kMarkets = 200;
constexpr int kDays = 30;
constexpr size_t kBars = 720;
constexpr Timestamp kStart = 1'717'200'000'000;  // 2024-06-01T00:00:00Z
const TimeRange kSpan{kStart, kStart + kDays * kDayMs};
constexpr const char* kIndicators = "sma:20,rsi:14,bb_upper:20:2";

std::string temp_dir(const std::string& leaf) {
  auto dir = std::filesystem::temp_directory_path() / ("candlekeep-screen-bench-" + std::to_string(::getpid()) + "-" + leaf);
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::unique_ptr<Engine> open_engine(const std::string& data_dir, size_t l1_mib = 256) {
  EngineOptions o;
  o.data_dir = data_dir;
  o.l1_capacity_bytes = l1_mib << 20;
  o.clock = std::make_shared<ManualClock>(kSpan.to + 30 * kDayMs);
  o.requests_per_second = 0;
  auto e = Engine::open(o);
  if (!e) {
    std::fprintf(stderr, "open: %s\n", e.status().to_string().c_str());
    std::abort();
  }
  return std::move(e).value();
}

struct ScreenStore {
  std::string dir = temp_dir("data");
  std::vector<std::string> markets;
  size_t candles = 0;
  ScreenStore() {
    auto engine = open_engine(dir);
    for (int m = 0; m < kMarkets; ++m) {
      char name[32];
      std::snprintf(name, sizeof name, "KRW-M%03d", m);
      markets.push_back(name);
      CandleSeries minutes = testing::synthetic_krw_minutes(testing::screener_market_shape(m), kSpan.from, kDays);
      candles += minutes.size();
      if (!engine->store().write_minutes(name, minutes, {kSpan}).is_ok()) std::abort();
    }
    if (!engine->store().l3().flush_and_compact().is_ok()) std::abort();
  }
  ~ScreenStore() { std::filesystem::remove_all(dir); }
};

ScreenStore& screen_store() {
  static ScreenStore store;
  return store;
}

const ScreenSpec& spec() {
  static const ScreenSpec s = [] {
    auto p = ScreenSpec::parse(kIndicators, "", "-rsi14");
    if (!p) std::abort();
    return std::move(p).value();
  }();
  return s;
}

void check(benchmark::State& state, const Result<std::vector<ScreenRow>>& rows) {
  if (!rows || rows->size() != size_t(kMarkets)) {
    state.SkipWithError("screen failed or lost markets");
    return;
  }
  // A liquid market fills every hour; an illiquid one (every 5th) has empty hours, so fewer bars.
  for (const auto& r : *rows) {
    const int market = std::atoi(r.market.c_str() + 5);  // "KRW-M007" -> 7
    const double bars = r.values[0];
    if (bars > double(kBars) || (market % 5 != 0 && bars != double(kBars)) || bars < double(kBars) / 2) {
      state.SkipWithError("a window has the wrong number of bars");
    }
  }
}

void counters(benchmark::State& state) {
  state.counters["markets"] = kMarkets;
  state.counters["bars"] = double(kBars);
  state.counters["minutes_stored"] = double(screen_store().candles);
}

void BM_ScreenWarm(benchmark::State& state) {
  ScreenStore& store = screen_store();
  auto engine = open_engine(store.dir, size_t(state.range(1)));
  ScreenOptions so;
  so.threads = int(state.range(0));
  check(state, screen(*engine, store.markets, Timeframe::hours(1), kBars, spec(), so));  // fills L1
  const StoreStats before = engine->stats();
  for (auto _ : state) {
    auto rows = screen(*engine, store.markets, Timeframe::hours(1), kBars, spec(), so);
    benchmark::DoNotOptimize(rows);
    check(state, rows);
  }
  const StoreStats after = engine->stats();
  const double hits = double(after.l1.hits - before.l1.hits), misses = double(after.l1.misses - before.l1.misses);
  state.counters["l1_hit_rate"] = hits + misses > 0 ? hits / (hits + misses) : 0;
  state.counters["l1_MiB"] = double(after.l1.bytes) / (1 << 20);
  counters(state);
  state.SetLabel("200 x 720 x 1h + sma20,rsi14,bb_upper20_2, engine kept open (L1 budget arg 2, MiB)  (goal <= 10 ms)");
}

void BM_ScreenFromL3(benchmark::State& state) {
  ScreenStore& store = screen_store();
  ScreenOptions so;
  so.threads = int(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = open_engine(store.dir);
    state.ResumeTiming();
    auto rows = screen(*engine, store.markets, Timeframe::hours(1), kBars, spec(), so);
    benchmark::DoNotOptimize(rows);
    state.PauseTiming();
    check(state, rows);
    engine.reset();
    state.ResumeTiming();
  }
  counters(state);
  state.SetLabel("same, fresh engine: 30 days of 1m per market from L3  (goal <= 500 ms)");
}

void BM_LatestWarm(benchmark::State& state) {
  ScreenStore& store = screen_store();
  auto engine = open_engine(store.dir, size_t(state.range(1)));
  LatestOptions lo;
  lo.threads = int(state.range(0));
  if (!engine->latest(store.markets, Timeframe::hours(1), kBars, lo)) std::abort();
  for (auto _ : state) {
    auto w = engine->latest(store.markets, Timeframe::hours(1), kBars, lo);
    benchmark::DoNotOptimize(w);
  }
  counters(state);
  state.SetLabel("read only: Engine::latest 200 x 720 x 1h, L1 warm");
}

void BM_RowsOnly(benchmark::State& state) {
  ScreenStore& store = screen_store();
  auto engine = open_engine(store.dir);
  auto windows = engine->latest(store.markets, Timeframe::hours(1), kBars);
  if (!windows) std::abort();
  for (auto _ : state) {
    auto rows = screen_windows(*windows, spec());
    benchmark::DoNotOptimize(rows);
  }
  counters(state);
  state.SetLabel("rows only: figures + 3 indicators + sort over 200 windows of 720 bars");
}

}  // namespace
}  // namespace ck

// Argument: Engine::latest threads (0 = one per core).
BENCHMARK(ck::BM_ScreenWarm)->Args({0, 256})->Args({0, 1024})->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_ScreenFromL3)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(ck::BM_LatestWarm)->Args({0, 1024})->Args({1, 1024})->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_RowsOnly)->Unit(benchmark::kMillisecond);
int main(int argc, char** argv) {
  ck::keep_freed_memory();  // as the candlekeep binary does (timeframe/allocator_tuning.h)
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
