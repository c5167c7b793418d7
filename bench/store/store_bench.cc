// TieredStore figures (cache/tiered_store.h) on realistic KRW data, each printed beside its goal
// (issue 4). All reads go through TieredStore::read, the path every caller takes.
//
// Data (written through TieredStore::write_minutes into a temp data dir, then flushed and compacted):
//   - screener set: 200 KRW markets x 30 UTC days of 1-minute candles (8.64 M minute slots): random
//     walks on Upbit's KRW tick ladder, prices from 5 KRW to 100 M KRW, volumes with 8 decimals,
//     traded value = the exact decimal sum over the minute's trades (tests/cache/sample_data.h);
//     4 in 5 markets liquid (a trade nearly every minute), 1 in 5 illiquid (most minutes empty);
//   - backtest set: one liquid KRW-BTC-like market, 365 days.
// Figures:
//   - screener: the last 720 1h candles of all 200 markets, with 1 and 2 threads —
//     L1 warm (one store kept open; goal <= 10 ms) and from L3 alone (a new store per iteration: empty
//     L1, L2 disabled, a new RocksDB instance with empty block and table caches — what a fresh
//     process sees, except that the OS page cache stays warm; open not timed; goal <= 500 ms), and
//     in a fresh process (this binary re-executed; the time is the reads, open and whole process
//     beside);
//   - backtest: one year of 1m from L3 alone (new store per iteration) turned into 15m, 1h and 4h,
//     either as one 1m read + aggregate_many or as three reads of 15m/1h/4h (goal <= 100 ms);
//   - L3 bytes per stored 1-minute candle after flush_and_compact (goal <= 12).
// Run: build-*/bench/store/store_bench   (Release build; writing the data takes about a minute)
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

#include "timeframe/allocator_tuning.h"
#include "cache/tiered_store.h"
#include "tests/cache/sample_data.h"
#include "timeframe/aggregate.h"

namespace ck {
namespace {

constexpr Timestamp kStart = 1'717'200'000'000;  // 2024-06-01T00:00:00Z
constexpr int kScreenerMarkets = 200;
constexpr int kScreenerDays = 30;
constexpr int kScreenerBars = 720;
constexpr int kBacktestDays = 365;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU time of the whole process (all threads).
double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  std::abort();
}

std::string market_name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "KRW-M%03d", i);
  return buf;
}

TieredStoreOptions store_options(const std::string& dir, bool l2, size_t l1_bytes = size_t{256} << 20) {
  TieredStoreOptions o;
  o.data_dir = dir;
  o.l2_enabled = l2;
  o.l1_capacity_bytes = l1_bytes;
  // "Now" is the day after the data: with L2 enabled its last days would count as recent.
  o.clock = std::make_shared<ManualClock>(kStart + kBacktestDays * kDayMs + kHourMs);
  return o;
}

std::unique_ptr<TieredStore> open_store(const TieredStoreOptions& o) {
  auto s = TieredStore::open(o);
  if (!s) die(s.status().to_string());
  return std::move(s).value();
}

struct L3Size {
  uint64_t candles = 0, l3_bytes = 0, chunk_bytes = 0;
};

L3Size l3_size(TieredStore& store, const std::vector<std::string>& names) {
  L3Size out;
  for (const auto& n : names) {
    auto ms = store.l3().market_stats(*store.market_id(n, false));
    if (!ms) die(ms.status().to_string());
    out.candles += ms->candles;
    out.l3_bytes += ms->l3_bytes;
    out.chunk_bytes += ms->chunk_bytes;
  }
  return out;
}

// A data set on disk: written once per process and removed at exit — or, when CK_STORE_BENCH_DATA
// names a directory, kept there and reused by later runs (for profiling: valgrind cannot afford
// the generation).
struct DataSet {
  std::string dir;
  bool keep = false;
  std::vector<std::string> names;
  TimeRange span;
  uint64_t minutes = 0;
  double generate_s = 0, write_s = 0, compact_s = 0;
  L3Size size;

