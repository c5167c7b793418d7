#include "tools/sim/rest_api.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <functional>

#include "tools/sim/query.h"
#include "tools/sim/to_param.h"
#include "tools/sim/upbit_json.h"

namespace ck::sim {
namespace {

enum Route { kNoRoute = -1, kMarketAll, kCandles, kTicker, kTickerAll };

constexpr Timestamp kNoTo = std::numeric_limits<Timestamp>::max() / 4;

const char* group_of(int route) {
  switch (route) {
    case kMarketAll: return "market";
    case kCandles: return "candles";
    default: return "ticker";
  }
}

int match_route(std::string_view method, std::string_view path) {
  if (method != "GET") return kNoRoute;
  if (path == "/v1/market/all") return kMarketAll;
  if (path == "/v1/ticker") return kTicker;
  if (path == "/v1/ticker/all") return kTickerAll;
  if (path.starts_with("/v1/candles/minutes/") && path.size() > 20) return kCandles;
  for (std::string_view p : {"/v1/candles/seconds", "/v1/candles/days", "/v1/candles/weeks", "/v1/candles/months",
                             "/v1/candles/years"}) {
    if (path == p) return kCandles;
  }
  return kNoRoute;
}

ApiResponse json_response(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.content_type = kJsonContentType;
  r.body = std::move(body);
  return r;
}

ApiResponse error(int status, std::string_view message) { return json_response(status, error_json(status, message)); }

std::string etag_for(uint64_t h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "W/\"%016llx\"", static_cast<unsigned long long>(mix64(h)));
  return buf;
}

// Splits "A,B,C" (empty items dropped).
std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::string_view ApiResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return v;
    }
  }
  return {};
}

RestApi::RestApi(std::shared_ptr<const Exchange> exchange, ApiOptions options)
    : exchange_(std::move(exchange)),
      limiter_(options.rate_limit, exchange_->clock()),
      faults_(options.faults) {}

RateDecision RestApi::admit_websocket(std::string_view ip) { return limiter_.check(ip, "websocket"); }

