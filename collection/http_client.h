#pragma once
// HttpClient: blocking HTTP GET over one libcurl easy handle. The handle is reused, so the TCP
// connection stays alive between requests (keep-alive); gzip is accepted; connect and total
// timeouts bound every request. Not thread-safe: one client per worker thread.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "timeframe/result.h"

namespace ck {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header value, or "" when absent. `name` must be lower-case.
  std::string header(const std::string& name) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};
  std::string user_agent = "candlekeep/0.1";
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Transport failures (refused, timeout, reset, truncated body) are Unavailable; any HTTP status
  // is a successful transport and is returned as a response.
  Result<HttpResponse> get(const std::string& url);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes a query parameter value (RFC 3986 unreserved characters pass through).
std::string url_encode(const std::string& value);

}  // namespace ck
