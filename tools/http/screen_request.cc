#include "tools/http/screen_request.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "timeframe/candle_csv.h"
#include "tools/http/candles_request.h"

namespace ck::http {

namespace {

constexpr size_t kMaxBars = 1'000'000;  // as the CLI

std::string exact(double v) {
  std::string s;
  append_number(s, v);
  return s;
}

}  // namespace

Result<ScreenRequest> parse_screen_request(const QueryParams& params) {
  CK_RETURN_IF_ERROR(
      params.accept_only({"timeframe", "bars", "markets", "indicators", "where", "sort", "format", "fetch"}));
  ScreenRequest r;
  CK_ASSIGN_OR_RETURN(std::string tf_text, params.require("timeframe"));
  auto tf = Timeframe::parse(tf_text);
  if (!tf) return Status::invalid_argument("timeframe: " + tf.status().message());
  r.timeframe = *tf;
  CK_ASSIGN_OR_RETURN(std::string bars, params.require("bars"));
  auto [p, ec] = std::from_chars(bars.data(), bars.data() + bars.size(), r.bars);
  if (ec != std::errc() || p != bars.data() + bars.size() || r.bars < 1 || r.bars > kMaxBars) {
    return Status::invalid_argument("bars: expected a whole number of candles from 1 to " + std::to_string(kMaxBars) +
                                    ", got '" + bars + "'");
  }
  CK_ASSIGN_OR_RETURN(r.markets, params.require("markets"));
  auto spec = ScreenSpec::parse(params.get_or("indicators", ""), params.get_or("where", ""), params.get_or("sort", ""));
  if (!spec) return spec.status();
  r.spec = std::move(*spec);
  std::string format = params.get_or("format", "json");
  if (format != "json" && format != "csv") return Status::invalid_argument("bad format '" + format + "'; accepted: json, csv");
  r.csv = format == "csv";
  CK_ASSIGN_OR_RETURN(r.options.fetch_missing, params.get_bool("fetch", false));
  return r;
}

ApiResponse serve_screen(Engine& engine, const ScreenRequest& request) {
  auto markets = engine.resolve_markets(request.markets, request.options.fetch_missing);
  if (!markets) return status_response(markets.status().with_context("markets"));
  for (const std::string& m : *markets) {
    if (Status st = check_market_name(m); !st) return status_response(st.with_context("markets"));
  }
  auto rows = screen(engine, *markets, request.timeframe, request.bars, request.spec, request.options);
  if (!rows) return status_response(rows.status());
  ApiResponse r;
  if (request.csv) {
    r.content_type = kCsvType;
    r.body = screen_rows_csv(*rows, request.spec);
  } else {
    r.body = screen_rows_json(*rows, request.spec);
  }
  return r;
}

std::string screen_rows_csv(const std::vector<ScreenRow>& rows, const ScreenSpec& spec) {
  std::string out = "market,time";
  for (const auto& c : spec.columns) out += "," + c;
  out += "\n";
  for (const auto& r : rows) {
    out += r.market + "," + (r.time ? format_timestamp(*r.time) : std::string());
    for (double v : r.values) out += "," + (std::isnan(v) ? std::string() : exact(v));
    out += "\n";
  }
  return out;
}

std::string screen_rows_json(const std::vector<ScreenRow>& rows, const ScreenSpec& spec) {
  std::string out = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const ScreenRow& r = rows[i];
    out += i ? ",\n" : "\n";
    out += "{\"market\":" + nlohmann::json(r.market).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           ",\"time\":";
    out += r.time ? "\"" + format_timestamp(*r.time) + "\"" : std::string("null");
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      out += ",\"" + spec.columns[c] + "\":" + (std::isnan(r.values[c]) ? std::string("null") : exact(r.values[c]));
    }
    out += "}";
  }
  out += rows.empty() ? "]\n" : "\n]\n";
  return out;
}

}  // namespace ck::http