ApiResponse RestApi::handle(const ApiRequest& request) {
  std::string path;
  Query query = Query::parse_target(request.target, &path);
  if (path.starts_with("/sim/")) return sim_route(path, query);

  stats_.count_request(path);
  int route = match_route(request.method, path);
  if (route == kNoRoute) {
    ApiResponse r = json_response(404, error_json("not_found", kMsgNoRoute));
    r.content_type = "application/json; charset=utf-8";
    stats_.count_status(404);
    return r;
  }
  const char* group = group_of(route);
  FaultPlan plan = faults_.plan(exchange_->clock()->monotonic_ns() / 1'000'000);
  auto finish = [&](ApiResponse r) {
    r.delay_ms = plan.delay_ms;
    if (plan.delay_ms > 0) stats_.count_fault(kFaultLatency);
    stats_.count_status(r.status);
    return r;
  };
  auto too_many = [&](std::string remaining) {
    ApiResponse r;
    r.status = 429;
    r.content_type = "text/plain;charset=UTF-8";
    r.body = std::string(kMsgTooMany);
    r.headers.emplace_back("Remaining-Req", std::move(remaining));
    r.headers.emplace_back("Limit-By-Ip", "Yes");
    return r;
  };
  if (plan.storm_429) {
    stats_.count_fault(kFault429Storm);
    return finish(too_many(remaining_req_header(request.has_origin ? "origin" : group, 0)));
  }
  RateDecision rate = limiter_.check(request.client_ip, group, request.has_origin);
  if (rate.verdict == RateVerdict::kTooMany) {
    stats_.count_violation();
    return finish(too_many(rate.remaining_req));
  }
  if (rate.verdict == RateVerdict::kBlocked) {
    stats_.count_violation();
    int64_t secs = (rate.block_left_ms + 999) / 1000;
    ApiResponse r = error(418, "Too many API requests. This IP is blocked for " + std::to_string(secs) +
                                   " seconds (block time " + std::to_string(rate.block_ms / 1000) +
                                   " s; it grows with each block).");
    r.headers.emplace_back("Remaining-Req", rate.remaining_req);
    r.headers.emplace_back("Limit-By-Ip", "Yes");
    return finish(std::move(r));
  }
  if (plan.status_5xx != 0) {
    stats_.count_fault(kFault5xx);
    ApiResponse r;
    r.status = plan.status_5xx;
    r.content_type = "text/html";
    r.body = "<html><body><h1>" + std::to_string(plan.status_5xx) + " Server Error</h1></body></html>";
    return finish(std::move(r));
  }

  ApiResponse r = dispatch(route, path, query, request.target);
  // The answered-request headers, as captured on Upbit's replies (upbit-api.md §1).
  std::vector<std::pair<std::string, std::string>> h;
  h.reserve(8 + r.headers.size());
  h.emplace_back("Remaining-Req", rate.remaining_req);
  h.emplace_back("Limit-By-Ip", "Yes");
  h.emplace_back("Vary", "origin,access-control-request-method,access-control-request-headers,accept-encoding");
  h.emplace_back("Expires", "0");
  for (auto& kv : r.headers) h.push_back(std::move(kv));
  h.emplace_back("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
  h.emplace_back("Pragma", "no-cache");
  r.headers = std::move(h);
  if (r.status == 200) {
    if (plan.malformed && !r.body.empty()) {
      stats_.count_fault(kFaultMalformed);
      r.body.resize(std::max<size_t>(1, r.body.size() * plan.cut_permille / 1000));
      if (r.body.size() >= 2 && r.body.back() == ']') r.body.pop_back();
    } else if (plan.reset) {
      stats_.count_fault(kFaultReset);
      r.reset = true;
      r.reset_at = r.body.size() * plan.cut_permille / 1000;
    }
  }
  return finish(std::move(r));
}

ApiResponse RestApi::dispatch(int route, std::string_view path, const Query& query, std::string_view target) {
  switch (route) {
    case kMarketAll: return market_all(query);
    case kTicker: return ticker(query, false);
    case kTickerAll: return ticker(query, true);
    default: return candles(path, query, target);
  }
}

ApiResponse RestApi::candles(std::string_view path, const Query& query, std::string_view target) {
  const Exchange& ex = *exchange_;
  CandleUnit unit;
  std::string_view kind = path.substr(std::string_view("/v1/candles/").size());
  if (kind.starts_with("minutes/")) {
    std::string_view digits = kind.substr(8);
    int n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || p != digits.data() + digits.size()) return error(400, kMsgTypeMismatch);
    if (!CandleUnit::is_upbit_minutes(n)) return error(400, kMsgInvalidParam);
    unit = CandleUnit::minute(n);
  } else {
    unit = *CandleUnit::parse(kind);
  }

  auto market_code = query.get("market");
  if (!market_code || market_code->empty()) return error(400, kMsgMissingParam);
  size_t count = 1;
  if (auto c = query.get("count"); c && !c->empty()) {
    long long n = 0;
    auto [p, ec] = std::from_chars(c->data(), c->data() + c->size(), n);
    if (p != c->data() + c->size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return error(400, kMsgTypeMismatch);
    }
    if (ec == std::errc::result_out_of_range) n = n < 0 ? -1 : 201;
    if (n <= 0) return error(400, kMsgInvalidParam);
    count = size_t(std::min<long long>(n, 200));  // Upbit silently cuts to 200
  }
  Timestamp to = kNoTo;
  if (auto t = query.get("to"); t && !t->empty()) {
    auto parsed = parse_to_param(*t);
    if (!parsed) return error(400, kMsgInvalidParam);
    to = *parsed;
  }
  bool converted = false;
  if (unit.kind == CandleKind::kDays) {
    auto cpu = query.get("converting_price_unit");
    if (!cpu) cpu = query.get("convertingPriceUnit");
    if (cpu && !cpu->empty()) {
      if (*cpu != "KRW") return error(400, kMsgInvalidParam);
      converted = true;
    }
  }
  const Timestamp now = ex.now();
  int market = ex.find(*market_code);
  if (market < 0 || !ex.listed(market, now)) return error(404, kMsgCodeNotFound);

  std::vector<SimCandle> rows = ex.latest(market, unit, to, count, now);
  ApiResponse r = json_response(200, candles_json(ex.markets()[market], unit, rows, converted));
  stats_.add_candles(rows.size());
  uint64_t h = std::hash<std::string_view>()(target) ^ (rows.empty() ? 0 : uint64_t(rows.front().last_trade));
  r.headers.emplace_back("ETag", etag_for(h ^ r.body.size()));
  return r;
}

