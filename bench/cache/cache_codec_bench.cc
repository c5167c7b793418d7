// Chunk codec and L3 (RocksTier) figures on realistic data, each printed beside its goal:
//   - L3 bytes per stored 1-minute candle, after flush + compaction (goal <= 12), per data set:
//     the real sets in tests/data/real and synthetic 30-day KRW markets shaped like Upbit's;
//   - chunk encode and decode speed (candles per second);
//   - backtest shape: one year of 1-minute candles of one market read from L3 and aggregated into
//     15m, 1h and 4h (goal <= 100 ms).
// Run: build-*/bench/cache/cache_codec_bench   (Release build; takes about a minute)
#include <benchmark/benchmark.h>

#include <array>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "cache/chunk_codec.h"
#include "cache/rocks_tier.h"
#include "tests/cache/sample_data.h"
#include "timeframe/aggregate.h"

namespace ck {
namespace {

constexpr Timestamp kFirstDay = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

struct Dataset {
  std::string name;
  CandleSeries minutes;
};

std::map<Timestamp, CandleSeries> by_day(const CandleSeries& s) {
  std::map<Timestamp, CandleSeries> days;
  for (size_t i = 0; i < s.size(); ++i) days[floor_div(s.time()[i], kDayMs) * kDayMs].push_back(s[i]);
  return days;
}

testing::KrwMarketShape krw_shape(double price, double trades_per_minute, uint64_t seed = 1) {
  testing::KrwMarketShape shape;
  shape.start_price = price;
  shape.trades_per_minute = trades_per_minute;
  shape.median_trade_volume = 200'000 / price;  // a median trade of about 200,000 KRW
  shape.seed = seed;
  return shape;
}

const std::vector<Dataset>& datasets() {
  static const std::vector<Dataset> sets = [] {
    std::vector<Dataset> v;
    for (const auto& f : testing::real_minute_files()) v.push_back({"real:" + f, testing::load_real(f)});
    struct Krw {
      const char* name;
      double price, trades;
    };
    for (auto k : {Krw{"btc_like", 11'500'000, 40}, Krw{"eth_like", 310'000, 15}, Krw{"xrp_like", 320, 25},
                   Krw{"small_cap", 4.5, 3}}) {
      v.push_back({std::string("synthetic_krw:") + k.name,
                    testing::synthetic_krw_minutes(krw_shape(k.price, k.trades), kFirstDay, 30)});
    }
    return v;
  }();
  return sets;
}

std::string temp_dir(const std::string& leaf) {
  auto dir = std::filesystem::temp_directory_path() / ("candlekeep-bench-" + std::to_string(::getpid()) + "-" + leaf);
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::unique_ptr<RocksTier> open_tier(const std::string& path) {
  RocksTierOptions o;
  o.path = path;
  o.sync_writes = false;  // a bulk load that can be repeated
  auto t = RocksTier::open(o);
  if (!t) {
    std::fprintf(stderr, "%s\n", t.status().to_string().c_str());
    std::abort();
  }
  return std::move(*t);
}

// ---- L3 size -------------------------------------------------------------------------------------

void BM_L3BytesPerCandle(benchmark::State& state) {
  const Dataset& d = datasets()[size_t(state.range(0))];
  const std::string dir = temp_dir("size");
  MarketStats stats;
  for (auto _ : state) {
    auto tier = open_tier(dir);
    uint32_t id = *tier->market_id(d.name, true);
    if (!tier->write_minutes(id, d.minutes, {}).is_ok() || !tier->flush_and_compact().is_ok()) std::abort();
    stats = *tier->market_stats(id);
  }
  std::filesystem::remove_all(dir);
  state.SetLabel(d.name + "  (goal: l3_bytes_per_candle <= 12)");
  state.counters["candles"] = double(stats.candles);
  state.counters["codec_bytes_per_candle"] = double(stats.chunk_bytes) / double(stats.candles);
  state.counters["l3_bytes_per_candle"] = double(stats.l3_bytes) / double(stats.candles);
}

// ---- codec speed ---------------------------------------------------------------------------------

void BM_EncodeDays(benchmark::State& state) {
  const Dataset& d = datasets()[size_t(state.range(0))];
  auto days = by_day(d.minutes);
  for (auto _ : state) {
    for (const auto& [day, chunk] : days) benchmark::DoNotOptimize(encode_chunk(chunk, day));
  }
  state.SetLabel(d.name);
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(d.minutes.size()));
}

void BM_DecodeDays(benchmark::State& state) {
  const Dataset& d = datasets()[size_t(state.range(0))];
  std::vector<std::string> chunks;
  size_t bytes = 0;
  for (const auto& [day, chunk] : by_day(d.minutes)) {
    chunks.push_back(*encode_chunk(chunk, day));
    bytes += chunks.back().size();
  }
  for (auto _ : state) {
    CandleSeries out;
    out.reserve(d.minutes.size());
    for (const auto& c : chunks) {
      if (!decode_chunk_into(c, out).is_ok()) std::abort();
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(d.name);
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(d.minutes.size()));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
}

// ---- backtest shape --------------------------------------------------------------------------------

// One year of a KRW-BTC-like market in a RocksTier, loaded once and compacted.
struct YearStore {
  std::string dir = temp_dir("year");
  size_t candles = 0;
  TimeRange year{kFirstDay, kFirstDay + 365 * kDayMs};
  YearStore() {
    auto tier = open_tier(dir);
    uint32_t id = *tier->market_id("KRW-BTC", true);
    for (int month = 0; month < 12; ++month) {  // in pieces, as a collector would
      int days = month == 11 ? 365 - 11 * 30 : 30;
      CandleSeries part = testing::synthetic_krw_minutes(krw_shape(11'500'000, 40, 100 + uint64_t(month)),
                                                         kFirstDay + int64_t(month) * 30 * kDayMs, days);
      candles += part.size();
      if (!tier->write_minutes(id, part, {}).is_ok()) std::abort();
    }
    if (!tier->flush_and_compact().is_ok()) std::abort();
  }
  ~YearStore() { std::filesystem::remove_all(dir); }
};

YearStore& year_store() {
  static YearStore store;
  return store;
}

const std::array<Timeframe, 3> kBacktestFrames = {Timeframe::minutes(15), Timeframe::hours(1), Timeframe::hours(4)};

void run_backtest(benchmark::State& state, RocksTier& tier, uint32_t id, const TimeRange& year) {
  auto minutes = tier.read_minutes(id, year);
  if (!minutes) std::abort();
  AggregateOptions ao;
  ao.validate = false;  // validated when it was stored
  auto frames = aggregate_many(*minutes, kBacktestFrames, ao);
  if (!frames) std::abort();
  benchmark::DoNotOptimize(frames);
  state.counters["minutes"] = double(minutes->size());
}

// Block cache warm (the tier stays open between iterations).
void BM_BacktestYearFromL3Warm(benchmark::State& state) {
  YearStore& store = year_store();
  auto tier = open_tier(store.dir);
  uint32_t id = *tier->market_id("KRW-BTC", false);
  for (auto _ : state) run_backtest(state, *tier, id, store.year);
  state.SetLabel("read 1y of 1m from L3 + aggregate to 15m,1h,4h  (goal <= 100 ms)");
}

// A freshly opened tier each time: empty block cache (the OS page cache stays warm).
void BM_BacktestYearFromL3FreshOpen(benchmark::State& state) {
  YearStore& store = year_store();
  for (auto _ : state) {
    state.PauseTiming();
    auto tier = open_tier(store.dir);
    uint32_t id = *tier->market_id("KRW-BTC", false);
    state.ResumeTiming();
    run_backtest(state, *tier, id, store.year);
    state.PauseTiming();
    tier.reset();
    state.ResumeTiming();
  }
  state.SetLabel("same, tier opened fresh (cold block cache)  (goal <= 100 ms)");
}

// The read alone, to split the figure.
void BM_ReadYearFromL3(benchmark::State& state) {
  YearStore& store = year_store();
  auto tier = open_tier(store.dir);
  uint32_t id = *tier->market_id("KRW-BTC", false);
  for (auto _ : state) {
    auto minutes = tier->read_minutes(id, store.year);
    if (!minutes) std::abort();
    benchmark::DoNotOptimize(minutes);
  }
  auto stats = *tier->market_stats(id);
  state.counters["candles"] = double(stats.candles);
  state.counters["l3_bytes_per_candle"] = double(stats.l3_bytes) / double(stats.candles);
  state.SetLabel("read_minutes of 1y, block cache warm");
}

}  // namespace
}  // namespace ck

BENCHMARK(ck::BM_L3BytesPerCandle)->DenseRange(0, 7)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_EncodeDays)->DenseRange(0, 7)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_DecodeDays)->DenseRange(0, 7)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_ReadYearFromL3)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_BacktestYearFromL3Warm)->Unit(benchmark::kMillisecond);
BENCHMARK(ck::BM_BacktestYearFromL3FreshOpen)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
