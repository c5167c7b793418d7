#pragma once
// A minimal blocking HTTP/1.1 keep-alive client for the simulator tests (Boost.Beast). One
// connection, reused for every get(); reconnects after the server closes it. Optionally binds the
// local end to another loopback address (127.0.0.2) to act as a second client IP.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "timeframe/result.h"

namespace ck::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
  bool has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

class HttpTestClient {
 public:
  explicit HttpTestClient(uint16_t port, std::string local_ip = "127.0.0.1");
  ~HttpTestClient();
  // GET `target` ("/v1/...?..."), with extra request headers. Errors: connect/read failures
  // (e.g. a reset mid-body) as Unavailable.
  Result<HttpResult> get(const std::string& target, const std::map<std::string, std::string>& headers = {});
  // How many TCP connections this client has opened.
  int connections() const { return connections_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int connections_ = 0;
};

}  // namespace ck::testing
