#include "tests/cache/crash_workload.h"

#include <random>

namespace ck::crash {

std::string market_name(int market) { return "CRASH-" + std::to_string(market); }

Batch make_batch(uint64_t seed, uint64_t index) {
  std::mt19937_64 rng(seed * 1'000'003 + index);
  Batch b;
  b.market = int(index % kMarkets);
  const int64_t start = int64_t(rng() % (5 * 1440));
  const int64_t length = 1 + int64_t(rng() % 400);
  const int every = 1 + int(rng() % 3);
  for (int64_t m = start; m < start + length; m += every) {
    // Values carry the batch index, so a candle tells which write it came from.
    double price = 1000.0 + double(index) + 0.5 * double(m % 100);
    double volume = double(rng() % 100'000'000) / 1e8 + double(index % 7);
    b.minutes.push_back(Candle{kFirstDay + m * kMinuteMs, price, price + 1.5, price - 2.0, price + 0.5, volume,
                               volume * price});
  }
  b.covered = {kFirstDay + start * kMinuteMs, kFirstDay + (start + length) * kMinuteMs};
  return b;
}

}  // namespace ck::crash
