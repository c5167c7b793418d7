#pragma once
// Api: the HTTP API's routing and answers, apart from any socket (server.h carries them over
// HTTP/1.1). handle() maps one request to one response; nothing a client sends makes it throw or
// crash — every bad request becomes a 4xx with the JSON error body of api_response.h.
//
// Routes (docs/http-api.md is the user's page):
//   GET  /health                       always open, even with a token
//   GET  /metrics                      Prometheus text
//   GET  /v1/candles                   candles_request.h
//   GET  /v1/screen                    screen_request.h
//   GET  /v1/markets[?source=exchange] stored markets with their coverage (or the exchange's list)
//   GET  /v1/runs                      run records, as `candlekeep runs --format json`
//   GET  /v1/stats                     tiers and markets, as `candlekeep stats --format json`
//   POST /v1/exports                   export_body.h → 202 {"job_id", "status"}
//   GET  /v1/exports                   every remembered job
//   GET  /v1/exports/{id}              the job (export_jobs.h)
//   GET  /v1/exports/{id}/manifest     its manifest.json once SUCCEEDED
//   GET  /v1/live                      WebSocket only (server.h); a plain GET is 426
//
// With a token, every route but /health needs "Authorization: Bearer <token>" (401 otherwise).
// Thread-safe: handle() may run on many threads at once.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/engine.h"
#include "tools/http/api_response.h"
#include "tools/http/candle_body_cache.h"
#include "tools/http/counting_source.h"
#include "tools/http/export_jobs.h"
#include "tools/http/http_metrics.h"

namespace ck::http {

struct ApiRequest {
  std::string_view method;         // "GET", "POST", ...
  std::string_view target;         // "/v1/candles?market=..."
  std::string_view authorization;  // the Authorization header ("" when absent)
  std::string_view body;
};

struct ApiOptions {
  std::string token;  // "" = no authentication
  // Counts of the exchange requests the engine made, if its source is a CountingSource (/metrics).
  std::shared_ptr<const CountingSource> source_counts;
  // Budget of rendered /v1/candles bodies kept for reuse (candle_body_cache.h); 0 = none.
  size_t candle_cache_bytes = size_t{64} << 20;
};

class Api {
 public:
  // All three must outlive the Api.
  Api(Engine& engine, ExportJobs& exports, HttpMetrics& metrics, ApiOptions options);

  ApiResponse handle(const ApiRequest& request);

  // The route label of a path for metrics: the route's pattern ("/v1/exports/{id}"), or "unmatched".
  static std::string_view route_of(std::string_view path);
  // True when answering may take long (it may ask the exchange, or screens many markets), so the
  // server runs it off its I/O threads.
  static bool is_slow(const ApiRequest& request);
  // A 401 response when the request does not carry the token; nullopt when it may go on.
  std::optional<ApiResponse> check_auth(const ApiRequest& request) const;

  Engine& engine() { return engine_; }

 private:
  ApiResponse route(const ApiRequest& request, std::string_view path, std::string_view query);
  ApiResponse markets(std::string_view query);
  ApiResponse runs(std::string_view query);
  ApiResponse stats(std::string_view query);
  ApiResponse metrics();
  ApiResponse post_export(const ApiRequest& request);
  ApiResponse exports_list();

  Engine& engine_;
  ExportJobs& exports_;
  HttpMetrics& metrics_;
  ApiOptions options_;
  std::unique_ptr<CandleBodyCache> candle_cache_;  // null when disabled
};

}  // namespace ck::http
