#pragma once
// Live monitoring: subscriptions that receive every update of a still-open candle and every candle
// that closes, for each subscribed market and timeframe, derived from the exchange's 1-minute
// stream with the incremental aggregator. Each subscription has its own delivery thread, so a slow
// callback delays only itself. Closed minutes are collected into the store through the collector
// as they close, which also backfills whatever the stream missed while it was down.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "timeframe/candle.h"
#include "timeframe/timeframe.h"

namespace ck {

struct LiveUpdate {
  std::string market;
  Timeframe timeframe;
  Candle candle;
  bool closed = false;            // the bucket is final
  int64_t received_ns = 0;        // monotonic time the 1-minute update behind it arrived (0 for timer closes)
  Timestamp last_trade_ms = 0;    // exchange time of the last trade behind it, when the feed says (else 0)
};

using LiveCallback = std::function<void(const LiveUpdate&)>;

enum class LiveFeedKind : uint8_t {
  kWebSocket,  // the exchange's WebSocket candle stream (Upbit and the simulator offer one)
  kPolling,    // the candle REST endpoint, polled within the rate limit
};

struct LiveOptions {
  LiveFeedKind feed = LiveFeedKind::kWebSocket;
  // A bucket is closed by the clock this long after its end when no later minute arrived, leaving
  // room for the exchange's last update of it.
  int64_t close_grace_ms = 2000;
  // Minutes are collected into the store this long after they close.
  int64_t persist_grace_ms = 2000;
};

class Subscription {
 public:
  virtual ~Subscription() = default;
  // Stops delivery (no callback runs after it returns). Idempotent; the destructor calls it.
  virtual void unsubscribe() = 0;
  virtual uint64_t delivered() const = 0;
};

}  // namespace ck
