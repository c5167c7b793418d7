#include "tools/http/api.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <nlohmann/json.hpp>

#include "engine/run_log.h"
#include "engine/version.h"
#include "tools/http/candles_request.h"
#include "tools/http/export_body.h"
#include "tools/http/query_string.h"
#include "tools/http/screen_request.h"

namespace ck::http {

namespace {

using ojson = nlohmann::ordered_json;

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"; }

ApiResponse method_not_allowed(std::string_view method, std::string_view path, const char* allow) {
  ApiResponse r = error_response(405, "MethodNotAllowed",
                                 std::string(method) + " is not allowed on " + std::string(path) + "; use " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

// Compares without an early exit, so response time does not reveal how much of a guess was right.
bool same_secret(std::string_view given, std::string_view secret) {
  if (given.size() != secret.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ secret[i]);
  return diff == 0;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) return false;
  }
  return true;
}

// "/v1/exports/{id}" and "/v1/exports/{id}/manifest": the id, and whether the manifest is asked for.
struct ExportPath {
  std::string id;
  bool manifest = false;
};
std::optional<ExportPath> parse_export_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/v1/exports/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = path.substr(kPrefix.size());
  ExportPath out;
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (rest.substr(slash) != "/manifest") return std::nullopt;
    out.manifest = true;
    rest = rest.substr(0, slash);
  }
  if (rest.empty()) return std::nullopt;
  out.id = std::string(rest);
  return out;
}

nlohmann::ordered_json tier_json(const TierCounters& t) {
  return {{"entries", t.entries}, {"bytes", t.bytes}, {"hits", t.hits}, {"misses", t.misses}, {"evictions", t.evictions}};
}

}  // namespace

Api::Api(Engine& engine, ExportJobs& exports, HttpMetrics& metrics, ApiOptions options)
    : engine_(engine), exports_(exports), metrics_(metrics), options_(std::move(options)) {
  if (options_.candle_cache_bytes > 0) candle_cache_ = std::make_unique<CandleBodyCache>(options_.candle_cache_bytes);
}

std::string_view Api::route_of(std::string_view path) {
  static constexpr std::string_view kFixed[] = {"/health",     "/metrics",  "/v1/candles", "/v1/screen", "/v1/markets",
                                                "/v1/runs",    "/v1/stats", "/v1/exports", "/v1/live"};
  for (std::string_view r : kFixed) {
    if (path == r) return r;
  }
  if (auto e = parse_export_path(path)) return e->manifest ? "/v1/exports/{id}/manifest" : "/v1/exports/{id}";
  return "unmatched";
}

bool Api::is_slow(const ApiRequest& request) {
  auto [path, query] = split_target(request.target);
  if (path == "/v1/screen" || path == "/v1/stats") return true;
  if (request.method == "POST") return true;  // resolving an export's markets may ask the exchange
  // fetch=..., source=exchange: the exchange answers at its own pace.
  return query.find("fetch") != std::string_view::npos || query.find("source") != std::string_view::npos;
}

std::optional<ApiResponse> Api::check_auth(const ApiRequest& request) const {
  if (options_.token.empty()) return std::nullopt;
  if (split_target(request.target).path == "/health") return std::nullopt;
  std::string_view auth = request.authorization;
  bool ok = false;
  if (starts_with_ci(auth, "Bearer ")) {
    std::string_view given = auth.substr(7);
    while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
    while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
    ok = same_secret(given, options_.token);
  }
  if (ok) return std::nullopt;
  ApiResponse r = error_response(401, "Unauthorized",
                                 auth.empty() ? "this server needs a token: send the header \"Authorization: Bearer <token>\""
                                              : "the token in the Authorization header is wrong");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"candlekeep\"");
  return r;
}

