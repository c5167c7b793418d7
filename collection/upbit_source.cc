#include "collection/upbit_source.h"

#include <nlohmann/json.hpp>
#include <regex>

#include "timeframe/upbit_candle.h"

namespace ck {

UpbitSource::UpbitSource(UpbitSourceOptions options)
    : base_url_(std::move(options.base_url)), http_options_(std::move(options.http)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

UpbitSource::~UpbitSource() = default;

std::unique_ptr<HttpClient> UpbitSource::take_client() {
  std::lock_guard lock(mu_);
  if (idle_.empty()) return std::make_unique<HttpClient>(http_options_);
  auto c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void UpbitSource::return_client(std::unique_ptr<HttpClient> client) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(client));
}

Result<HttpResponse> UpbitSource::get(const std::string& path_and_query) {
  auto client = take_client();
  auto r = client->get(base_url_ + path_and_query);
  // A client whose transfer failed may hold a broken connection; drop it rather than reuse it.
  if (r.is_ok()) return_client(std::move(client));
  return r;
}

int parse_remaining_req_sec(const std::string& header) {
  static const std::regex pattern(R"(^\s*group=([a-z\-]+);\s*min=(\d+);\s*sec=(\d+)\s*$)");
  std::smatch m;
  if (!std::regex_match(header, m, pattern)) return -1;
  return std::stoi(m[3].str());
}

Status status_from_upbit_error(const std::string& url, const HttpResponse& r) {
  std::string name, message;
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (!body.is_discarded() && body.is_object() && body.contains("error") && body["error"].is_object()) {
    const auto& e = body["error"];
    if (e.contains("name")) name = e["name"].is_string() ? e["name"].get<std::string>() : e["name"].dump();
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
  }
  std::string what = "GET " + url + " -> HTTP " + std::to_string(r.status);
  if (!message.empty()) what += ": " + message;
  if (!name.empty()) what += " (" + name + ")";
  if (r.status == 429) return Status::resource_exhausted(what + "; too many requests, slowing down");
  if (r.status == 418) {
    std::string retry_after = r.header("retry-after");
    return Status::permission_denied(what + "; the exchange banned this client" +
                                     (retry_after.empty() ? std::string(" (block time not given)")
                                                          : " for " + retry_after + " s") +
                                     "; wait before syncing again and lower --rate");
  }
  if (r.status == 404) return Status::not_found(what);
  if (r.status >= 500) return Status::unavailable(what);
  return Status::invalid_argument(what);
}

Result<MinutePage> UpbitSource::minutes(const std::string& market, Timestamp to, int count) {
  std::string pq = "/v1/candles/minutes/1?market=" + url_encode(market) + "&to=" + url_encode(format_timestamp(to)) +
                   "&count=" + std::to_string(count);
  CK_ASSIGN_OR_RETURN(HttpResponse r, get(pq));
  if (r.status != 200) return status_from_upbit_error(base_url_ + pq, r);
  MinutePage page;
  page.remaining_in_second = parse_remaining_req_sec(r.header("remaining-req"));
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_array()) {
    return Status::unavailable("GET " + base_url_ + pq + ": malformed or truncated JSON body (" +
                               std::to_string(r.body.size()) + " bytes)");
  }
  page.candles.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    auto c = candle_from_upbit_json(body[i]);
    if (!c) {
      return Status::unavailable("GET " + base_url_ + pq + ": element " + std::to_string(i) + ": " +
                                 c.status().message());
    }
    page.candles.push_back(*c);
  }
  return page;
}

Result<std::vector<ExchangeMarket>> UpbitSource::markets() {
  const std::string pq = "/v1/market/all";
  CK_ASSIGN_OR_RETURN(HttpResponse r, get(pq));
  if (r.status != 200) return status_from_upbit_error(base_url_ + pq, r);
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_array()) {
    return Status::unavailable("GET " + base_url_ + pq + ": malformed JSON body");
  }
  std::vector<ExchangeMarket> out;
  for (const auto& m : body) {
    if (!m.is_object() || !m.contains("market") || !m["market"].is_string()) {
      return Status::unavailable("GET " + base_url_ + pq + ": an entry has no 'market' string");
    }
    ExchangeMarket em;
    em.market = m["market"].get<std::string>();
    if (m.contains("korean_name") && m["korean_name"].is_string()) em.korean_name = m["korean_name"];
    if (m.contains("english_name") && m["english_name"].is_string()) em.english_name = m["english_name"];
    out.push_back(std::move(em));
  }
  return out;
}

}  // namespace ck
