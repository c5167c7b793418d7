// ck_bench_data DIR: writes the benchmark's data set for compare_pandas.py, so that pandas reads
// exactly the candles the C++ benchmark aggregates, and the C++ results to check pandas against.
//   DIR/minutes.bin  "CKMIN001", uint64 n, then n int64 times (ms, UTC) and n doubles each of
//                    open, high, low, close, volume, value (all little-endian, column after column)
//   DIR/<tf>.csv     aggregate_many's result for 15m, 1h, 4h, 1d (candles_to_csv)
#include <bit>
#include <cstdio>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "bench/random_walk.h"
#include "timeframe/aggregate.h"
#include "timeframe/candle_csv.h"

namespace {

template <typename T>
void write_column(std::ofstream& out, std::span<const T> column) {
  out.write(reinterpret_cast<const char*>(column.data()), std::streamsize(column.size_bytes()));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ck;
  static_assert(std::endian::native == std::endian::little, "minutes.bin is little-endian");
  if (argc != 2) {
    std::fprintf(stderr, "usage: ck_bench_data DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const CandleSeries minutes = bench::random_walk_minutes();

  std::ofstream bin(dir + "/minutes.bin", std::ios::binary | std::ios::trunc);
  const uint64_t n = minutes.size();
  bin.write("CKMIN001", 8);
  bin.write(reinterpret_cast<const char*>(&n), sizeof n);
  write_column(bin, minutes.time());
  for (auto col : {minutes.open(), minutes.high(), minutes.low(), minutes.close(), minutes.volume(), minutes.value()}) {
    write_column(bin, col);
  }
  bin.close();
  if (!bin) {
    std::fprintf(stderr, "ck_bench_data: cannot write %s/minutes.bin\n", dir.c_str());
    return 1;
  }

  const std::vector<Timeframe> frames = {Timeframe::minutes(15), Timeframe::hours(1), Timeframe::hours(4),
                                         Timeframe::day()};
  auto results = aggregate_many(minutes, frames);
  if (!results) {
    std::fprintf(stderr, "ck_bench_data: %s\n", results.status().to_string().c_str());
    return 1;
  }
  for (const Aggregated& a : *results) {
    std::ofstream(dir + "/" + a.timeframe.to_string() + ".csv", std::ios::trunc)
        << candles_to_csv(a.candles, a.last_closed);
  }
  std::printf("wrote %zu minutes to %s/minutes.bin\n", minutes.size(), dir.c_str());
  return 0;
}