ApiResponse Api::handle(const ApiRequest& request) {
  if (auto denied = check_auth(request)) return std::move(*denied);
  auto [path, query] = split_target(request.target);
  // The engine reports errors as values; an exception here (e.g. std::bad_alloc) is still only
  // this request's failure, never the server's.
  try {
    return route(request, path, query);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", request.method, path, e.what());
    return error_response(500, "Internal", std::string("the server failed on this request: ") + e.what());
  }
}

ApiResponse Api::route(const ApiRequest& request, std::string_view path, std::string_view query) {
  const std::string_view method = request.method;
  const bool get = method == "GET";
  auto params = QueryParams::parse(query);

  if (path == "/health") {
    if (!get) return method_not_allowed(method, path, "GET");
    return json_response(200, dump({{"status", "ok"}, {"version", engine_version()}}));
  }
  if (path == "/metrics") {
    if (!get) return method_not_allowed(method, path, "GET");
    return metrics();
  }
  if (path == "/v1/candles") {
    if (!get) return method_not_allowed(method, path, "GET");
    if (!params) return status_response(params.status());
    auto req = parse_candles_request(*params);
    if (!req) return status_response(req.status());
    return serve_candles(engine_, *req, candle_cache_.get());
  }
  if (path == "/v1/screen") {
    if (!get) return method_not_allowed(method, path, "GET");
    if (!params) return status_response(params.status());
    auto req = parse_screen_request(*params);
    if (!req) return status_response(req.status());
    return serve_screen(engine_, *req);
  }
  if (path == "/v1/markets") {
    if (!get) return method_not_allowed(method, path, "GET");
    return markets(query);
  }
  if (path == "/v1/runs") {
    if (!get) return method_not_allowed(method, path, "GET");
    return runs(query);
  }
  if (path == "/v1/stats") {
    if (!get) return method_not_allowed(method, path, "GET");
    return stats(query);
  }
  if (path == "/v1/exports") {
    if (method == "POST") return post_export(request);
    if (get) return exports_list();
    return method_not_allowed(method, path, "GET, POST");
  }
  if (auto e = parse_export_path(path)) {
    if (!get) return method_not_allowed(method, path, "GET");
    if (e->manifest) {
      auto text = exports_.manifest(e->id);
      if (!text) return status_response(text.status());
      return json_response(200, std::move(*text));
    }
    auto job = exports_.find(e->id);
    if (!job) return error_response(404, "NotFound", "no export job '" + e->id + "'");
    return json_response(200, job->to_json() + "\n");
  }
  if (path == "/v1/live") {
    return error_response(426, "UpgradeRequired", "/v1/live is a WebSocket: connect with a WebSocket client (ws://.../v1/live)");
  }
  return error_response(404, "NotFound",
                        "no endpoint " + std::string(method) + " " + std::string(path) + "; see docs/http-api.md");
}

ApiResponse Api::markets(std::string_view query) {
  auto params = QueryParams::parse(query);
  if (!params) return status_response(params.status());
  if (Status st = params->accept_only({"source"}); !st) return status_response(st);
  std::string source = params->get_or("source", "store");
  ojson out = ojson::array();
  if (source == "exchange") {
    auto ms = engine_.exchange_markets();
    if (!ms) return status_response(ms.status());
    for (const auto& m : *ms) {
      out.push_back({{"market", m.market}, {"korean_name", m.korean_name}, {"english_name", m.english_name}});
    }
    return json_response(200, dump(out));
  }
  if (source != "store") return error_response(400, "InvalidArgument", "bad source '" + source + "'; accepted: store, exchange");
  for (const MarketInfo& m : engine_.markets()) {
    auto cov = engine_.store().coverage(m.name);
    if (!cov) return status_response(cov.status());
    ojson covered = ojson::array();
    for (const TimeRange& r : cov->ranges()) covered.push_back({{"from", format_timestamp(r.from)}, {"to", format_timestamp(r.to)}});
    out.push_back({{"market", m.name}, {"covered", covered}});
  }
  return json_response(200, dump(out));
}

