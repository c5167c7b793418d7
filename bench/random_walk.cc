#include "bench/random_walk.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace ck::bench {
namespace {

// Uniform in [0, 1) from the top 53 bits. std::mt19937_64 is fully specified by the standard;
// the std distributions are not, so the transforms are done here.
double uniform(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

double normal(std::mt19937_64& rng) {  // Box-Muller
  double u1 = 1.0 - uniform(rng), u2 = uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

double round_to(double v, double tick) { return std::round(v / tick) * tick; }

}  // namespace

CandleSeries random_walk_minutes(const RandomWalkOptions& o) {
  std::mt19937_64 rng(o.seed);
  CandleSeries out;
  out.reserve(size_t(double(o.minutes) * (1.0 - o.missing) * 1.01) + 16);
  double price = 50'000.0;
  for (int64_t i = 0; i < o.minutes; ++i) {
    double skip = uniform(rng);
    double z = normal(rng), wick_up = std::fabs(normal(rng)), wick_down = std::fabs(normal(rng));
    double size = uniform(rng);
    if (skip < o.missing) continue;  // nobody traded: the price stays, no candle
    double open = price;
    double close = std::max(0.01, round_to(open * (1.0 + 0.0008 * z), 0.01));
    double high = round_to(std::max(open, close) * (1.0 + 0.0003 * wick_up), 0.01);
    double low = std::max(0.0, round_to(std::min(open, close) * (1.0 - 0.0003 * wick_down), 0.01));
    double volume = round_to(-std::log(1.0 - size) * 2.5, 1e-6);
    double value = volume * (open + close) * 0.5;
    out.push_back(Candle{o.start + i * kMinuteMs, open, high, low, close, volume, value});
    price = close;
  }
  return out;
}

}  // namespace ck::bench
