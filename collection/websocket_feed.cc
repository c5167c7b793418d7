#include "collection/websocket_feed.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "timeframe/upbit_candle.h"

namespace ck {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

struct Endpoint {
  bool tls = false;
  std::string host;
  std::string port;
  std::string path = "/websocket/v1";
};

Result<Endpoint> parse_base_url(const std::string& url) {
  Endpoint e;
  std::string rest;
  if (url.rfind("https://", 0) == 0 || url.rfind("wss://", 0) == 0) {
    e.tls = true;
    rest = url.substr(url.find("://") + 3);
  } else if (url.rfind("http://", 0) == 0 || url.rfind("ws://", 0) == 0) {
    rest = url.substr(url.find("://") + 3);
  } else {
    return Status::invalid_argument("bad exchange URL '" + url + "' (expected http:// or https://)");
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    std::string base = rest.substr(slash);
    while (!base.empty() && base.back() == '/') base.pop_back();
    e.path = base + "/websocket/v1";
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    e.host = authority.substr(0, colon);
    e.port = authority.substr(colon + 1);
  } else {
    e.host = authority;
    e.port = e.tls ? "443" : "80";
  }
  if (e.host.empty()) return Status::invalid_argument("bad exchange URL '" + url + "' (no host)");
  return e;
}

}  // namespace

std::string websocket_subscription(const std::vector<std::string>& markets, const std::string& ticket) {
  nlohmann::json msg = nlohmann::json::array();
  msg.push_back({{"ticket", ticket}});
  msg.push_back({{"type", "candle.1m"}, {"codes", markets}});
  msg.push_back({{"format", "DEFAULT"}});
  return msg.dump();
}

Result<std::vector<MinuteUpdate>> parse_websocket_frame(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Status::invalid_argument("malformed WebSocket frame");
  std::vector<MinuteUpdate> out;
  auto one = [&](const nlohmann::json& j) -> Status {
    if (!j.is_object()) return Status::ok();
    auto type = j.find("type");
    if (type == j.end() || !type->is_string() || *type != "candle.1m") return Status::ok();
    auto code = j.find("code");
    if (code == j.end() || !code->is_string()) return Status::invalid_argument("candle frame without 'code'");
    CK_ASSIGN_OR_RETURN(Candle c, candle_from_upbit_json(j));
    Timestamp last_trade = 0;
    if (auto ts = j.find("timestamp"); ts != j.end() && ts->is_number()) last_trade = ts->get<Timestamp>();
    out.push_back(MinuteUpdate{code->get<std::string>(), c, 0, last_trade});
    return Status::ok();
  };
  if (doc.is_array()) {
    for (const auto& j : doc) CK_RETURN_IF_ERROR(one(j));
  } else {
    CK_RETURN_IF_ERROR(one(doc));
  }
  return out;
}

struct WebSocketFeed::Impl {
  WebSocketFeedOptions options;
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::thread thread;
  Endpoint endpoint;
  std::vector<std::string> markets;
  MinuteFeedCallbacks callbacks;
  std::atomic<int64_t> connections{0};
  std::mt19937_64 rng{std::random_device{}()};
};

namespace {

template <typename Ws>
awaitable<void> read_frames(Ws& ws, const MinuteFeedCallbacks& cb, Clock& clock) {
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    co_await ws.async_read(buffer, use_awaitable);
    int64_t received = clock.monotonic_ns();
    std::string text = beast::buffers_to_string(buffer.data());
    auto updates = parse_websocket_frame(text);
    if (!updates) {
      if (cb.on_error) cb.on_error(updates.status());
      continue;
    }
    for (auto& u : *updates) {
      u.received_ns = received;
      if (cb.on_update) cb.on_update(u);
    }
  }
}

template <typename Ws>
void configure(Ws& ws, const WebSocketFeedOptions& o) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = o.connect_timeout;
  t.idle_timeout = o.ping_interval * 2;  // a WebSocket ping goes out at half of it; no pong → drop
  t.keep_alive_pings = true;
  ws.set_option(t);
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "candlekeep/0.1"); }));
}

