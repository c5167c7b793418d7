#include "tools/http/candles_request.h"


namespace ck::http {

Status check_market_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok &= (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  }
  if (ok) return Status::ok();
  std::string shown(name.substr(0, 64));
  return Status::invalid_argument("bad market name '" + shown +
                                  "' (1 to 64 letters, digits, '-', '_' or '.', like KRW-BTC)");
}

Result<Timestamp> parse_time_param(std::string_view name, std::string_view text) {
  auto t = parse_time_value(text);
  if (!t) return Status::invalid_argument(std::string(name) + ": " + t.status().message());
  return *t;
}

Result<TimeRange> parse_range_params(std::string_view from_text, std::string_view to_text) {
  CK_ASSIGN_OR_RETURN(Timestamp from, parse_time_param("from", from_text));
  CK_ASSIGN_OR_RETURN(Timestamp to, parse_time_param("to", to_text));
  if (to <= from) {
    return Status::invalid_argument("from " + format_timestamp(from) + " is not before to " + format_timestamp(to));
  }
  return TimeRange{from, to};
}

Result<CandlesRequest> parse_candles_request(const QueryParams& params) {
  CK_RETURN_IF_ERROR(
      params.accept_only({"market", "timeframe", "from", "to", "fill", "format", "origin", "closed_only", "fetch"}));
  CandlesRequest r;
  CK_ASSIGN_OR_RETURN(r.market, params.require("market"));
  CK_RETURN_IF_ERROR(check_market_name(r.market));
  CK_ASSIGN_OR_RETURN(std::string tf_text, params.require("timeframe"));
  auto tf = Timeframe::parse(tf_text);
  if (!tf) return Status::invalid_argument("timeframe: " + tf.status().message());
  r.timeframe = *tf;
  CK_ASSIGN_OR_RETURN(std::string from, params.require("from"));
  CK_ASSIGN_OR_RETURN(std::string to, params.require("to"));
  CK_ASSIGN_OR_RETURN(r.range, parse_range_params(from, to));
  auto fill = parse_fill(params.get_or("fill", "none"));
  if (!fill) return Status::invalid_argument("fill: " + fill.status().message());
  r.read.fill = *fill;
  std::string format = params.get_or("format", "csv");
  if (format != "csv" && format != "json") {
    return Status::invalid_argument("bad format '" + format + "'; accepted: csv, json");
  }
  r.json = format == "json";
  if (auto origin = params.get("origin")) {
    auto o = parse_day_origin(*origin);
    if (!o) return Status::invalid_argument("origin: " + o.status().message());
    r.read.day_origin_ms = *o;
  }
  CK_ASSIGN_OR_RETURN(r.read.closed_only, params.get_bool("closed_only", false));
  CK_ASSIGN_OR_RETURN(r.read.fetch_missing, params.get_bool("fetch", false));
  return r;
}

std::string candles_cache_key(const CandlesRequest& r) {
  std::string key = r.market;
  key += '\x1f';
  key += r.timeframe.to_string();
  for (int64_t v : {r.range.from, r.range.to, r.read.day_origin_ms, int64_t(r.read.fill), int64_t(r.read.closed_only),
                    int64_t(r.json)}) {
    key += '\x1f';
    key += std::to_string(v);
  }
  return key;
}

ApiResponse serve_candles(Engine& engine, const CandlesRequest& request, CandleBodyCache* cache) {
  auto read = engine.get(request.market, request.timeframe, request.range, request.read);
  if (!read) return status_response(read.status());
  ApiResponse r;
  if (!request.json) r.content_type = kCsvType;
  const CandleFormat format = request.json ? CandleFormat::kJson : CandleFormat::kCsv;
  if (cache) {
    r.body = *cache->render(candles_cache_key(request), read->candles, read->last_closed, format);
  } else {
    r.body = render_candles(read->candles, read->last_closed, format);
  }
  return r;
}

}  // namespace ck::http
