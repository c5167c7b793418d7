#pragma once
// The WebSocket quotation stream (/websocket/v1) as pure logic, without sockets: parsing a
// subscription message and producing the frames a subscription receives (upbit-api.md §8).
//
// Subscription: one JSON array — {"ticket":…}, one or more {"type":…,"codes":[…],
// "is_only_snapshot":…,"is_only_realtime":…}, optionally {"format":"DEFAULT"|"SIMPLE"|
// "JSON_LIST"|"SIMPLE_LIST"}. Types: ticker, trade, candle.1s, candle.{1,3,5,10,15,30,60,240}m.
// Codes must be upper case and exist; others are silently ignored, as on Upbit. Errors are
// {"error":{"name":"NO_TICKET"|"NO_TYPE"|"NO_CODES"|"WRONG_FORMAT"|"INVALID_PARAM",…}}.
//
// Frames: snapshot() first (stream_type SNAPSHOT, unless is_only_realtime), then advance(now)
// each time the clock moves: one trade frame per new trade, one ticker frame per market that
// traded, and each candle bucket touched by new trades at most once per simulated second (the
// same candle_date_time may arrive many times; the last one wins). LIST formats bundle the frames
// of one step into one array.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tools/sim/candle_unit.h"
#include "tools/sim/exchange.h"

namespace ck::sim {

enum class WsFormat { kDefault, kSimple, kJsonList, kSimpleList };

struct WsTypeRequest {
  std::string type;          // "ticker", "trade", "candle.1m", …
  std::vector<int> markets;  // exchange indices of the accepted codes
  bool only_snapshot = false;
  bool only_realtime = false;
  std::optional<CandleUnit> candle;  // for candle.* types
};

struct WsSubscription {
  std::string ticket;
  std::vector<WsTypeRequest> types;
  WsFormat format = WsFormat::kDefault;
};

struct WsError {
  std::string name;
  std::string message;
  std::string json() const;
};

std::variant<WsSubscription, WsError> parse_ws_subscription(std::string_view text, const Exchange& exchange,
                                                            Timestamp now);

class WsFeed {
 public:
  WsFeed(const Exchange& exchange, WsSubscription subscription, Timestamp now);

  std::vector<std::string> snapshot();
  std::vector<std::string> advance(Timestamp now);

  // Most trades one advance() reports per market (the clock may jump; older ones are skipped).
  static constexpr size_t kMaxTradesPerStep = 2000;

 private:
  struct CandleState {
    std::vector<Timestamp> pending;  // bucket starts touched since the last push
    Timestamp last_push = -1'000'000;
  };
  bool simple() const;
  std::vector<std::string> bundle(std::vector<std::string> frames) const;
  std::string ticker_frame(int market, Timestamp now, bool snapshot) const;
  std::string trade_frame(int market, const Trade& t, Timestamp now, bool snapshot);
  std::string candle_frame(int market, const WsTypeRequest& type, const SimCandle& c, bool snapshot) const;
  double prev_close(int market, Timestamp t, Timestamp now);

  const Exchange& exchange_;
  WsSubscription sub_;
  Timestamp last_;
  std::map<std::pair<size_t, int>, CandleState> candles_;  // (type index, market)
  std::map<int, std::pair<int64_t, double>> prev_close_;  // market -> (day, close)
};

}  // namespace ck::sim
