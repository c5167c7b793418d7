#pragma once
// CandleSource: where 1-minute candles come from. The Upbit REST implementation is the real one;
// tests substitute fakes. Implementations are safe to call from several threads at once.
#include <string>
#include <vector>

#include "timeframe/candle.h"
#include "timeframe/result.h"

namespace ck {

struct ExchangeMarket {
  std::string market;  // e.g. "KRW-BTC"
  std::string korean_name;
  std::string english_name;
};

struct MinutePage {
  std::vector<Candle> candles;  // as the exchange sent them (Upbit: newest first)
  int remaining_in_second = -1;  // the Remaining-Req "sec" value, -1 when absent
};

class CandleSource {
 public:
  virtual ~CandleSource() = default;
  // At most `count` 1-minute candles of `market` that open strictly before `to`, newest first.
  // Errors: NotFound (no such market), ResourceExhausted (429: slow down and retry),
  // PermissionDenied (418: banned), Unavailable (transport, 5xx, malformed body: retry),
  // InvalidArgument (the exchange rejected the request).
  virtual Result<MinutePage> minutes(const std::string& market, Timestamp to, int count) = 0;
  virtual Result<std::vector<ExchangeMarket>> markets() = 0;
  // For messages: e.g. the base URL.
  virtual std::string describe() const = 0;
};

}  // namespace ck