ApiResponse Api::runs(std::string_view query) {
  auto params = QueryParams::parse(query);
  if (!params) return status_response(params.status());
  if (Status st = params->accept_only({}); !st) return status_response(st);
  auto runs = engine_.runs();
  if (!runs) return status_response(runs.status());
  ojson out = ojson::array();
  for (const RunRecord& r : *runs) {
    out.push_back(run_json(r));
  }
  return json_response(200, dump(out));
}

ApiResponse Api::stats(std::string_view query) {
  auto params = QueryParams::parse(query);
  if (!params) return status_response(params.status());
  if (Status st = params->accept_only({}); !st) return status_response(st);
  // Unlike `candlekeep stats`, no flush and compaction first: a server must not stall every reader
  // for a figure; l3_bytes is RocksDB's estimate of the moment.
  TieredStore& store = engine_.store();
  StoreStats s = store.stats();
  ojson out;
  out["tiers"] = {{"l1", tier_json(s.l1)}, {"l2", tier_json(s.l2)}, {"l3", tier_json(s.l3)}};
  out["markets"] = ojson::array();
  for (const MarketInfo& m : store.markets()) {
    auto ms = store.l3().market_stats(m.id);
    if (!ms) return status_response(ms.status());
    auto cov = store.l3().coverage(m.id);
    if (!cov) return status_response(cov.status());
    ojson covered = ojson::array();
    for (const TimeRange& r : cov->ranges()) covered.push_back({r.from, r.to});
    double per = ms->candles ? double(ms->l3_bytes) / double(ms->candles) : 0.0;
    out["markets"].push_back({{"market", m.name},
                              {"candles", ms->candles},
                              {"l3_bytes", ms->l3_bytes},
                              {"bytes_per_candle", per},
                              {"covered", covered}});
  }
  return json_response(200, dump(out));
}

