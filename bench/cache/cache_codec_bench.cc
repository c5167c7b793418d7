// Chunk codec and L3 figures on realistic data (see the goals printed beside each figure).
#include <benchmark/benchmark.h>

#include <map>

#include "cache/chunk_codec.h"
#include "tests/cache/sample_data.h"

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

const std::vector<Dataset>& datasets() {
  static const std::vector<Dataset> sets = [] {
    std::vector<Dataset> v;
    for (const auto& f : testing::real_minute_files()) v.push_back({f, testing::load_real(f)});
    struct Krw { const char* name; double price; double trades; };
    for (auto [name, price, trades] : {Krw{"krw_btc_like", 11'500'000, 40}, Krw{"krw_eth_like", 310'000, 15},
                                       Krw{"krw_xrp_like", 320, 25}, Krw{"krw_small_cap", 4.5, 3}}) {
      testing::KrwMarketShape shape;
      shape.start_price = price;
      shape.trades_per_minute = trades;
      shape.median_trade_volume = 200'000 / price;
      v.push_back({std::string("synthetic_") + name, testing::synthetic_krw_minutes(shape, kFirstDay, 30)});
    }
    return v;
  }();
  return sets;
}

void BM_CodecBytesPerCandle(benchmark::State& state) {
  const Dataset& d = datasets()[size_t(state.range(0))];
  auto days = by_day(d.minutes);
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& [day, chunk] : days) bytes += encode_chunk(chunk, day)->size();
  }
  state.SetLabel(d.name);
  state.counters["candles"] = double(d.minutes.size());
  state.counters["codec_bytes_per_candle"] = double(bytes) / double(d.minutes.size());
}

}  // namespace
}  // namespace ck

BENCHMARK(ck::BM_CodecBytesPerCandle)->DenseRange(0, 7)->Iterations(1);
BENCHMARK_MAIN();
