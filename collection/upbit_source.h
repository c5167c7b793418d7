#pragma once
// UpbitSource: CandleSource over Upbit's quotation REST API (or the simulator, which speaks it):
// GET /v1/candles/minutes/1?market=…&to=…&count=… and GET /v1/market/all. Each calling thread
// gets its own keep-alive connection from a small pool.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collection/candle_source.h"
#include "collection/http_client.h"

namespace ck {

struct UpbitSourceOptions {
  std::string base_url = "https://api.upbit.com";  // no trailing slash needed
  HttpClientOptions http;
};

class UpbitSource final : public CandleSource {
 public:
  explicit UpbitSource(UpbitSourceOptions options);
  ~UpbitSource() override;

  Result<MinutePage> minutes(const std::string& market, Timestamp to, int count) override;
  Result<std::vector<ExchangeMarket>> markets() override;
  std::string describe() const override { return base_url_; }

 private:
  Result<HttpResponse> get(const std::string& path_and_query);
  std::unique_ptr<HttpClient> take_client();
  void return_client(std::unique_ptr<HttpClient> client);

  std::string base_url_;
  HttpClientOptions http_options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpClient>> idle_;
};

// Parses "group=candles; min=600; sec=9" and returns sec, or -1 when the header does not match.
int parse_remaining_req_sec(const std::string& header);

// Maps a non-200 Upbit answer to a Status that says what happened and whether to retry.
Status status_from_upbit_error(const std::string& url, const HttpResponse& response);

}  // namespace ck