ApiResponse Api::metrics() {
  std::string out;
  out.reserve(8192);
  metrics_.render(out);
  StoreStats s = engine_.stats();
  const std::pair<const char*, const TierCounters*> tiers[] = {{"l1", &s.l1}, {"l2", &s.l2}, {"l3", &s.l3}};
  auto per_tier = [&](const char* name, const char* type, const char* help, uint64_t TierCounters::*field) {
    append_metric_header(out, name, type, help);
    for (const auto& [tier, c] : tiers) append_sample(out, name, std::string("tier=\"") + tier + "\"", double(c->*field));
  };
  per_tier("candlekeep_tier_hits_total", "counter", "Chunk reads a tier answered.", &TierCounters::hits);
  per_tier("candlekeep_tier_misses_total", "counter", "Chunk reads a tier could not answer.", &TierCounters::misses);
  per_tier("candlekeep_tier_bytes", "gauge", "Bytes a tier holds now.", &TierCounters::bytes);
  per_tier("candlekeep_tier_entries", "gauge", "Entries (chunks, files) a tier holds now.", &TierCounters::entries);
  per_tier("candlekeep_tier_evictions_total", "counter", "Entries a tier evicted.", &TierCounters::evictions);
  append_metric_header(out, "candlekeep_l2_corrupt_files_total", "counter", "L2 files found damaged and dropped.");
  append_sample(out, "candlekeep_l2_corrupt_files_total", "", double(s.l2_corrupt_files));
  append_metric_header(out, "candlekeep_l1_rejected_inserts_total", "counter", "Chunks L1 refused to stay within its budget.");
  append_sample(out, "candlekeep_l1_rejected_inserts_total", "", double(s.l1_rejected_inserts));

  // The collector's figures, summed over the recorded sync runs (the runs of this data directory,
  // not only of this process).
  if (auto runs = engine_.runs()) {
    double pages = 0, candles = 0, retries = 0, failed = 0;
    for (const RunRecord& r : *runs) {
      pages += double(r.pages);
      candles += double(r.candles);
      retries += double(r.retries);
      failed += double(r.failed_pages);
    }
    const std::pair<const char*, std::pair<const char*, double>> collector[] = {
        {"candlekeep_collector_runs_total", {"Recorded sync runs.", double(runs->size())}},
        {"candlekeep_collector_pages_total", {"Pages of candles the recorded runs fetched.", pages}},
        {"candlekeep_collector_candles_total", {"Candles the recorded runs stored.", candles}},
        {"candlekeep_collector_retries_total", {"Requests the recorded runs retried.", retries}},
        {"candlekeep_collector_failed_pages_total", {"Pages the recorded runs gave up on.", failed}},
    };
    for (const auto& [name, hv] : collector) {
      append_metric_header(out, name, "counter", hv.first);
      append_sample(out, name, "", hv.second);
    }
  }
  if (options_.source_counts) {
    SourceCounts c = options_.source_counts->counts();
    append_metric_header(out, "candlekeep_exchange_requests_total", "counter",
                         "Candle requests this server's engine made to the exchange, by outcome (live syncs included).");
    append_sample(out, "candlekeep_exchange_requests_total", "result=\"page\"", double(c.pages));
    append_sample(out, "candlekeep_exchange_requests_total", "result=\"rate_limited\"", double(c.rate_limited));
    append_sample(out, "candlekeep_exchange_requests_total", "result=\"failed\"", double(c.failed));
    append_metric_header(out, "candlekeep_exchange_candles_total", "counter", "Candles in the pages the exchange sent.");
    append_sample(out, "candlekeep_exchange_candles_total", "", double(c.candles));
  }
  if (candle_cache_) {
    CandleBodyCache::Counters c = candle_cache_->counters();
    append_metric_header(out, "candlekeep_http_candle_cache_hits_total", "counter",
                         "/v1/candles answers reused because the candles read were the same as last time.");
    append_sample(out, "candlekeep_http_candle_cache_hits_total", "", double(c.hits));
    append_metric_header(out, "candlekeep_http_candle_cache_misses_total", "counter", "/v1/candles answers rendered anew.");
    append_sample(out, "candlekeep_http_candle_cache_misses_total", "", double(c.misses));
    append_metric_header(out, "candlekeep_http_candle_cache_bytes", "gauge", "Bytes the /v1/candles answer cache holds.");
    append_sample(out, "candlekeep_http_candle_cache_bytes", "", double(c.bytes));
  }
  append_metric_header(out, "candlekeep_export_jobs", "gauge", "Export jobs remembered, by status.");
  for (ExportJobState st : {ExportJobState::kPending, ExportJobState::kRunning, ExportJobState::kSucceeded,
                            ExportJobState::kFailed}) {
    append_sample(out, "candlekeep_export_jobs", "status=\"" + std::string(export_job_state_name(st)) + "\"",
                  double(exports_.count(st)));
  }
  ApiResponse r;
  r.content_type = kPrometheusType;
  r.body = std::move(out);
  return r;
}

ApiResponse Api::post_export(const ApiRequest& request) {
  auto params = QueryParams::parse(split_target(request.target).query);
  if (!params) return status_response(params.status());
  if (Status st = params->accept_only({}); !st) return status_response(st);
  auto req = parse_export_body(request.body, engine_);
  if (!req) return status_response(req.status());
  auto job = exports_.submit(std::move(*req));
  if (!job) return status_response(job.status());
  ojson out = {{"job_id", job->id}, {"status", export_job_state_name(job->state)}};
  ApiResponse r = json_response(202, dump(out));
  r.headers.emplace_back("Location", "/v1/exports/" + job->id);
  return r;
}

ApiResponse Api::exports_list() {
  std::string out = "[";
  for (const ExportJobInfo& job : exports_.list()) out += (out.size() > 1 ? "," : "") + job.to_json();
  return json_response(200, out + "]\n");
}

}  // namespace ck::http
