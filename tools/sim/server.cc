#include "tools/sim/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "tools/sim/candle_unit.h"
#include "tools/sim/ws_feed.h"

namespace ck::sim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// RFC 7231 date of the simulated now ("Wed, 30 Jul 2025 17:36:32 GMT"), built once per second.
const std::string& http_date(Timestamp t) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached;
  int64_t second = floor_div(t, kSecondMs);
  if (second != cached_second) {
    cached_second = second;
    int64_t day = floor_div(t, kDayMs);
    int64_t ms = t - day * kDayMs;
    CivilDate c = civil_from_days(day);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[((day % 7) + 7) % 7], c.day,
                  kMonths[c.month - 1], c.year, int(ms / kHourMs), int(ms / kMinuteMs % 60), int(ms / kSecondMs % 60));
    cached = buf;
  }
  return cached;
}

std::string_view sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace

namespace detail {

// A connection the server can close at stop().
class Connection {
 public:
  virtual ~Connection() = default;
  // REQUIRES: no io_context thread is running.
  virtual void close_now() = 0;
};

struct ServerImpl {
  ServerImpl(std::shared_ptr<const Exchange> exchange, ServerOptions o)
      : options(std::move(o)), api(std::move(exchange), options.api), ioc(std::max(1, options.threads)), acceptor(ioc) {}

  void do_accept();
  void track(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(connections_mu);
    if (++tracked % 256 == 0) {
      std::erase_if(connections, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
    }
    connections.push_back(c);
  }

  ServerOptions options;
  RestApi api;  // declared before ioc: pending handlers die with ioc, before the API they point at
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::mutex mu;
  bool started = false;
  bool stopped = false;
  std::mutex connections_mu;
  std::vector<std::weak_ptr<Connection>> connections;
  uint64_t tracked = 0;
};

}  // namespace detail

namespace {

// One WebSocket client: reads subscriptions and PINGs, pushes feed frames as the clock moves.
class WsSession : public detail::Connection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, detail::ServerImpl& server, std::string remaining_req)
      : ws_(std::move(socket)),
        server_(server),
        remaining_req_(std::move(remaining_req)),
        poll_(ws_.get_executor()),
        drop_(ws_.get_executor()),
        status_(ws_.get_executor()) {}

  void close_now() override {
    closed_ = true;
    beast::error_code e;
    beast::get_lowest_layer(ws_).socket().close(e);
  }

  void run(http::request<http::string_body> request) {
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = std::chrono::seconds(30);
    timeout.idle_timeout = std::chrono::milliseconds(server_.options.idle_timeout_ms);
    timeout.keep_alive_pings = false;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator([rr = remaining_req_](websocket::response_type& res) {
      res.set("Remaining-Req", rr);
    }));
    ws_.async_accept(request, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

 private:
  const Exchange& exchange() const { return server_.api.exchange(); }

  void on_accept(beast::error_code ec) {
    if (ec) return;
    ws_.binary(true);  // Upbit sends binary frames holding UTF-8 JSON
    read();
    arm_poll();
    if (server_.api.faults().options().ws_drop_ms > 0) {
      drop_.expires_after(std::chrono::milliseconds(server_.api.faults().options().ws_drop_ms));
      drop_.async_wait([self = shared_from_this()](beast::error_code e) {
        if (e || self->closed_) return;
        self->server_.api.stats().count_fault(kFaultWsDrop);
        self->abort();
      });
    }
  }

  void abort() {
    closed_ = true;
    beast::error_code e;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.set_option(net::socket_base::linger(true, 0), e);
    socket.close(e);
    cancel_timers();
  }

  void cancel_timers() {
    poll_.cancel();
    drop_.cancel();
    status_.cancel();
  }

  void read() { ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, size_t) {
    if (ec) {
      closed_ = true;
      cancel_timers();
      return;
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    const Timestamp now = exchange().now();
    if (text == "PING") {
      send("{\"status\":\"UP\"}");
      if (!status_armed_) arm_status();
    } else {
      auto parsed = parse_ws_subscription(text, exchange(), now);
      if (auto* err = std::get_if<WsError>(&parsed)) {
        close_after_write_ = true;
        send(err->json());
        return;
      }
      // A new subscription replaces the previous one.
      feed_.emplace(exchange(), std::move(std::get<WsSubscription>(parsed)), now);
      for (std::string& f : feed_->snapshot()) send(std::move(f));
    }
    read();
  }

  void arm_poll() {
    poll_.expires_after(std::chrono::milliseconds(server_.options.ws_poll_ms));
    poll_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (e || self->closed_) return;
      if (self->feed_) {
        for (std::string& f : self->feed_->advance(self->exchange().now())) self->send(std::move(f));
      }
      self->arm_poll();
    });
  }