ApiResponse RestApi::market_all(const Query& query) {
  const Exchange& ex = *exchange_;
  auto d = query.get("is_details");
  if (!d) d = query.get("isDetails");
  bool details = false;
  if (d && !d->empty()) {
    if (*d == "true") details = true;
    else if (*d != "false") return error(400, kMsgTypeMismatch);
  }
  const Timestamp now = ex.now();
  std::string out;
  out.reserve(ex.markets().size() * (details ? 330 : 90));
  out += '[';
  bool first = true;
  for (size_t i = 0; i < ex.markets().size(); ++i) {
    if (!ex.listed(int(i), now)) continue;
    const MarketSpec& m = ex.markets()[i];
    if (!first) out += ',';
    first = false;
    out += "{\"market\":";
    append_string(out, m.code);
    out += ",\"korean_name\":";
    append_string(out, m.korean_name);
    out += ",\"english_name\":";
    append_string(out, m.english_name);
    if (details) {
      out += ",\"market_event\":{\"warning\":";
      out += m.warning ? "true" : "false";
      out += ",\"caution\":{\"PRICE_FLUCTUATIONS\":false,\"TRADING_VOLUME_SOARING\":false,"
             "\"DEPOSIT_AMOUNT_SOARING\":false,\"GLOBAL_PRICE_DIFFERENCES\":false,"
             "\"CONCENTRATION_OF_SMALL_ACCOUNTS\":false}}";
    }
    out += '}';
  }
  out += ']';
  ApiResponse r = json_response(200, std::move(out));
  r.headers.emplace_back("ETag", etag_for(std::hash<std::string>()(r.body)));
  return r;
}

ApiResponse RestApi::ticker(const Query& query, bool all) {
  const Exchange& ex = *exchange_;
  const Timestamp now = ex.now();
  std::vector<int> markets;
  if (all) {
    auto q = query.get("quote_currencies");
    if (!q || q->empty()) return error(400, kMsgMissingParam);
    for (std::string_view cur : split_list(*q)) {
      if (cur == "KRW") {
        for (size_t i = 0; i < ex.markets().size(); ++i) {
          if (ex.listed(int(i), now)) markets.push_back(int(i));
        }
      } else if (cur != "BTC" && cur != "USDT") {
        return error(400, kMsgInvalidParam);
      }
    }
  } else {
    auto q = query.get("markets");
    if (!q || q->empty()) return error(400, kMsgMissingParam);
    for (std::string_view code : split_list(*q)) {
      int m = ex.find(code);
      if (m < 0 || !ex.listed(m, now)) return error(404, kMsgCodeNotFound);
      markets.push_back(m);
    }
    if (markets.empty()) return error(404, kMsgCodeNotFound);
  }
  std::string out;
  out.reserve(markets.size() * 900 + 2);
  out += '[';
  bool first = true;
  for (int m : markets) {
    Ticker t = ex.ticker(m, now);
    if (!t.has_trade) continue;
    if (!first) out += ',';
    first = false;
    append_ticker(out, ex.markets()[m], t);
  }
  out += ']';
  ApiResponse r = json_response(200, std::move(out));
  r.headers.emplace_back("ETag", etag_for(std::hash<std::string>()(r.body)));
  return r;
}

ApiResponse RestApi::sim_route(std::string_view path, const Query& query) {
  if (path == "/sim/stats") return json_response(200, stats_.snapshot().to_json());
  if (path != "/sim/truth") {
    ApiResponse r = json_response(404, error_json("not_found", kMsgNoRoute));
    r.content_type = "application/json; charset=utf-8";
    return r;
  }
  const Exchange& ex = *exchange_;
  const Timestamp now = ex.now();
  auto code = query.get("market");
  if (!code || code->empty()) return error(400, kMsgMissingParam);
  int market = ex.find(*code);
  if (market < 0) return error(404, kMsgCodeNotFound);
  CandleUnit unit = CandleUnit::minute(1);
  if (auto u = query.get("unit"); u && !u->empty()) {
    auto parsed = CandleUnit::parse(*u);
    if (!parsed) return error(400, parsed.status().message());
    unit = *parsed;
  }
  Timestamp from = ex.markets()[market].listed_at - kWeekMs * 60;  // every bucket that holds the listing
  Timestamp to = now + 1;
  for (auto [name, target] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (auto v = query.get(name); v && !v->empty()) {
      auto t = parse_time_value(*v);
      if (!t) return error(400, std::string("bad `") + name + "`: " + t.status().message());
      *target = *t;
    }
  }
  std::vector<SimCandle> rows = ex.range(market, unit, from, to, now);
  return json_response(200, candles_json(ex.markets()[market], unit, rows));
}

}  // namespace ck::sim