  DataSet(const std::string& leaf, int markets, int days, const std::function<testing::KrwMarketShape(int)>& shape) {
    span = {kStart, kStart + int64_t(days) * kDayMs};
    for (int i = 0; i < markets; ++i) names.push_back(markets == 1 ? "KRW-BTC" : market_name(i));
    if (const char* base = std::getenv("CK_STORE_BENCH_DATA")) {
      keep = true;
      dir = std::string(base) + "/" + leaf;
      if (std::filesystem::exists(dir + "/READY")) {
        auto store = open_store(store_options(dir, false));
        size = l3_size(*store, names);
        minutes = size.candles;
        return;
      }
    } else {
      dir = (std::filesystem::temp_directory_path() / ("candlekeep-store-bench-" + std::to_string(::getpid()) + "-" + leaf)).string();
    }
    std::filesystem::remove_all(dir);
    auto store = open_store(store_options(dir, false));
    for (int i = 0; i < markets; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      CandleSeries m = testing::synthetic_krw_minutes(shape(i), kStart, days);
      generate_s += seconds_since(t0);
      minutes += m.size();
      t0 = std::chrono::steady_clock::now();
      // One write per month, as a collector catching up would do (each one a synced L3 batch).
      for (Timestamp from = span.from; from < span.to; from += 30 * kDayMs) {
        TimeRange part{from, std::min(span.to, from + 30 * kDayMs)};
        Status st = store->write_minutes(names[size_t(i)], m.slice(part), {part});
        if (!st) die(st.to_string());
      }
      write_s += seconds_since(t0);
    }
    auto t0 = std::chrono::steady_clock::now();
    if (Status st = store->l3().flush_and_compact(); !st) die(st.to_string());
    compact_s = seconds_since(t0);
    size = l3_size(*store, names);
    std::fprintf(stderr,
                 "store_bench: %s set: %d market(s) x %d days, %llu 1m candles; generated in %.1f s, written through "
                 "TieredStore::write_minutes in %.1f s, compacted in %.1f s\n",
                 leaf.c_str(), markets, days, (unsigned long long)minutes, generate_s, write_s, compact_s);
    if (keep) std::ofstream(dir + "/READY") << "1\n";
  }
  ~DataSet() {
    if (!keep) std::filesystem::remove_all(dir);
  }
};

DataSet& screener_set() {
  static DataSet d("screener", kScreenerMarkets, kScreenerDays, testing::screener_market_shape);
  return d;
}

DataSet& backtest_set() {
  static DataSet d("backtest", 1, kBacktestDays, [](int) {
    testing::KrwMarketShape s;  // KRW-BTC-like: 11.5 M KRW, ~40 trades a minute
    s.median_trade_volume = 200'000 / s.start_price;
    s.seed = 2024;
    return s;
  });
  return d;
}

// ---- screener ------------------------------------------------------------------------------------

// The last 720 1h candles of markets [begin, end); returns how many candles came back.
uint64_t screen(TieredStore& store, const std::vector<std::string>& names, TimeRange span, size_t begin, size_t end) {
  const TimeRange last{span.to - kScreenerBars * kHourMs, span.to};
  uint64_t n = 0;
  StoreReadOptions ro;
  ro.cache_inputs = false;  // as the engine's screener reads: one timeframe, minute inputs not kept
  for (size_t i = begin; i < end; ++i) {
    auto r = store.read(names[i], Timeframe::hours(1), last, ro);
    if (!r) die(r.status().to_string());
    n += r->candles.size();
    benchmark::DoNotOptimize(r->candles.close().data());
  }
  return n;
}

// The same with the markets split over `threads` threads.
uint64_t screen_threads(TieredStore& store, const std::vector<std::string>& names, TimeRange span, int threads) {
  if (threads == 1) return screen(store, names, span, 0, names.size());
  std::vector<std::thread> pool;
  std::vector<uint64_t> counts(size_t(threads), 0);
  const size_t per = (names.size() + size_t(threads) - 1) / size_t(threads);
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      size_t b = size_t(t) * per, e = std::min(names.size(), b + per);
      counts[size_t(t)] = screen(store, names, span, b, e);
    });
  }
  for (auto& th : pool) th.join();
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

