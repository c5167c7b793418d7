#pragma once
// Upbit's KRW tick-size ladder: the price step allowed in each price band. Every simulated trade
// price sits on this ladder, as on the real exchange. Bands at and above 100 KRW follow the ladder
// in force since 2025-07-31 (docs.upbit.com "원화(KRW) 마켓 주문 가격 단위"); below 100 KRW we use
// the 2024 ladder (0.01 / 0.001 / 0.0001 …), whose decimals never exceed 8 (docs/simulator.md).
#include <cstdint>

namespace ck::sim {

// Rounds x >= 0 to the nearest integer (halves up). Inline: std::llround is a library call, and
// trade generation rounds three times per trade.
inline int64_t round_nonneg(double x) {
  int64_t i = static_cast<int64_t>(x);
  return i + (x - static_cast<double>(i) >= 0.5);
}

// One band's step as an integer number of 10^-decimals units (1000 KRW = {0, 1000}; 0.01 = {2, 1}).
struct TickSize {
  int decimals = 0;
  int64_t step = 1;
  double value() const;
};

// The step for a price (price > 0).
TickSize krw_tick_size(double price);

// `price` rounded to the nearest step of its band. The result is the double nearest to the exact
// decimal price, so printing it with 8 decimals gives the decimal back.
double round_to_tick(double price);

// True when `price` lies on the ladder (used by tests).
bool on_tick(double price);

}  // namespace ck::sim
