#pragma once
// CountingSource: a CandleSource that forwards to another and counts what the exchange answered —
// pages of candles, candles, rate-limit refusals and other failures — for GET /metrics. The
// collector's own counters live in run records, which live monitoring's minute syncs do not keep;
// counting at the source sees every request, whoever made it.
#include <atomic>
#include <memory>

#include "collection/candle_source.h"

namespace ck::http {

struct SourceCounts {
  uint64_t pages = 0;         // minutes() calls answered with a page
  uint64_t candles = 0;       // candles in those pages
  uint64_t rate_limited = 0;  // answered 429 (ResourceExhausted); the collector retries them
  uint64_t failed = 0;        // any other error (5xx, reset, malformed, ban, ...)
};

class CountingSource final : public CandleSource {
 public:
  explicit CountingSource(std::shared_ptr<CandleSource> inner) : inner_(std::move(inner)) {}

  Result<MinutePage> minutes(const std::string& market, Timestamp to, int count) override;
  Result<std::vector<ExchangeMarket>> markets() override { return inner_->markets(); }
  std::string describe() const override { return inner_->describe(); }

  SourceCounts counts() const;

 private:
  std::shared_ptr<CandleSource> inner_;
  std::atomic<uint64_t> pages_{0}, candles_{0}, rate_limited_{0}, failed_{0};
};

}  // namespace ck::http
