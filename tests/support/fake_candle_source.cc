#include "tests/support/fake_candle_source.h"

#include <algorithm>
#include <cmath>

namespace ck::testing {

CandleSeries make_minutes(TimeRange range, double density, uint64_t seed, double start_price) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> step(0, 0.001);
  CandleSeries out;
  double price = start_price;
  for (Timestamp t = range.from; t < range.to; t += kMinuteMs) {
    if (u(rng) >= density) continue;
    double open = price;
    price = std::max(1.0, std::round(price * (1 + step(rng))));
    double close = price;
    double high = std::max(open, close) + std::round(u(rng) * 1000);
    double low = std::max(1.0, std::min(open, close) - std::round(u(rng) * 1000));
    double volume = std::round(u(rng) * 1e8) / 1e8;
    out.push_back(Candle{t, open, high, low, close, volume, std::round(volume * close * 1e5) / 1e5});
  }
  return out;
}

Result<MinutePage> FakeCandleSource::minutes(const std::string& market, Timestamp to, int count) {
  ++requests_;
  double draw_a, draw_b;
  {
    std::lock_guard lock(mu_);
    log_[{market, to}]++;
    std::uniform_real_distribution<double> u(0, 1);
    draw_a = u(rng_);
    draw_b = u(rng_);
  }
  if (banned) return Status::permission_denied("HTTP 418: the exchange banned this client for 60 s");
  if (draw_a < unavailable_rate) return Status::unavailable("HTTP 503 (injected)");
  if (draw_b < too_many_rate) return Status::resource_exhausted("HTTP 429 (injected)");
  auto it = markets_.find(market);
  if (it == markets_.end()) return Status::not_found("HTTP 404: Code not found");
  const CandleSeries& s = it->second;
  MinutePage page;
  size_t end = s.lower_bound(to);
  size_t n = std::min<size_t>(end, size_t(std::clamp(count, 1, 200)));
  for (size_t i = 0; i < n; ++i) page.candles.push_back(s[end - 1 - i]);  // newest first
  if (mutate_page) mutate_page(page.candles);
  return page;
}

Result<std::vector<ExchangeMarket>> FakeCandleSource::markets() {
  std::vector<ExchangeMarket> out;
  for (auto& [name, _] : markets_) out.push_back({name, "", ""});
  return out;
}

std::map<std::pair<std::string, Timestamp>, int> FakeCandleSource::request_log() const {
  std::lock_guard lock(mu_);
  return log_;
}

}  // namespace ck::testing