// Subscribes after the handshake and reads until the connection fails.
template <typename Ws>
awaitable<void> converse(Ws& ws, WebSocketFeed::Impl& im, bool reconnect) {
  const std::string host_header = im.endpoint.host + ":" + im.endpoint.port;
  configure(ws, im.options);
  co_await ws.async_handshake(host_header, im.endpoint.path, use_awaitable);
  const std::string subscription = websocket_subscription(im.markets, "candlekeep-" + std::to_string(im.rng()));
  co_await ws.async_write(asio::buffer(subscription), use_awaitable);
  im.connections++;
  if (reconnect && im.callbacks.on_reconnect) im.callbacks.on_reconnect();
  co_await read_frames(ws, im.callbacks, *im.options.clock);
}

// One connection, from resolving the host until it drops. Parameters live in the coroutine frame.
awaitable<void> connect_once(WebSocketFeed::Impl* im) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto hosts = co_await resolver.async_resolve(im->endpoint.host, im->endpoint.port, use_awaitable);
  bool reconnect = im->connections.load() > 0;
  if (im->endpoint.tls) {
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ex, im->tls);
    beast::get_lowest_layer(ws).expires_after(im->options.connect_timeout);
    co_await beast::get_lowest_layer(ws).async_connect(hosts, use_awaitable);
    SSL_set_tlsext_host_name(ws.next_layer().native_handle(), im->endpoint.host.c_str());
    co_await ws.next_layer().async_handshake(asio::ssl::stream_base::client, use_awaitable);
    beast::get_lowest_layer(ws).expires_never();
    co_await converse(ws, *im, reconnect);
  } else {
    websocket::stream<beast::tcp_stream> ws(ex);
    beast::get_lowest_layer(ws).expires_after(im->options.connect_timeout);
    co_await beast::get_lowest_layer(ws).async_connect(hosts, use_awaitable);
    beast::get_lowest_layer(ws).expires_never();
    co_await converse(ws, *im, reconnect);
  }
}

// Reconnects forever with exponential backoff and jitter, until the io_context stops.
awaitable<void> supervise(WebSocketFeed::Impl* im) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  const WebSocketFeedOptions& o = im->options;
  auto backoff = o.min_backoff;
  for (;;) {
    int64_t before = im->connections.load();
    try {
      co_await connect_once(im);
    } catch (const std::exception& e) {
      if (im->callbacks.on_error) im->callbacks.on_error(Status::unavailable(std::string("WebSocket: ") + e.what()));
    }
    if (im->connections.load() > before) backoff = o.min_backoff;  // it had connected: start over
    std::uniform_int_distribution<int64_t> jitter(backoff.count() / 2, backoff.count());
    timer.expires_after(std::chrono::milliseconds(jitter(im->rng)));
    co_await timer.async_wait(use_awaitable);
    backoff = std::min(o.max_backoff, backoff * 2);
  }
}

}  // namespace

WebSocketFeed::WebSocketFeed(WebSocketFeedOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->tls.set_default_verify_paths();
  impl_->tls.set_verify_mode(asio::ssl::verify_peer);
}

WebSocketFeed::~WebSocketFeed() { stop(); }

int64_t WebSocketFeed::connections() const { return impl_->connections; }

Status WebSocketFeed::start(const std::vector<std::string>& markets, MinuteFeedCallbacks callbacks) {
  if (impl_->thread.joinable()) return Status::failed_precondition("feed already started");
  CK_ASSIGN_OR_RETURN(impl_->endpoint, parse_base_url(impl_->options.base_url));
  impl_->markets = markets;
  impl_->callbacks = std::move(callbacks);
  asio::co_spawn(impl_->ioc, supervise(impl_.get()), asio::detached);
  impl_->thread = std::thread([im = impl_.get()] { im->ioc.run(); });
  return Status::ok();
}

void WebSocketFeed::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->ioc.stop();
  impl_->thread.join();
}

}  // namespace ck
