#pragma once
// GET /v1/candles: the query of `candlekeep get` as URL parameters, answered with exactly the bytes
// `candlekeep get` prints for it (the CLI and the API share candles_to_csv / candles_to_json).
//
//   market, timeframe, from, to   required (from/to as --from/--to: ISO-8601, a date, or epoch ms/s)
//   fill=none|ffill   format=csv|json (csv)   origin=HH:MMZ   closed_only=true|false   fetch=true|false
//
// Errors: a missing, unknown or malformed parameter and `from` not before `to` are InvalidArgument
// (400); a market the store does not hold is NotFound (404); fetching may fail Unavailable (503).
#include <string>

#include "engine/engine.h"
#include "tools/http/api_response.h"
#include "tools/http/candle_body_cache.h"
#include "tools/http/query_string.h"

namespace ck::http {

struct CandlesRequest {
  std::string market;
  Timeframe timeframe;
  TimeRange range;
  ReadOptions read;
  bool json = false;  // else CSV
};

Result<CandlesRequest> parse_candles_request(const QueryParams& params);

// Reads the candles and renders them as `candlekeep get` would; through `cache` when given.
ApiResponse serve_candles(Engine& engine, const CandlesRequest& request, CandleBodyCache* cache = nullptr);
// The cache key of what the answer depends on besides the candles (fetch does not change it).
std::string candles_cache_key(const CandlesRequest& request);

// A market name a client may use: 1 to 64 of A-Z a-z 0-9 - _ . (exchange codes like "KRW-BTC" or
// "005930"). Checked before anything is read or fetched, so a request can never create a market
// with a garbage name in the store (a fetch registers the market first). InvalidArgument otherwise.
Status check_market_name(std::string_view name);

// A time given as `name` ("from", "to"): ISO-8601, a date, or epoch milliseconds (seconds < 1e11).
Result<Timestamp> parse_time_param(std::string_view name, std::string_view text);
// [from, to) from the two texts; `from` must be before `to`.
Result<TimeRange> parse_range_params(std::string_view from, std::string_view to);

}  // namespace ck::http
