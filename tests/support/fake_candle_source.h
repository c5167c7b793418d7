#pragma once
// FakeCandleSource: an in-memory exchange for collector tests. Serves 1-minute candles of fixed
// markets exactly as Upbit pages them (newest first, strictly before `to`, at most `count`),
// counts every request, and injects faults on demand.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <random>

#include "collection/candle_source.h"
#include "timeframe/candle_series.h"

namespace ck::testing {

// A deterministic random-walk market: each minute of [from, to) trades with probability `density`.
CandleSeries make_minutes(TimeRange range, double density, uint64_t seed, double start_price = 50'000'000);

class FakeCandleSource final : public CandleSource {
 public:
  void add_market(const std::string& name, CandleSeries minutes) { markets_[name] = std::move(minutes); }

  Result<MinutePage> minutes(const std::string& market, Timestamp to, int count) override;
  Result<std::vector<ExchangeMarket>> markets() override;
  std::string describe() const override { return "fake://exchange"; }

  int64_t requests() const { return requests_; }
  void reset_requests() { requests_ = 0; }
  // Requests per (market, to): the collector must never ask the same page twice.
  std::map<std::pair<std::string, Timestamp>, int> request_log() const;

  // Faults, each drawn per request with the given probability.
  double unavailable_rate = 0;   // 5xx / reset / malformed body
  double too_many_rate = 0;      // 429
  bool banned = false;           // 418 on every request
  // Called for each page before it is returned; may corrupt candles.
  std::function<void(std::vector<Candle>&)> mutate_page;

 private:
  std::map<std::string, CandleSeries> markets_;
  std::atomic<int64_t> requests_{0};
  mutable std::mutex mu_;
  std::map<std::pair<std::string, Timestamp>, int> log_;
  std::mt19937_64 rng_{7};
};

}  // namespace ck::testing
