#pragma once
// Blocking loopback clients for the HTTP API tests: an HTTP/1.1 keep-alive client, a raw socket
// (for malformed requests), and a WebSocket client for /v1/live. Every call has a deadline, so a
// test fails instead of hanging when the server does not answer.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "timeframe/result.h"

namespace ck::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class ApiClient {
 public:
  explicit ApiClient(uint16_t port);
  ~ApiClient();
  // One request on the kept-alive connection (opened on first use, reopened once if the server
  // closed it). Errors: connect/write/read failures as Unavailable.
  Result<HttpReply> request(const std::string& method, const std::string& target, const std::string& body = "",
                            const std::map<std::string, std::string>& headers = {});
  Result<HttpReply> get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
    return request("GET", target, "", headers);
  }
  // TCP connections this client opened.
  int connections() const { return connections_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int connections_ = 0;
};

// Sends `bytes` on a fresh connection, half-closes it, and returns everything the server sent until
// it closed (or `timeout` passed).
Result<std::string> raw_exchange(uint16_t port, const std::string& bytes,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

class WsClient {
 public:
  WsClient();
  ~WsClient();
  // Connects to ws://127.0.0.1:port<target>. Errors: the handshake failed (with the HTTP status in
  // `refused_status` when the server answered with one).
  Status connect(uint16_t port, const std::string& target, const std::map<std::string, std::string>& headers = {});
  Status send(const std::string& text);
  // The next message; Unavailable on timeout or close.
  Result<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void close();
  int refused_status = 0;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ck::testing