  // After a client's PING, {"status":"UP"} every 10 s.
  void arm_status() {
    status_armed_ = true;
    status_.expires_after(std::chrono::seconds(10));
    status_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (e || self->closed_) return;
      self->send("{\"status\":\"UP\"}");
      self->arm_status();
    });
  }

  void send(std::string frame) {
    if (closed_) return;
    if (queue_.size() > 100'000) {  // a client that stopped reading
      abort();
      return;
    }
    queue_.push_back(std::move(frame));
    if (!writing_) write_next();
  }

  void write_next() {
    writing_ = true;
    ws_.async_write(net::buffer(queue_.front()), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    writing_ = false;
    if (!queue_.empty()) queue_.pop_front();
    if (ec) {
      closed_ = true;
      cancel_timers();
      return;
    }
    if (!queue_.empty()) {
      write_next();
    } else if (close_after_write_ && !closed_) {
      closed_ = true;
      cancel_timers();
      ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  detail::ServerImpl& server_;
  std::string remaining_req_;
  beast::flat_buffer buffer_;
  net::steady_timer poll_, drop_, status_;
  std::optional<WsFeed> feed_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closed_ = false;
  bool close_after_write_ = false;
  bool status_armed_ = false;
};

// One HTTP/1.1 connection: read a request, answer it, repeat while keep-alive.
class HttpSession : public detail::Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, detail::ServerImpl& server)
      : stream_(std::move(socket)), server_(server), timer_(stream_.get_executor()) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) ip_ = ep.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  void close_now() override {
    beast::error_code e;
    stream_.socket().close(e);
  }

  void run() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::read, shared_from_this())); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(1 << 16);
    stream_.expires_after(std::chrono::milliseconds(server_.options.idle_timeout_ms));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    if (ec) {
      if (ec != beast::error::timeout && ec != net::error::operation_aborted && ec != net::error::connection_reset &&
          ec != net::error::eof) {
        bad_request();
      }
      return;
    }
    auto& req = parser_->get();
    std::string_view target = sv(req.target());
    if (websocket::is_upgrade(req) && target.substr(0, target.find('?')) == "/websocket/v1") {
      upgrade();
      return;
    }
    ApiRequest ar;
    ar.method = sv(req.method_string());
    ar.target = target;
    ar.client_ip = ip_;
    ar.has_origin = req.find(http::field::origin) != req.end();
    reply_ = server_.api.handle(ar);
    keep_alive_ = req.keep_alive();
    if (reply_.delay_ms > 0) {
      timer_.expires_after(std::chrono::milliseconds(reply_.delay_ms));
      timer_.async_wait([self = shared_from_this()](beast::error_code e) {
        if (!e) self->send();
      });
    } else {
      send();
    }
  }

  void upgrade() {
    RestApi& api = server_.api;
    api.stats().count_request("/websocket/v1");
    RateDecision d = api.admit_websocket(ip_);
    if (d.verdict != RateVerdict::kAllowed) {
      api.stats().count_violation();
      api.stats().count_status(429);
      reply_ = ApiResponse{};
      reply_.status = 429;
      reply_.content_type = "text/plain;charset=UTF-8";
      reply_.body = std::string(kMsgTooMany);
      reply_.headers.emplace_back("Remaining-Req", d.remaining_req);
      keep_alive_ = false;
      send();
      return;
    }
    api.stats().count_status(101);
    stream_.expires_never();
    auto ws = std::make_shared<WsSession>(stream_.release_socket(), server_, d.remaining_req);
    server_.track(ws);
    ws->run(parser_->release());
  }

  void bad_request() {
    reply_ = ApiResponse{};
    reply_.status = 400;
    reply_.content_type = "text/plain;charset=UTF-8";
    reply_.body = "Bad Request";
    keep_alive_ = false;
    send();
  }

  void send() {
    if (reply_.reset) {
      send_and_reset();
      return;
    }
    res_ = {};
    res_.version(11);
    res_.result(unsigned(reply_.status));
    res_.set(http::field::date, http_date(server_.api.exchange().now()));
    res_.set(http::field::content_type, reply_.content_type);
    for (const auto& [k, v] : reply_.headers) res_.set(k, v);
    res_.keep_alive(keep_alive_);
    res_.body() = std::move(reply_.body);
    res_.prepare_payload();
    http::async_write(stream_, res_, beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
  }

  // The reset fault: a complete head announcing the whole body, part of the body, then RST.
  void send_and_reset() {
    raw_ = "HTTP/1.1 " + std::to_string(reply_.status) + " OK\r\n";
    raw_ += "Date: " + http_date(server_.api.exchange().now()) + "\r\n";
    raw_ += "Content-Type: " + reply_.content_type + "\r\n";
    for (const auto& [k, v] : reply_.headers) raw_ += k + ": " + v + "\r\n";
    raw_ += "Content-Length: " + std::to_string(reply_.body.size()) + "\r\n\r\n";
    raw_.append(reply_.body, 0, reply_.reset_at);
    net::async_write(stream_, net::buffer(raw_), [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code e;
      self->stream_.socket().set_option(net::socket_base::linger(true, 0), e);
      self->stream_.socket().close(e);
    });
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec) return;
    if (!res_.keep_alive()) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    read();
  }

  beast::tcp_stream stream_;
  detail::ServerImpl& server_;
  net::steady_timer timer_;
  std::string ip_ = "unknown";
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  ApiResponse reply_;
  std::string raw_;
  bool keep_alive_ = true;
};

}  // namespace

