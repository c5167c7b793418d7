#include "tools/sim/tick_size.h"

#include <algorithm>
#include <cmath>

namespace ck::sim {
namespace {

constexpr double kPow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

struct Band {
  double min_price;  // inclusive lower bound of the band
  TickSize tick;
};

// Highest band first.
constexpr Band kBands[] = {
    {1'000'000, {0, 1000}}, {500'000, {0, 500}}, {100'000, {0, 100}}, {50'000, {0, 50}},
    {10'000, {0, 10}},      {5'000, {0, 5}},     {100, {0, 1}},       {10, {2, 1}},
    {1, {3, 1}},            {0.1, {4, 1}},       {0.01, {5, 1}},      {0.001, {6, 1}},
    {0.0001, {7, 1}},       {0, {8, 1}},
};

}  // namespace

double TickSize::value() const { return double(step) / kPow10[decimals]; }

TickSize krw_tick_size(double price) {
  for (const Band& b : kBands) {
    if (price >= b.min_price) return b.tick;
  }
  return kBands[sizeof kBands / sizeof kBands[0] - 1].tick;
}

double round_to_tick(double price) {
  TickSize t = krw_tick_size(price);
  double scale = kPow10[t.decimals];
  int64_t steps = round_nonneg(price * scale / double(t.step));
  if (steps < 1) steps = 1;
  // An exact integer divided by an exact power of ten: the correctly rounded decimal.
  return double(steps * t.step) / scale;
}

bool on_tick(double price) {
  if (!(price > 0)) return false;
  TickSize t = krw_tick_size(price);
  double units = price * kPow10[t.decimals];
  int64_t n = std::llround(units);
  return std::fabs(units - double(n)) < 1e-6 * std::max(1.0, std::fabs(units)) && n % t.step == 0 &&
         double(n) / kPow10[t.decimals] == price;
}

}  // namespace ck::sim
