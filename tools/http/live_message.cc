#include "tools/http/live_message.h"

#include <nlohmann/json.hpp>

#include "timeframe/candle_csv.h"

namespace ck::http {

namespace {

using nlohmann::json;

Result<std::vector<std::string>> string_list(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return Status::invalid_argument(std::string("missing required key \"") + key + "\"");
  std::vector<std::string> out;
  auto add = [&](std::string item) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(std::move(item));
  };
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    for (size_t start = 0; start <= s.size();) {
      size_t comma = s.find(',', start);
      add(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      start = comma == std::string::npos ? s.size() + 1 : comma + 1;
    }
  } else if (it->is_array()) {
    for (const json& item : *it) {
      if (!item.is_string()) return Status::invalid_argument(std::string("\"") + key + "\" must hold strings only");
      add(item.get<std::string>());
    }
  } else {
    return Status::invalid_argument(std::string("\"") + key + "\" must be an array of strings");
  }
  if (out.empty()) return Status::invalid_argument(std::string("\"") + key + "\" is empty");
  return out;
}

}  // namespace

Result<LiveRequest> parse_live_request(std::string_view text) {
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Status::invalid_argument("malformed JSON message; expected {\"markets\": [...], \"timeframes\": [...]}");
  }
  if (!body.is_object()) return Status::invalid_argument("the message must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (key != "markets" && key != "timeframes") {
      return Status::invalid_argument("unknown key \"" + key + "\"; accepted: markets, timeframes");
    }
  }
  LiveRequest r;
  CK_ASSIGN_OR_RETURN(r.markets, string_list(body, "markets"));
  CK_ASSIGN_OR_RETURN(std::vector<std::string> tfs, string_list(body, "timeframes"));
  for (const std::string& t : tfs) {
    auto tf = Timeframe::parse(t);
    if (!tf) return Status::invalid_argument("timeframes: " + tf.status().message());
    r.timeframes.push_back(*tf);
  }
  return r;
}

std::string live_update_json(const LiveUpdate& u) {
  std::string out;
  out.reserve(200);
  out += "{\"market\":";
  out += json(u.market).dump(-1, ' ', false, json::error_handler_t::replace);
  out += ",\"timeframe\":\"" + u.timeframe.to_string() + "\",\"time\":\"" + format_timestamp(u.candle.time) + "\"";
  const char* names[] = {"open", "high", "low", "close", "volume", "value"};
  const double vals[] = {u.candle.open, u.candle.high, u.candle.low, u.candle.close, u.candle.volume, u.candle.value};
  for (int i = 0; i < 6; ++i) {
    out += ",\"";
    out += names[i];
    out += "\":";
    append_number(out, vals[i]);
  }
  out += u.closed ? ",\"closed\":true}" : ",\"closed\":false}";
  return out;
}

std::string live_subscribed_json(const std::vector<std::string>& markets, const std::vector<Timeframe>& timeframes) {
  json tfs = json::array();
  for (const Timeframe& tf : timeframes) tfs.push_back(tf.to_string());
  json j = {{"subscribed", {{"markets", markets}, {"timeframes", tfs}}}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ck::http
