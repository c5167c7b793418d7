#include "tests/http/test_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cctype>

namespace ck::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Runs the io_context until the pending operation completes.
void run(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

}  // namespace

struct ApiClient::Impl {
  uint16_t port;
  net::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

ApiClient::ApiClient(uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
ApiClient::~ApiClient() = default;

Result<HttpReply> ApiClient::request(const std::string& method, const std::string& target, const std::string& body,
                                     const std::map<std::string, std::string>& headers) {
  Impl& c = *impl_;
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    if (!c.stream) {
      c.stream = std::make_unique<beast::tcp_stream>(c.ioc);
      c.stream->socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), c.port), ec);
      if (ec) {
        c.stream.reset();
        return Status::unavailable("connect: " + ec.message());
      }
      ++connections_;
      c.buffer.clear();
      fresh = true;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    if (req.method() == http::verb::unknown) req.method_string(method);
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST") req.prepare_payload();
    c.stream->expires_after(std::chrono::seconds(20));
    http::async_write(*c.stream, req, [&](beast::error_code e, size_t) { ec = e; });
    run(c.ioc);
    if (ec) {
      c.stream.reset();
      if (attempt == 0 && !fresh) continue;
      return Status::unavailable("write: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    c.stream->expires_after(std::chrono::seconds(20));
    http::async_read(*c.stream, c.buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    run(c.ioc);
    if (ec) {
      c.stream.reset();
      // The server closed an idle kept-alive connection before reading this request: retry once.
      if (attempt == 0 && !fresh && ec == http::error::end_of_stream) continue;
      return Status::unavailable("read: " + ec.message());
    }
    auto& res = parser.get();
    HttpReply out;
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

Result<std::string> raw_exchange(uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return Status::unavailable("connect: " + ec.message());
  stream.expires_after(timeout);
  net::async_write(stream, net::buffer(bytes), [&](beast::error_code e, size_t) { ec = e; });
  run(ioc);
  // The server may answer and close before reading everything we sent: that is not our failure.
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::string got;
  char buf[4096];
  for (;;) {
    beast::error_code rec;
    size_t n = 0;
    stream.expires_after(timeout);
    stream.async_read_some(net::buffer(buf), [&](beast::error_code e, size_t k) {
      rec = e;
      n = k;
    });
    run(ioc);
    got.append(buf, n);
    if (rec) break;
  }
  return got;
}

struct WsClient::Impl {
  net::io_context ioc;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws;
  beast::flat_buffer buffer;
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}
WsClient::~WsClient() { close(); }

Status WsClient::connect(uint16_t port, const std::string& target, const std::map<std::string, std::string>& headers) {
  Impl& c = *impl_;
  c.ws = std::make_unique<websocket::stream<beast::tcp_stream>>(c.ioc);
  beast::error_code ec;
  beast::get_lowest_layer(*c.ws).socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return Status::unavailable("connect: " + ec.message());
  c.ws->set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  websocket::response_type res;
  beast::get_lowest_layer(*c.ws).expires_after(std::chrono::seconds(10));
  c.ws->async_handshake(res, "127.0.0.1", target, [&](beast::error_code e) { ec = e; });
  run(c.ioc);
  if (ec) {
    refused_status = int(res.result_int());
    c.ws.reset();
    return Status::unavailable("handshake: " + ec.message());
  }
  beast::get_lowest_layer(*c.ws).expires_never();
  return Status::ok();
}

Status WsClient::send(const std::string& text) {
  Impl& c = *impl_;
  if (!c.ws) return Status::failed_precondition("not connected");
  beast::error_code ec;
  c.ws->text(true);
  beast::get_lowest_layer(*c.ws).expires_after(std::chrono::seconds(10));
  c.ws->async_write(net::buffer(text), [&](beast::error_code e, size_t) { ec = e; });
  run(c.ioc);
  beast::get_lowest_layer(*c.ws).expires_never();
  if (ec) return Status::unavailable("write: " + ec.message());
  return Status::ok();
}

Result<std::string> WsClient::read(std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  if (!c.ws) return Status::failed_precondition("not connected");
  beast::error_code ec;
  bool done = false;
  c.ws->async_read(c.buffer, [&](beast::error_code e, size_t) {
    ec = e;
    done = true;
  });
  c.ioc.restart();
  c.ioc.run_for(timeout);
  if (!done) {
    // Give up on this read: the stream cannot be used afterwards.
    beast::get_lowest_layer(*c.ws).socket().close(ec);
    c.ioc.restart();
    c.ioc.run();
    c.ws.reset();
    return Status::unavailable("no message within the timeout");
  }
  if (ec) return Status::unavailable("read: " + ec.message());
  std::string text = beast::buffers_to_string(c.buffer.data());
  c.buffer.consume(c.buffer.size());
  return text;
}

void WsClient::close() {
  Impl& c = *impl_;
  if (!c.ws) return;
  beast::error_code ec;
  beast::get_lowest_layer(*c.ws).expires_after(std::chrono::seconds(5));
  c.ws->async_close(websocket::close_code::normal, [&](beast::error_code e) { ec = e; });
  run(c.ioc);
  c.ws.reset();
}

}  // namespace ck::testing
