#pragma once
// WebSocketFeed: MinuteFeed over Upbit's quotation WebSocket (`/websocket/v1`, `candle.1m` type):
// one JSON array subscribes the markets; frames (binary or text) carry candle objects with the
// REST field names plus `code`. ws:// and wss:// are both spoken. On a drop it reconnects with
// exponential backoff and jitter, and sends "PING" on idle connections so the server keeps them.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "collection/minute_feed.h"
#include "timeframe/clock.h"

namespace ck {

struct WebSocketFeedOptions {
  // Base URL of the exchange ("https://api.upbit.com" → wss://api.upbit.com/websocket/v1;
  // "http://127.0.0.1:8080" → ws://127.0.0.1:8080/websocket/v1).
  std::string base_url = "https://api.upbit.com";
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds min_backoff{250};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds ping_interval{30000};
  std::shared_ptr<Clock> clock = SystemClock::shared();
};

class WebSocketFeed final : public MinuteFeed {
 public:
  explicit WebSocketFeed(WebSocketFeedOptions options);
  ~WebSocketFeed() override;
  Status start(const std::vector<std::string>& markets, MinuteFeedCallbacks callbacks) override;
  void stop() override;

  // Connections made so far (1 after the first connect).
  int64_t connections() const;

  struct Impl;  // opaque; public only so the .cc's coroutines can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// The subscription message for `markets` (one ticket, type candle.1m, DEFAULT format).
std::string websocket_subscription(const std::vector<std::string>& markets, const std::string& ticket);
// Parses one frame: a candle.1m object (or a JSON_LIST array of them). Frames of other types,
// {"status":"UP"} and errors give no updates; malformed JSON is an error.
Result<std::vector<MinuteUpdate>> parse_websocket_frame(std::string_view text);

}  // namespace ck
