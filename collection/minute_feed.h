#pragma once
// MinuteFeed: a push stream of 1-minute candle updates from an exchange — the still-open minute
// revised as trades arrive, then the next minute. Updates of the same minute may repeat; the last
// one wins. The feed reconnects by itself; after a reconnect it says so, because minutes may have
// been missed while it was down and must be backfilled through the collector.
#include <functional>
#include <string>
#include <vector>

#include "timeframe/candle.h"
#include "timeframe/status.h"

namespace ck {

struct MinuteUpdate {
  std::string market;
  Candle candle;              // the minute as it stands now
  int64_t received_ns = 0;    // monotonic clock when the frame arrived (for latency figures)
  Timestamp last_trade_ms = 0;  // the exchange's time of the candle's last trade, when it says (Upbit's `timestamp`)
};

struct MinuteFeedCallbacks {
  std::function<void(const MinuteUpdate&)> on_update;
  // Called after the connection was lost and is back (not on the first connect).
  std::function<void()> on_reconnect;
  // A connection attempt or the connection failed; the feed keeps retrying.
  std::function<void(const Status&)> on_error;
};

class MinuteFeed {
 public:
  virtual ~MinuteFeed() = default;
  // Starts delivering updates for `markets` on a thread of the feed's own. Callbacks must be quick.
  virtual Status start(const std::vector<std::string>& markets, MinuteFeedCallbacks callbacks) = 0;
  // Stops and joins; no callback runs after it returns.
  virtual void stop() = 0;
};

}  // namespace ck
