#include "tests/sim/http_test_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace ck::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpTestClient::Impl {
  uint16_t port;
  std::string local_ip;
  net::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpTestClient::HttpTestClient(uint16_t port, std::string local_ip) : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->local_ip = std::move(local_ip);
}

HttpTestClient::~HttpTestClient() = default;

Result<HttpResult> HttpTestClient::get(const std::string& target, const std::map<std::string, std::string>& headers) {
  Impl& c = *impl_;
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!c.stream) {
      c.stream = std::make_unique<beast::tcp_stream>(c.ioc);
      auto& sock = c.stream->socket();
      sock.open(tcp::v4(), ec);
      if (!ec) sock.bind(tcp::endpoint(net::ip::make_address(c.local_ip), 0), ec);
      if (!ec) sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), c.port), ec);
      if (ec) {
        c.stream.reset();
        return Status::unavailable("connect: " + ec.message());
      }
      ++connections_;
      c.buffer.clear();
    }
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    for (const auto& [k, v] : headers) req.set(k, v);
    // Async with a deadline, so a test fails instead of hanging when the server does not answer.
    c.stream->expires_after(std::chrono::seconds(10));
    http::async_write(*c.stream, req, [&](beast::error_code e, size_t) { ec = e; });
    c.ioc.restart();
    c.ioc.run();
    if (ec) {
      c.stream.reset();
      if (attempt == 0) continue;  // the server closed an idle connection: reconnect once
      return Status::unavailable("write: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    c.stream->expires_after(std::chrono::seconds(10));
    http::async_read(*c.stream, c.buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    c.ioc.restart();
    c.ioc.run();
    if (ec) {
      c.stream.reset();
      if (attempt == 0 && (ec == http::error::end_of_stream) && parser.get().result_int() == 0) continue;
      return Status::unavailable("read: " + ec.message());
    }
    auto& res = parser.get();
    HttpResult out;
    out.status = int(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      out.headers[name] = std::string(f.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) c.stream.reset();
    return out;
  }
  return Status::unavailable("no answer");
}

}  // namespace ck::testing
