#pragma once
// RestApi: Upbit's quotation REST API over an Exchange, as a pure request -> response function
// (no sockets), so conformance tests can call it directly and the server only moves bytes.
//
// Routes (GET only; anything else is 404 {"error":{"name":"not_found",…}} without Remaining-Req):
//   /v1/market/all[?is_details=true]                       group market
//   /v1/candles/minutes/{1,3,5,10,15,30,60,240}             group candles
//   /v1/candles/{seconds,days,weeks,months,years}           group candles
//   /v1/ticker?markets=A,B   /v1/ticker/all?quote_currencies=KRW        group ticker
//   /sim/stats  /sim/truth?market=&from=&to=&unit=           simulator only: no limit, no faults
// Order of checks for an API route: 429 storm fault, rate limit (418 block / 429), 5xx fault,
// parameters (400/404 as Upbit words them), the answer, then malformed/reset faults on a 200.
// Every answer of an API route except the 5xx faults carries Remaining-Req; see docs/simulator.md.
// Thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/sim/exchange.h"
#include "tools/sim/faults.h"
#include "tools/sim/rate_limiter.h"
#include "tools/sim/sim_stats.h"

namespace ck::sim {

struct ApiOptions {
  RateLimitOptions rate_limit;
  FaultOptions faults;
};

struct ApiRequest {
  std::string_view method = "GET";
  std::string_view target;           // path and query, as on the request line
  std::string client_ip = "127.0.0.1";
  bool has_origin = false;           // an Origin header was sent (Upbit's origin group)
};

struct ApiResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/Length/Date
  int64_t delay_ms = 0;  // latency fault: answer this much later
  bool reset = false;    // reset fault: send the head and reset_at body bytes, then reset the connection
  size_t reset_at = 0;

  // The value of header `name` (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
};

class RestApi {
 public:
  RestApi(std::shared_ptr<const Exchange> exchange, ApiOptions options = {});

  ApiResponse handle(const ApiRequest& request);
  // Admission of a WebSocket connect (group websocket, 5/s per IP by default).
  RateDecision admit_websocket(std::string_view ip);

  const Exchange& exchange() const { return *exchange_; }
  std::shared_ptr<const Exchange> exchange_ptr() const { return exchange_; }
  SimStats& stats() { return stats_; }
  FaultInjector& faults() { return faults_; }
  RateLimiter& rate_limiter() { return limiter_; }

 private:
  ApiResponse dispatch(int route, std::string_view path, const class Query& query, std::string_view target);
  ApiResponse candles(std::string_view path, const class Query& query, std::string_view target);
  ApiResponse market_all(const class Query& query);
  ApiResponse ticker(const class Query& query, bool all);
  ApiResponse sim_route(std::string_view path, const class Query& query);

  std::shared_ptr<const Exchange> exchange_;
  RateLimiter limiter_;
  FaultInjector faults_;
  SimStats stats_;
};

// Upbit's quotation error messages (upbit-api.md §6).
inline constexpr std::string_view kMsgCodeNotFound = "Code not found";
inline constexpr std::string_view kMsgMissingParam = "Missing request parameter error. Check the required parameters!";
inline constexpr std::string_view kMsgTypeMismatch = "Type mismatch error. Check the parameters type!";
inline constexpr std::string_view kMsgInvalidParam = "Invalid parameter. Check the given value!";
inline constexpr std::string_view kMsgNoRoute = "no Route matched with those values";
inline constexpr std::string_view kMsgTooMany = "Too many API requests.";

inline constexpr std::string_view kJsonContentType = "application/json;charset=UTF-8";

}  // namespace ck::sim