void tier_counters(benchmark::State& state, const StoreStats& before, const StoreStats& after, double passes) {
  state.counters["l1_hits_per_pass"] = double(after.l1.hits - before.l1.hits) / passes;
  state.counters["l1_misses_per_pass"] = double(after.l1.misses - before.l1.misses) / passes;
  state.counters["l3_chunk_reads_per_pass"] =
      double(after.l3.hits + after.l3.misses - before.l3.hits - before.l3.misses) / passes;
}

void BM_ScreenerWarmL1(benchmark::State& state) {
  DataSet& d = screener_set();
  const int threads = int(state.range(0));
  auto store = open_store(store_options(d.dir, false));
  uint64_t candles = screen_threads(*store, d.names, d.span, threads);  // fills L1
  StoreStats before = store->stats();
  for (auto _ : state) candles = screen_threads(*store, d.names, d.span, threads);
  tier_counters(state, before, store->stats(), double(state.iterations()));
  state.counters["candles"] = double(candles);
  state.counters["l1_mib"] = double(store->stats().l1.bytes) / (1 << 20);
  state.SetLabel("200 mkts x last 720 1h, L1 warm (default 256 MB), " + std::to_string(threads) +
                 " thread(s)  (goal <= 10 ms)");
}

void BM_ScreenerFromL3(benchmark::State& state) {
  DataSet& d = screener_set();
  const int threads = int(state.range(0));
  uint64_t candles = 0;
  double open_s = 0;
  StoreStats stats;
  for (auto _ : state) {
    state.PauseTiming();
    auto t0 = std::chrono::steady_clock::now();
    auto store = open_store(store_options(d.dir, false));
    open_s += seconds_since(t0);
    state.ResumeTiming();
    candles = screen_threads(*store, d.names, d.span, threads);
    state.PauseTiming();
    stats = store->stats();
    store.reset();
    state.ResumeTiming();
  }
  tier_counters(state, StoreStats{}, stats, 1);
  state.counters["candles"] = double(candles);
  state.counters["open_ms"] = 1000 * open_s / double(state.iterations());
  state.SetLabel("200 mkts x last 720 1h, new store (L1 empty, no L2), " + std::to_string(threads) +
                 " thread(s)  (goal <= 500 ms)");
}

// The fresh-process variant: this binary re-executed with --fresh-process-screener (see main), which
// opens the store, screens once and prints its timings; the benchmark takes the screen's time.
constexpr const char* kChildFlag = "--fresh-process-screener";

int fresh_process_child(const std::string& dir, int threads) {
  auto t0 = std::chrono::steady_clock::now();
  auto store = open_store(store_options(dir, false));
  const double open_s = seconds_since(t0);
  std::vector<std::string> names;
  for (int i = 0; i < kScreenerMarkets; ++i) names.push_back(market_name(i));
  t0 = std::chrono::steady_clock::now();
  const double cpu0 = process_cpu_seconds();
  uint64_t candles = screen_threads(*store, names, {kStart, kStart + kScreenerDays * kDayMs}, threads);
  const double read_s = seconds_since(t0), read_cpu_s = process_cpu_seconds() - cpu0;
  std::printf("%.6f %.6f %.6f %llu\n", open_s, read_s, read_cpu_s, (unsigned long long)candles);
  return 0;
}

void BM_ScreenerFreshProcess(benchmark::State& state) {
  DataSet& d = screener_set();
  const std::string threads = std::to_string(state.range(0));
  double open_s = 0, process_s = 0, cpu_s = 0;
  unsigned long long candles = 0;
  for (auto _ : state) {
    const std::string cmd = "/proc/" + std::to_string(::getpid()) + "/exe " + kChildFlag + " " + d.dir + " " + threads;
    auto t0 = std::chrono::steady_clock::now();
    FILE* child = ::popen(cmd.c_str(), "r");
    if (child == nullptr) die("cannot start " + cmd);
    double o = 0, r = 0, c = 0;
    int got = std::fscanf(child, "%lf %lf %lf %llu", &o, &r, &c, &candles);
    if (::pclose(child) != 0 || got != 4) die("the child screener failed: " + cmd);
    process_s += seconds_since(t0);
    open_s += o;
    cpu_s += c;
    state.SetIterationTime(r);
  }
  state.counters["candles"] = double(candles);
  state.counters["open_ms"] = 1000 * open_s / double(state.iterations());
  state.counters["process_ms"] = 1000 * process_s / double(state.iterations());
  state.counters["read_cpu_ms"] = 1000 * cpu_s / double(state.iterations());
  state.SetLabel("200 mkts x last 720 1h in a fresh process (time = the reads; their CPU time, the open and the "
                 "whole process beside), " + threads + " thread(s)  (goal <= 500 ms)");
}