void detail::ServerImpl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      auto session = std::make_shared<HttpSession>(std::move(socket), *this);
      track(session);
      session->run();
    }
    if (acceptor.is_open()) do_accept();
  });
}

Server::Server(std::shared_ptr<const Exchange> exchange, ServerOptions options)
    : impl_(std::make_unique<detail::ServerImpl>(std::move(exchange), std::move(options))) {}

Server::~Server() { stop(); }

Status Server::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->started) return Status::failed_precondition("the simulator server is already started");
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.bind, ec);
  if (ec) return Status::invalid_argument("bad bind address '" + impl_->options.bind + "': " + ec.message());
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acc.close(ignored);
    return Status::unavailable("cannot listen on " + impl_->options.bind + ":" + std::to_string(impl_->options.port) +
                               ": " + ec.message());
  }
  impl_->port = acc.local_endpoint().port();
  impl_->started = true;
  impl_->do_accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  spdlog::info("simulator listening on {}", base_url());
  return Status::ok();
}

void Server::stop() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  // No handler runs any more: close the listener and every open connection from here, so
  // clients see the server go away now rather than when it is destroyed.
  beast::error_code ec;
  impl_->acceptor.close(ec);
  std::lock_guard clock(impl_->connections_mu);
  for (auto& weak : impl_->connections) {
    if (auto c = weak.lock()) c->close_now();
  }
  impl_->connections.clear();
}

uint16_t Server::port() const { return impl_->port; }

std::string Server::base_url() const {
  std::string host = impl_->options.bind;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port);
}

StatsSnapshot Server::stats() const { return impl_->api.stats().snapshot(); }
RestApi& Server::api() { return impl_->api; }
const Exchange& Server::exchange() const { return impl_->api.exchange(); }

}  // namespace ck::sim
