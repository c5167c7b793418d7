#pragma once
// GET /v1/screen: `candlekeep screen` as URL parameters (engine/screener.h does the work for both),
// answered with the rows `candlekeep screen --format json|csv` prints for the same query.
//
//   timeframe, bars, markets   required (markets: "A,B", "all" or a glob like "KRW-*")
//   indicators=sma:20,rsi:14   where=rsi14 < 30   sort=[-]COLUMN   format=json|csv (json)   fetch=true|false
//
// Errors: a missing, unknown or malformed parameter, a bad indicator / where / sort expression, or
// markets matching nothing: InvalidArgument (400); a market the store does not hold: NotFound (404).
#include <string>

#include "engine/screener.h"
#include "tools/http/api_response.h"
#include "tools/http/query_string.h"

namespace ck::http {

struct ScreenRequest {
  Timeframe timeframe;
  size_t bars = 0;
  std::string markets;  // the spec, resolved when served
  ScreenSpec spec;
  ScreenOptions options;
  bool csv = false;     // else JSON
};

Result<ScreenRequest> parse_screen_request(const QueryParams& params);
ApiResponse serve_screen(Engine& engine, const ScreenRequest& request);

// The rows as `candlekeep screen --format json` / `--format csv` prints them.
std::string screen_rows_json(const std::vector<ScreenRow>& rows, const ScreenSpec& spec);
std::string screen_rows_csv(const std::vector<ScreenRow>& rows, const ScreenSpec& spec);

}  // namespace ck::http