// ---- backtest ------------------------------------------------------------------------------------

const std::array<Timeframe, 3> kBacktestFrames = {Timeframe::minutes(15), Timeframe::hours(1), Timeframe::hours(4)};

void BM_BacktestYear(benchmark::State& state) {
  DataSet& d = backtest_set();
  const bool three_reads = state.range(0) == 1;
  uint64_t out = 0, minutes = 0;
  StoreStats stats;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = open_store(store_options(d.dir, false));
    state.ResumeTiming();
    out = 0;
    if (three_reads) {
      for (Timeframe tf : kBacktestFrames) {
        auto r = store->read("KRW-BTC", tf, d.span);
        if (!r) die(r.status().to_string());
        out += r->candles.size();
      }
    } else {
      auto r = store->read("KRW-BTC", Timeframe::minutes(1), d.span);
      if (!r) die(r.status().to_string());
      AggregateOptions ao;
      ao.validate = false;  // validated when it was stored
      auto frames = aggregate_many(r->candles, kBacktestFrames, ao);
      if (!frames) die(frames.status().to_string());
      minutes = r->candles.size();
      for (const auto& f : *frames) out += f.candles.size();
    }
    state.PauseTiming();
    stats = store->stats();
    store.reset();
    state.ResumeTiming();
  }
  tier_counters(state, StoreStats{}, stats, 1);
  if (!three_reads) state.counters["minutes"] = double(minutes);
  state.counters["candles_out"] = double(out);
  state.SetLabel(three_reads ? "1y KRW-BTC from L3 (new store): read 15m + read 1h + read 4h  (goal <= 100 ms)"
                             : "1y KRW-BTC from L3 (new store): read 1m + aggregate_many 15m,1h,4h  (goal <= 100 ms)");
}

// ---- L3 size -------------------------------------------------------------------------------------

void BM_L3BytesPerCandle(benchmark::State& state) {
  DataSet& d = state.range(0) == 0 ? screener_set() : backtest_set();
  for (auto _ : state) benchmark::DoNotOptimize(d.size.l3_bytes);
  state.counters["candles"] = double(d.size.candles);
  state.counters["codec_bytes_per_candle"] = double(d.size.chunk_bytes) / double(d.size.candles);
  state.counters["l3_bytes_per_candle"] = double(d.size.l3_bytes) / double(d.size.candles);
  state.counters["write_s"] = d.write_s;
  state.SetLabel(std::string(state.range(0) == 0 ? "screener set, 200 KRW markets x 30 d" : "backtest set, KRW-BTC x 365 d") +
                 ", after flush_and_compact  (goal: l3_bytes_per_candle <= 12)");
}

}  // namespace
}  // namespace ck

BENCHMARK(ck::BM_L3BytesPerCandle)->Arg(0)->Arg(1)->Iterations(1);
// Real time is the figure; the CPU column is the whole process's CPU time (all threads), which
// tells how much of the real time the machine's other load took.
BENCHMARK(ck::BM_ScreenerWarmL1)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(ck::BM_ScreenerFromL3)
    ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime()->MinTime(2);
BENCHMARK(ck::BM_ScreenerFreshProcess)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(ck::BM_BacktestYear)
    ->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime()->MinTime(2);

int main(int argc, char** argv) {
  ck::keep_freed_memory();  // as the candlekeep binary does (timeframe/allocator_tuning.h)
  spdlog::set_level(spdlog::level::warn);
  if (argc == 4 && std::string(argv[1]) == ck::kChildFlag) return ck::fresh_process_child(argv[2], std::atoi(argv[3]));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
