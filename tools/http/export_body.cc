#include "tools/http/export_body.h"

#include <nlohmann/json.hpp>
#include <set>

#include "tools/http/candles_request.h"

namespace ck::http {

namespace {

using nlohmann::json;

// A list given as a JSON array of strings or as one comma-separated string, joined with commas.
Result<std::string> list_field(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return Status::invalid_argument(std::string("missing required key \"") + key + "\"");
  if (it->is_string()) return it->get<std::string>();
  if (!it->is_array()) {
    return Status::invalid_argument(std::string("\"") + key + "\" must be an array of strings or a comma-separated string");
  }
  std::string joined;
  for (const json& item : *it) {
    if (!item.is_string()) return Status::invalid_argument(std::string("\"") + key + "\" must hold strings only");
    if (item.get_ref<const std::string&>().find(',') != std::string::npos) {
      return Status::invalid_argument(std::string("an item of \"") + key + "\" contains a comma");
    }
    joined += (joined.empty() ? "" : ",") + item.get<std::string>();
  }
  return joined;
}

Result<std::string> time_field(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return Status::invalid_argument(std::string("missing required key \"") + key + "\"");
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return Status::invalid_argument(std::string("\"") + key + "\" must be a time string or epoch milliseconds");
}

Result<std::string> string_field(const json& body, const char* key, std::string fallback) {
  auto it = body.find(key);
  if (it == body.end()) return fallback;
  if (!it->is_string()) return Status::invalid_argument(std::string("\"") + key + "\" must be a string");
  return it->get<std::string>();
}

}  // namespace

Result<ExportRequest> parse_export_body(std::string_view text, Engine& engine) {
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Status::invalid_argument("malformed JSON body (expected an object; see docs/http-api.md)");
  if (!body.is_object()) return Status::invalid_argument("the body must be a JSON object");
  static const std::set<std::string> kKeys = {"markets", "timeframes", "from", "to", "format", "origin", "fetch"};
  for (const auto& [key, value] : body.items()) {
    if (!kKeys.count(key)) {
      return Status::invalid_argument("unknown key \"" + key + "\"; accepted: markets, timeframes, from, to, format, origin, fetch");
    }
  }
  ExportRequest r;
  if (auto it = body.find("fetch"); it != body.end()) {
    if (!it->is_boolean()) return Status::invalid_argument("\"fetch\" must be true or false");
    r.fetch_missing = it->get<bool>();
  }
  CK_ASSIGN_OR_RETURN(std::string tf_list, list_field(body, "timeframes"));
  for (size_t start = 0; start <= tf_list.size();) {
    size_t comma = tf_list.find(',', start);
    std::string item = tf_list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? tf_list.size() + 1 : comma + 1;
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    auto tf = Timeframe::parse(item);
    if (!tf) return Status::invalid_argument("timeframes: " + tf.status().message());
    r.timeframes.push_back(*tf);
  }
  if (r.timeframes.empty()) return Status::invalid_argument("\"timeframes\" is empty (expected e.g. [\"15m\", \"1h\"])");
  CK_ASSIGN_OR_RETURN(std::string from, time_field(body, "from"));
  CK_ASSIGN_OR_RETURN(std::string to, time_field(body, "to"));
  CK_ASSIGN_OR_RETURN(r.range, parse_range_params(from, to));
  CK_ASSIGN_OR_RETURN(std::string format, string_field(body, "format", "csv"));
  CK_ASSIGN_OR_RETURN(r.format, parse_export_format(format));
  CK_ASSIGN_OR_RETURN(std::string origin, string_field(body, "origin", ""));
  if (!origin.empty()) {
    auto o = parse_day_origin(origin);
    if (!o) return Status::invalid_argument("origin: " + o.status().message());
    r.day_origin_ms = *o;
  }
  // Markets last: resolving may ask the exchange (with fetch), so only for an otherwise good body.
  CK_ASSIGN_OR_RETURN(std::string spec, list_field(body, "markets"));
  auto markets = engine.resolve_markets(spec, r.fetch_missing);
  if (!markets) return markets.status().with_context("markets");
  for (const std::string& m : *markets) CK_RETURN_IF_ERROR(check_market_name(m).with_context("markets"));
  if (!r.fetch_missing) {
    std::set<std::string> stored;
    for (const MarketInfo& m : engine.markets()) stored.insert(m.name);
    for (const std::string& m : *markets) {
      if (!stored.count(m)) return Status::not_found("market " + m + " is not stored (sync it first, or set \"fetch\": true)");
    }
  }
  r.markets = std::move(*markets);
  return r;
}

}  // namespace ck::http
