#include "tools/http/candle_body_cache.h"

#include <cstring>

#include "timeframe/candle_csv.h"
#include "timeframe/candle_json.h"

namespace ck::http {

std::string render_candles(const CandleSeries& candles, bool last_closed, CandleFormat format) {
  return format == CandleFormat::kJson ? candles_to_json(candles, last_closed) : candles_to_csv(candles, last_closed);
}

bool same_bits(const CandleSeries& a, const CandleSeries& b) {
  if (a.size() != b.size()) return false;
  const size_t n = a.size();
  auto same = [n](auto x, auto y) { return n == 0 || std::memcmp(x.data(), y.data(), n * sizeof(x[0])) == 0; };
  return same(a.time(), b.time()) && same(a.open(), b.open()) && same(a.high(), b.high()) && same(a.low(), b.low()) &&
         same(a.close(), b.close()) && same(a.volume(), b.volume()) && same(a.value(), b.value());
}

std::shared_ptr<const std::string> CandleBodyCache::render(const std::string& key, const CandleSeries& candles,
                                                           bool last_closed, CandleFormat format) {
  std::shared_ptr<const Entry> found;
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      found = *it->second;
      lru_.splice(lru_.begin(), lru_, it->second);
    }
  }
  // Compared outside the lock: the entry is immutable and kept alive by `found`.
  if (found && found->last_closed == last_closed && found->format == format && same_bits(found->candles, candles)) {
    std::lock_guard lock(mu_);
    ++hits_;
    return found->body;
  }
  auto entry = std::make_shared<Entry>();
  entry->key = key;
  entry->candles = candles;
  entry->last_closed = last_closed;
  entry->format = format;
  entry->body = std::make_shared<const std::string>(render_candles(candles, last_closed, format));
  entry->bytes = entry->body->size() + candles.size() * (sizeof(Timestamp) + 6 * sizeof(double)) + key.size() + 128;
  std::shared_ptr<const std::string> body = entry->body;
  std::lock_guard lock(mu_);
  ++misses_;
  if (entry->bytes > budget_) return body;  // too big to keep
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= (*it->second)->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(entry);
  index_[key] = lru_.begin();
  bytes_ += entry->bytes;
  while (bytes_ > budget_ && !lru_.empty()) {
    const auto& last = lru_.back();
    bytes_ -= last->bytes;
    index_.erase(last->key);
    lru_.pop_back();
  }
  return body;
}

CandleBodyCache::Counters CandleBodyCache::counters() const {
  std::lock_guard lock(mu_);
  return {hits_, misses_, index_.size(), bytes_};
}

}  // namespace ck::http
