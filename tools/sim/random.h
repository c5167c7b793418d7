#pragma once
// Deterministic randomness for the simulator. Everything the exchange generates is a pure function
// of (seed, market, day, minute), so any day can be regenerated on demand, in any order, on any
// thread, and two runs with the same seed produce the same bytes. We use our own generator and
// transforms instead of <random> distributions, whose output is implementation-defined.
#include <cmath>
#include <cstdint>

namespace ck::sim {

// SplitMix64 finalizer: a good 64-bit mix, used to derive independent stream seeds.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A seed for the stream named by a tuple of integers.
constexpr uint64_t stream_seed(uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
  return mix64(mix64(mix64(mix64(a) ^ b) ^ c) ^ d);
}

// xoshiro256** seeded through SplitMix64: fast, small state, good quality.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9E3779B97F4A7C15ull;
      s = mix64(seed);
    }
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1]: safe for log().
  double uniform_open() { return (double(next() >> 11) + 1.0) * 0x1.0p-53; }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  // Standard normal (Box-Muller; one value per call keeps the stream position obvious).
  double normal() {
    double u = uniform_open(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
  // Exponential with mean 1.
  double exponential() { return -std::log(uniform_open()); }
  // A cheap bell-shaped value with mean 0 and variance 1 (Irwin-Hall: the sum of four 16-bit
  // uniforms), bounded by ±3.46. For per-trade noise, where speed matters and tails do not.
  double quick_normal() {
    uint64_t x = next();
    double sum = double(x & 0xFFFF) + double((x >> 16) & 0xFFFF) + double((x >> 32) & 0xFFFF) + double(x >> 48);
    return (sum * (1.0 / 65536.0) - 2.0) * 1.7320508075688772;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// A standard normal value that depends only on `key` (no stream state).
inline double hashed_normal(uint64_t key) {
  Rng r(key);
  return r.normal();
}

}  // namespace ck::sim
