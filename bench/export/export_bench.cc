// Backtest export figures, each printed beside its goal (issue 6):
//   - one year of 1-minute candles of one KRW-BTC-like market, stored in L3 only (flushed and
//     compacted; the clock is a month after the year, so no day of it is in L2), exported as 15m, 1h
//     and 4h files by export_candles: to CSV (goal <= 300 ms) and to npy (goal <= 100 ms);
//   - "fresh": a new Engine per iteration (empty L1 and block cache; the OS page cache stays warm),
//     its open not timed; "warm": one Engine kept open, so L1 holds the chunks after the first run;
//   - the read alone (three Engine::get calls from a fresh Engine), to split the figure.
// The export fsyncs every file, so the figures include this machine's fsync latency. The verdict
// printed at the end takes the median over the repetitions, wall-clock and CPU time (the machine is
// shared: the two differ when other processes take the cores).
// Run: build-*/bench/export/export_bench [--benchmark_repetitions=5]   (Release build; ~30 s per repetition)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <tuple>

#include "timeframe/allocator_tuning.h"
#include "engine/export.h"
#include "tests/cache/sample_data.h"

namespace ck {
namespace {

constexpr Timestamp kYearStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
const TimeRange kYear{kYearStart, kYearStart + 365 * kDayMs};
const std::vector<Timeframe> kFrames = {Timeframe::minutes(15), Timeframe::hours(1), Timeframe::hours(4)};

std::string temp_dir(const std::string& leaf) {
  auto dir = std::filesystem::temp_directory_path() / ("candlekeep-export-bench-" + std::to_string(::getpid()) + "-" + leaf);
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::unique_ptr<Engine> open_engine(const std::string& data_dir) {
  EngineOptions o;
  o.data_dir = data_dir;
  o.clock = std::make_shared<ManualClock>(kYear.to + 30 * kDayMs);
  o.requests_per_second = 0;
  auto e = Engine::open(o);
  if (!e) {
    std::fprintf(stderr, "open: %s\n", e.status().to_string().c_str());
    std::abort();
  }
  return std::move(e).value();
}

// One year of a KRW-BTC-like market (about 40 trades a minute), written month by month as a
// collector would, then flushed and compacted into L3.
struct YearStore {
  std::string dir = temp_dir("data");
  size_t candles = 0;
  YearStore() {
    auto engine = open_engine(dir);
    for (int month = 0; month < 12; ++month) {
      int days = month == 11 ? 365 - 11 * 30 : 30;
      testing::KrwMarketShape shape;
      shape.start_price = 11'500'000;
      shape.trades_per_minute = 40;
      shape.median_trade_volume = 200'000 / shape.start_price;
      shape.seed = 100 + uint64_t(month);
      Timestamp first = kYearStart + int64_t(month) * 30 * kDayMs;
      CandleSeries part = testing::synthetic_krw_minutes(shape, first, days);
      candles += part.size();
      if (!engine->store().write_minutes("KRW-BTC", part, {{first, first + days * kDayMs}}).is_ok()) std::abort();
    }
    if (!engine->store().l3().flush_and_compact().is_ok()) std::abort();
  }
  ~YearStore() { std::filesystem::remove_all(dir); }
};

YearStore& year_store() {
  static YearStore store;
  return store;
}

ExportRequest year_request(ExportFormat format, const std::string& out) {
  ExportRequest r;
  r.markets = {"KRW-BTC"};
  r.timeframes = kFrames;
  r.range = kYear;
  r.format = format;
  r.out_dir = out;
  r.overwrite = true;
  return r;
}

void report(benchmark::State& state, const ExportManifest& m) {
  size_t rows = 0;
  uint64_t bytes = 0;
  for (const auto& f : m.files) {
    rows += f.rows;
    bytes += f.bytes;
  }
  state.counters["rows"] = double(rows);
  state.counters["file_bytes"] = double(bytes);
  state.counters["minutes_stored"] = double(year_store().candles);
}

void export_fresh(benchmark::State& state, ExportFormat format, const char* label) {
  YearStore& store = year_store();
  std::string out = temp_dir("out");
  ExportManifest last;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(out);
    auto engine = open_engine(store.dir);
    state.ResumeTiming();
    auto m = export_candles(*engine, year_request(format, out));
    if (!m) std::abort();
    state.PauseTiming();
    last = std::move(*m);
    engine.reset();
    state.ResumeTiming();
  }
  report(state, last);
  std::filesystem::remove_all(out);
  state.SetLabel(label);
}

void export_warm(benchmark::State& state, ExportFormat format, const char* label) {
  YearStore& store = year_store();
  std::string out = temp_dir("out");
  auto engine = open_engine(store.dir);
  ExportManifest last;
  for (auto _ : state) {
    auto m = export_candles(*engine, year_request(format, out));
    if (!m) std::abort();
    last = std::move(*m);
  }
  report(state, last);
  std::filesystem::remove_all(out);
  state.SetLabel(label);
}

void BM_ExportYearCsvFromL3(benchmark::State& state) {
  export_fresh(state, ExportFormat::kCsv, "1y of 1m in L3 -> 15m,1h,4h CSV files + manifest, fresh engine  (goal <= 300 ms)");
}
void BM_ExportYearNpyFromL3(benchmark::State& state) {
  export_fresh(state, ExportFormat::kNpy, "1y of 1m in L3 -> 15m,1h,4h npy files + manifest, fresh engine  (goal <= 100 ms)");
}
void BM_ExportYearCsvWarm(benchmark::State& state) {
  export_warm(state, ExportFormat::kCsv, "same, CSV, engine kept open (L1 warm)");
}
void BM_ExportYearNpyWarm(benchmark::State& state) {
  export_warm(state, ExportFormat::kNpy, "same, npy, engine kept open (L1 warm)");
}

// The read alone: the three Engine::get calls an export makes, from a fresh engine.
void BM_ReadYearFromL3(benchmark::State& state) {
  YearStore& store = year_store();
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = open_engine(store.dir);
    state.ResumeTiming();
    for (Timeframe tf : kFrames) {
      ReadOptions ro;
      ro.closed_only = true;
      auto r = engine->get("KRW-BTC", tf, kYear, ro);
      if (!r) std::abort();
      benchmark::DoNotOptimize(r);
    }
    state.PauseTiming();
    engine.reset();
    state.ResumeTiming();
  }
  state.SetLabel("read only: Engine::get 15m,1h,4h of 1y, fresh engine");
}

// The usual table, then a verdict per goal.
class GoalReporter : public benchmark::ConsoleReporter {
 public:
  GoalReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      Figures& f = figures_[r.run_name.function_name];
      f.real.push_back(ms(r.GetAdjustedRealTime(), r.time_unit));
      f.cpu.push_back(ms(r.GetAdjustedCPUTime(), r.time_unit));
    }
  }

  void print_verdicts() {
    std::printf("\n");
    for (auto [name, what, goal] : {std::tuple{"ck::BM_ExportYearCsvFromL3", "1y 15m+1h+4h from L3 to CSV", 300.0},
                                    std::tuple{"ck::BM_ExportYearNpyFromL3", "1y 15m+1h+4h from L3 to npy", 100.0}}) {
      auto it = figures_.find(name);
      if (it == figures_.end()) continue;
      double real = median(it->second.real), cpu = median(it->second.cpu);
      std::printf("goal: %s <= %.0f ms; measured (median of %zu): %.1f ms wall-clock, %.1f ms CPU: %s\n", what, goal,
                  it->second.real.size(), real, cpu,
                  real <= goal ? "MET" : (cpu <= goal ? "MET in CPU time, not wall-clock (machine busy?)" : "MISSED"));
    }
  }

 private:
  struct Figures {
    std::vector<double> real, cpu;
  };
  static double ms(double t, benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond: return t * 1e-6;
      case benchmark::kMicrosecond: return t * 1e-3;
      case benchmark::kMillisecond: return t;
      default: return t * 1e3;
    }
  }
  static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1 : v[v.size() / 2];
  }
  std::map<std::string, Figures> figures_;
};

}  // namespace
}  // namespace ck

BENCHMARK(ck::BM_ExportYearCsvFromL3)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_ExportYearNpyFromL3)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_ExportYearCsvWarm)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_ExportYearNpyWarm)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_ReadYearFromL3)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  ck::keep_freed_memory();  // as the candlekeep binary does (timeframe/allocator_tuning.h)
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  ck::YearStore& store = ck::year_store();  // built before timing starts
  std::printf("data: %zu one-minute candles of a KRW-BTC-like market over 2024-01-01 .. 2024-12-30, in L3 only\n"
              "      (flushed and compacted); exported: 15m, 1h, 4h of the whole year, closed candles.\n\n",
              store.candles);
  std::fflush(stdout);
  ck::GoalReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_verdicts();
  benchmark::Shutdown();
  return 0;
}
