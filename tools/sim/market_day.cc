#include "tools/sim/market_day.h"

#include <algorithm>
#include <array>
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

// Lognormal ticket-size multipliers (mean 1, sigma 0.8 in log space), one per 8-bit draw: a table
// instead of an exp() per trade. Fixed values, so generation stays deterministic everywhere.
const std::array<double, 256>& ticket_multipliers() {
  static const std::array<double, 256> table = [] {
    std::array<double, 256> t{};
    Rng r(0x5449434B45544Eull);  // "TICKETN"
    for (double& x : t) x = std::exp(0.8 * r.normal() - 0.32);
    return t;
  }();
  return table;
}

// exp(x) for the small moves of a price inside one minute (|x| well under 1 %).
inline double exp_small(double x) { return 1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0)))); }

// The trades of one traded minute, from its own stream: count, times and sides, prices along the
// mid path plus noise (on the tick ladder), volumes around the market's ticket size.
void minute_trades(const MarketStream& m, int64_t day, int minute, double lm0, double lm1, std::vector<Trade>& out) {
  const MarketSpec& spec = *m.spec;
  const Timestamp start = day * kDayMs + int64_t(minute) * kMinuteMs;
  Rng r(stream_seed(m.seed, kMinuteStream, uint64_t(m.index), uint64_t(day * kMinutesPerDay + minute)));
  double extra = std::max(0.0, spec.trades_per_active_minute - 1.0);
  int n = 1 + int(std::min(198.0, std::floor(r.exponential() * extra)));

  // One draw per trade for its time and side, one each for the price and volume noise.
  uint64_t draws[200];
  for (int k = 0; k < n; ++k) draws[k] = r.next();
  for (int k = 0; k < n; ++k) draws[k] = ((draws[k] >> 11) % 60000) << 1 | (draws[k] & 1);
  std::sort(draws, draws + n);

  const double sigma = spec.daily_volatility / std::sqrt(double(kMinutesPerDay)) * 0.5;
  const double mid0 = std::exp(lm0);
  const auto& tickets = ticket_multipliers();
  const size_t first = out.size();
  for (int k = 0; k < n; ++k) {
    int offset = int(draws[k] >> 1);
    double f = offset / 60000.0;
    uint64_t noise = r.next();
    // Price: the mid path plus noise (Irwin-Hall of three 16-bit uniforms), relative to the
    // minute's opening mid.
    double bell = (double(noise & 0xFFFF) + double((noise >> 16) & 0xFFFF) + double((noise >> 32) & 0xFFFF)) *
                      (1.0 / 65536.0) - 1.5;
    double d = (lm1 - lm0) * f + sigma * 2.0 * bell;
    Trade t;
    t.time = start + offset;
    t.price = round_to_tick(mid0 * exp_small(d));
    double notional = spec.notional_per_trade * tickets[noise >> 56];
    t.volume_q = std::max<int64_t>(1, round_nonneg(notional / t.price * 256.0));
    t.value_q = round_nonneg(t.price * double(t.volume_q));
    t.bid = (draws[k] & 1) != 0;
    t.sequential_id = t.time * 1000 + int64_t(out.size() - first);
    out.push_back(t);
  }
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

void generate_minute_trades(const MarketStream& m, int64_t day, const MinuteBar& bar, std::vector<Trade>& out) {
  minute_trades(m, day, bar.minute, bar.log_mid0, bar.log_mid1, out);
}

MarketDay generate_market_day(const MarketStream& m, int64_t day_index) {
  MarketDay day;
  day.day = day_index;
  const MarketSpec& spec = *m.spec;
  const Timestamp day_start = day_index * kDayMs;
  if (day_start + kDayMs <= spec.listed_at) return day;

  // Brownian bridge from today's anchor to tomorrow's, and the day's activity draws, from one stream.
  const double a0 = anchor_log_price(m, day_index), a1 = anchor_log_price(m, day_index + 1);
  const double sigma = spec.daily_volatility / std::sqrt(double(kMinutesPerDay));
  Rng r(stream_seed(m.seed, kPathStream, uint64_t(m.index), uint64_t(day_index)));
  thread_local std::vector<double> path;
  thread_local std::vector<uint8_t> active;
  path.resize(kMinutesPerDay + 1);
  active.resize(kMinutesPerDay);
  double w = 0;
  path[0] = 0;
  for (int i = 1; i <= kMinutesPerDay; ++i) {
    w += sigma * r.quick_normal();
    path[i] = w;
  }
  const double drift = w - (a1 - a0);
  for (int i = 0; i <= kMinutesPerDay; ++i) path[i] = a0 + path[i] - drift * (double(i) / kMinutesPerDay);
  size_t expected = 0;
  for (int i = 0; i < kMinutesPerDay; ++i) {
    active[i] = r.uniform() < active_probability(spec, i);
    expected += active[i];
  }

  int first_minute = 0;
  if (spec.listed_at > day_start) {
    first_minute = int((spec.listed_at - day_start + kMinuteMs - 1) / kMinuteMs);
    active[first_minute] = 1;  // the listing minute always trades
  }
  day.bars.reserve(expected + 1);
  thread_local std::vector<Trade> trades;
  for (int minute = first_minute; minute < kMinutesPerDay; ++minute) {
    if (!active[minute]) continue;
    trades.clear();
    minute_trades(m, day_index, minute, path[minute], path[minute + 1], trades);
    MinuteBar b;
    b.minute = minute;
    b.log_mid0 = path[minute];
    b.log_mid1 = path[minute + 1];
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
