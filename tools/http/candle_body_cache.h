#pragma once
// CandleBodyCache: rendered GET /v1/candles bodies, reused while the candles behind them are the
// same. Rendering 720 candles as CSV or JSON (shortest round-trip numbers, ISO times) costs about
// fifty times the warm read itself, and clients poll the same query over and over (a screener every
// few minutes, a backtest loop, a dashboard). A body is reused only when the candles just read are
// bit for bit the ones it was rendered from (and `last_closed` is the same), so the answer is always
// exactly what rendering them now would give: there is nothing to invalidate when the store changes.
//
// Bounded by bytes (bodies plus the candles kept to compare with); the least recently used entries
// go first. Thread-safe.
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "timeframe/candle_series.h"

namespace ck::http {

enum class CandleFormat : uint8_t { kCsv, kJson };

// The body `candlekeep get` prints: candles_to_csv / candles_to_json.
std::string render_candles(const CandleSeries& candles, bool last_closed, CandleFormat format);

class CandleBodyCache {
 public:
  explicit CandleBodyCache(size_t budget_bytes = size_t{64} << 20) : budget_(budget_bytes) {}

  // render_candles(candles, last_closed, format), from the entry of `key` when it was rendered from
  // the same candles. `key` names the query (market, timeframe, range, options, format).
  std::shared_ptr<const std::string> render(const std::string& key, const CandleSeries& candles, bool last_closed,
                                            CandleFormat format);

  struct Counters {
    uint64_t hits = 0, misses = 0, entries = 0, bytes = 0;
  };
  Counters counters() const;

 private:
  struct Entry {
    std::string key;
    CandleSeries candles;
    bool last_closed = true;
    CandleFormat format = CandleFormat::kCsv;
    std::shared_ptr<const std::string> body;
    size_t bytes = 0;
  };
  using List = std::list<std::shared_ptr<const Entry>>;

  size_t budget_;
  mutable std::mutex mu_;
  List lru_;  // most recent first
  std::unordered_map<std::string, List::iterator> index_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
};

// True when both hold the same candles bit for bit (-0.0 differs from 0.0; a NaN equals itself).
bool same_bits(const CandleSeries& a, const CandleSeries& b);

}  // namespace ck::http
