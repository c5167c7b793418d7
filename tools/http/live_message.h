#pragma once
// The messages of the /v1/live WebSocket.
//
// Client → server, one JSON text message per (re)subscription; a later one replaces the earlier:
//   {"markets": ["KRW-BTC", "KRW-ETH"], "timeframes": ["1m", "15m", "1h"]}
// (each also accepted as one comma-separated string; market globs resolve against the store).
//
// Server → client:
//   {"subscribed": {"markets": [...], "timeframes": [...]}}      the subscription is active
//   {"market","timeframe","time","open","high","low","close","volume","value","closed"}
//                                                                 one candle update, the same object
//                                                                 `candlekeep live --format jsonl` prints
//   {"error": {"name", "message"}}                                a bad message; the socket stays open
#include <string>
#include <string_view>
#include <vector>

#include "engine/live.h"
#include "timeframe/result.h"

namespace ck::http {

struct LiveRequest {
  std::vector<std::string> markets;  // as written (globs not yet resolved)
  std::vector<Timeframe> timeframes;
};

// Errors (InvalidArgument): malformed JSON, not an object, a missing, empty or mistyped key, an
// unknown key, a bad timeframe.
Result<LiveRequest> parse_live_request(std::string_view text);

// The update as one JSON object (no trailing newline).
std::string live_update_json(const LiveUpdate& update);
// {"subscribed": {...}} for what was subscribed.
std::string live_subscribed_json(const std::vector<std::string>& markets, const std::vector<Timeframe>& timeframes);

}  // namespace ck::http
