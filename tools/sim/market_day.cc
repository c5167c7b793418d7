#include "tools/sim/market_day.h"

#include <algorithm>
#include <cmath>

#include "tools/sim/random.h"
#include "tools/sim/tick_size.h"

namespace ck::sim {
namespace {

constexpr int kMinutesPerDay = 1440;
constexpr uint64_t kPathStream = 0x50415448;    // "PATH"
constexpr uint64_t kMinuteStream = 0x4D494E;    // "MIN"
constexpr uint64_t kAnchorStream = 0x414E43;    // "ANC"

// Smooth value noise: hashed normals at integer multiples of `period` days, blended with smoothstep.
double value_noise(const MarketStream& m, int scale, int64_t day, int64_t period) {
  int64_t cell = floor_div(day, period);
  double f = double(day - cell * period) / double(period);
  double a = hashed_normal(stream_seed(m.seed, kAnchorStream + scale, uint64_t(m.index), uint64_t(cell)));
  double b = hashed_normal(stream_seed(m.seed, kAnchorStream + scale, uint64_t(m.index), uint64_t(cell + 1)));
  double s = f * f * (3 - 2 * f);
  return a + (b - a) * s;
}

// Probability that a minute trades, with a mild daily cycle peaking at 05:00 UTC (14:00 KST).
double active_probability(const MarketSpec& spec, int minute) {
  if (spec.active_share >= 1.0) return 1.0;
  double hour = minute / 60.0;
  double cycle = 1.0 + 0.3 * std::cos(6.283185307179586 * (hour - 5.0) / 24.0);
  return std::min(1.0, spec.active_share * cycle);
}

}  // namespace

double anchor_log_price(const MarketStream& m, int64_t day) {
  // Scales (days) and amplitudes (for a 3 % daily volatility): day-to-day jitter, weekly swings,
  // monthly and yearly trends.
  static constexpr int64_t kPeriods[] = {1, 7, 30, 120, 480};
  static constexpr double kAmplitudes[] = {0.015, 0.04, 0.10, 0.20, 0.30};
  double scale = m.spec->daily_volatility / 0.03;
  double x = std::log(m.spec->base_price);
  for (int k = 0; k < 5; ++k) x += scale * kAmplitudes[k] * value_noise(m, k, day, kPeriods[k]);
  return x;
}

void generate_minute_trades(const MarketStream& m, const MarketDay& day, int minute, std::vector<Trade>& out) {
  const MarketSpec& spec = *m.spec;
  Timestamp start = day.day * kDayMs + int64_t(minute) * kMinuteMs;
  if (start < spec.listed_at) return;
  Rng r(stream_seed(m.seed, kMinuteStream, uint64_t(m.index), uint64_t(day.day * kMinutesPerDay + minute)));
  bool active = r.uniform() < active_probability(spec, minute);
  if (!active && start != spec.listed_at) return;  // the listing minute always trades
  double extra = std::max(0.0, spec.trades_per_active_minute - 1.0);
  int n = 1 + int(std::min(198.0, std::floor(r.exponential() * extra)));

  // One draw per trade for its time and side, one each for the price and volume noise.
  uint64_t draws[200];
  for (int k = 0; k < n; ++k) draws[k] = r.next();
  for (int k = 0; k < n; ++k) draws[k] = ((draws[k] >> 11) % 60000) << 1 | (draws[k] & 1);
  std::sort(draws, draws + n);

  double lm0 = day.log_mid[minute], lm1 = day.log_mid[minute + 1];
  double sigma = spec.daily_volatility / std::sqrt(double(kMinutesPerDay)) * 0.5;
  size_t first = out.size();
  for (int k = 0; k < n; ++k) {
    int offset = int(draws[k] >> 1);
    double f = offset / 60000.0;
    double lm = lm0 + (lm1 - lm0) * f + sigma * r.quick_normal();
    Trade t;
    t.time = start + offset;
    t.price = round_to_tick(std::exp(lm));
    double notional = spec.notional_per_trade * std::exp(0.8 * r.quick_normal() - 0.32);
    t.volume_q = std::max<int64_t>(1, std::llround(notional / t.price * 256.0));
    t.value_q = std::llround(t.price * double(t.volume_q));
    t.bid = (draws[k] & 1) != 0;
    t.sequential_id = t.time * 1000 + int64_t(out.size() - first);
    out.push_back(t);
  }
}

MarketDay generate_market_day(const MarketStream& m, int64_t day_index) {
  MarketDay day;
  day.day = day_index;
  day.log_mid.resize(kMinutesPerDay + 1);
  const MarketSpec& spec = *m.spec;
  Timestamp day_start = day_index * kDayMs;
  if (day_start + kDayMs <= spec.listed_at) return day;

  // Brownian bridge from today's anchor to tomorrow's.
  double a0 = anchor_log_price(m, day_index), a1 = anchor_log_price(m, day_index + 1);
  double sigma = spec.daily_volatility / std::sqrt(double(kMinutesPerDay));
  Rng r(stream_seed(m.seed, kPathStream, uint64_t(m.index), uint64_t(day_index)));
  double w = 0;
  day.log_mid[0] = 0;
  for (int i = 1; i <= kMinutesPerDay; ++i) {
    w += sigma * r.normal();
    day.log_mid[i] = w;
  }
  double drift = w - (a1 - a0);
  for (int i = 0; i <= kMinutesPerDay; ++i) {
    day.log_mid[i] = a0 + day.log_mid[i] - drift * (double(i) / kMinutesPerDay);
  }

  int first_minute = 0;
  if (spec.listed_at > day_start) first_minute = int((spec.listed_at - day_start + kMinuteMs - 1) / kMinuteMs);
  day.bars.reserve(size_t(std::min(1.0, spec.active_share * 1.3 + 0.01) * (kMinutesPerDay - first_minute)) + 1);
  std::vector<Trade> trades;
  trades.reserve(256);
  for (int minute = first_minute; minute < kMinutesPerDay; ++minute) {
    trades.clear();
    generate_minute_trades(m, day, minute, trades);
    if (trades.empty()) continue;
    MinuteBar b;
    b.minute = minute;
    b.open = trades.front().price;
    b.close = trades.back().price;
    b.high = b.low = b.open;
    for (const Trade& t : trades) {
      b.high = std::max(b.high, t.price);
      b.low = std::min(b.low, t.price);
      b.volume_q += t.volume_q;
      b.value_q += t.value_q;
      if (t.bid) b.bid_volume_q += t.volume_q;
    }
    b.last_ms = int32_t(trades.back().time - (day_start + int64_t(minute) * kMinuteMs));
    day.bars.push_back(b);
  }
  return day;
}

}  // namespace ck::sim
