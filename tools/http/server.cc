#include "tools/http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "engine/version.h"
#include "tools/http/api.h"
#include "tools/http/candles_request.h"
#include "tools/http/live_message.h"
#include "tools/http/query_string.h"

namespace ck::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kWsMessageLimit = 64 * 1024;
constexpr size_t kWsQueueLimit = 10'000;  // frames waiting for a client that stopped reading
constexpr size_t kMaxRefusing = 64;       // refused connections kept open to answer 503 at once
constexpr auto kDrainTime = std::chrono::seconds(2);

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

namespace detail {

struct LiveOutbox;

struct ServerImpl {
  ServerImpl(Engine& e, ServerOptions o)
      : engine(e),
        options(std::move(o)),
        exports(e, ExportJobsOptions{options.exports_dir.empty()
                                         ? (std::filesystem::path(e.options().data_dir) / "exports").string()
                                         : options.exports_dir,
                                     options.max_pending_exports}),
        api(e, exports, metrics, ApiOptions{options.token, options.source_counts, options.candle_cache_bytes}),
        slow(size_t(std::max(1, options.slow_threads))),
        io(std::make_unique<Io>(std::max(1, options.threads))) {}

  void do_accept();

  // Live subscriptions, so stop() can end them while the io_context they post to still exists.
  void add_subscription(const std::shared_ptr<Subscription>& s) {
    std::lock_guard lock(subs_mu);
    subs.insert(s);
  }
  void remove_subscription(const std::shared_ptr<Subscription>& s) {
    std::lock_guard lock(subs_mu);
    subs.erase(s);
  }
  void add_outbox(const std::shared_ptr<LiveOutbox>& o) {
    std::lock_guard lock(subs_mu);
    outboxes.insert(o);
  }
  void remove_outbox(const std::shared_ptr<LiveOutbox>& o) {
    std::lock_guard lock(subs_mu);
    outboxes.erase(o);
  }

  Engine& engine;
  ServerOptions options;
  HttpMetrics metrics;
  ExportJobs exports;
  Api api;
  net::thread_pool slow;
  std::atomic<size_t> refusing{0};
  std::mutex subs_mu;
  std::set<std::shared_ptr<Subscription>> subs;
  std::set<std::shared_ptr<LiveOutbox>> outboxes;
  // The sockets and their handlers. Declared after everything sessions point at, and destroyed by
  // stop() (which closes every connection) or else first.
  struct Io {
    // The acceptor has a strand of its own: its accept handler and stop()'s close never run at once.
    explicit Io(int threads) : ioc(threads), acceptor(net::make_strand(ioc)) {}
    net::io_context ioc;
    tcp::acceptor acceptor;
  };
  std::unique_ptr<Io> io;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::mutex mu;
  bool started = false;
  bool stopped = false;
};

}  // namespace detail

namespace {
class LiveSession;
}

namespace detail {

// Where the live subscriptions of one socket hand their frames: the socket's strand, while it is
// open. Subscription callbacks hold this and not the executor itself, so closing it (the socket
// ended, or the server stops) leaves them nothing that points into the io_context, however long
// the subscriptions live after.
struct LiveOutbox {
  std::mutex mu;
  std::optional<net::any_io_executor> executor;  // guarded by mu
  std::weak_ptr<LiveSession> session;            // guarded by mu

  void post(uint64_t generation, std::string frame);
  void close() {
    std::lock_guard lock(mu);
    executor.reset();
  }
};

}  // namespace detail

namespace {

using detail::LiveOutbox;
using detail::ServerImpl;

// One /v1/live client: reads subscription messages, pushes the engine's candle updates.
class LiveSession : public std::enable_shared_from_this<LiveSession> {
 public:
  LiveSession(tcp::socket&& socket, ServerImpl& server)
      : ws_(std::move(socket)), server_(server), outbox_(std::make_shared<LiveOutbox>()) {
    outbox_->executor = ws_.get_executor();
    server_.add_outbox(outbox_);
    server_.metrics.websocket_opened();
  }
  ~LiveSession() {
    outbox_->close();
    server_.remove_outbox(outbox_);
    release(std::move(sub_));
    server_.metrics.websocket_closed();
    server_.metrics.connection_closed();
  }

  void run(bhttp::request<bhttp::string_body> request) {
    {
      std::lock_guard lock(outbox_->mu);
      outbox_->session = weak_from_this();
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(bhttp::field::server, "candlekeep/" + std::string(engine_version()));
    }));
    ws_.read_message_max(kWsMessageLimit);
    ws_.async_accept(request, beast::bind_front_handler(&LiveSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    ws_.text(true);
    read();
  }

  void read() { ws_.async_read(buffer_, beast::bind_front_handler(&LiveSession::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, size_t) {
    if (ec) {
      // Closed by the client (or broken): unsubscribe now, not when the last handler lets go.
      closed_ = true;
      ++generation_;
      release(std::move(sub_));
      return;
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    subscribe(text);
    read();
  }

  void subscribe(const std::string& text) {
    auto request = parse_live_request(text);
    if (!request) {
      send(error_json(status_code_name(request.status().code()), request.status().message()));
      return;
    }
    // Updates of earlier subscriptions stop counting now; this one's are held until it is active.
    const uint64_t gen = ++generation_;
    pending_.clear();
    std::weak_ptr<LiveSession> weak = weak_from_this();
    auto executor = ws_.get_executor();
    // The warm-up of a subscription reads (and may fetch) history: off the I/O threads.
    net::post(server_.slow, [weak, executor, gen, outbox = outbox_, request = std::move(*request),
                             &server = server_]() mutable {
      std::string spec;
      for (const auto& m : request.markets) spec += (spec.empty() ? "" : ",") + m;
      Result<std::unique_ptr<Subscription>> sub = Status::internal("not subscribed");
      auto markets = server.engine.resolve_markets(spec, false);
      Status names;
      if (markets) {
        for (const std::string& m : *markets) {
          if (names.is_ok()) names = check_market_name(m).with_context("markets");
        }
      }
      if (!markets) {
        sub = markets.status().with_context("markets");
      } else if (!names) {
        sub = names;
      } else {
        request.markets = *markets;
        sub = server.engine.subscribe(request.markets, request.timeframes, [outbox, gen](const LiveUpdate& u) {
          // On the subscription's own thread: hand the frame to the socket's strand and return.
          outbox->post(gen, live_update_json(u));
        });
      }
      std::shared_ptr<Subscription> shared;
      Status status;
      if (sub) {
        shared = std::move(*sub);
        server.add_subscription(shared);
      } else {
        status = sub.status();
      }
      net::post(executor, [weak, gen, shared, status, request = std::move(request), &server]() mutable {
        auto self = weak.lock();
        if (!self) {
          release_from(server, std::move(shared));
          return;
        }
        self->on_subscribed(gen, std::move(shared), status, request);
      });
    });
  }

  void on_subscribed(uint64_t gen, std::shared_ptr<Subscription> sub, const Status& status, const LiveRequest& request) {
    if (closed_ || gen != generation_) {  // replaced (or closed) while it warmed up
      release(std::move(sub));
      return;
    }
    if (!status) {
      pending_.clear();
      send(error_json(status_code_name(status.code()), status.message()));
      return;
    }
    release(std::move(sub_));
    sub_ = std::move(sub);
    active_ = gen;
    send(live_subscribed_json(request.markets, request.timeframes));
    for (std::string& f : pending_) send(std::move(f));
    pending_.clear();
  }

  friend struct detail::LiveOutbox;
  void deliver(uint64_t gen, std::string frame) {
    if (closed_ || gen != generation_) return;
    if (active_ != gen) {
      if (pending_.size() < kWsQueueLimit) pending_.push_back(std::move(frame));
      return;
    }
    send(std::move(frame));
  }

  static void release_from(ServerImpl& server, std::shared_ptr<Subscription> sub) {
    if (!sub) return;
    server.remove_subscription(sub);
    sub->unsubscribe();  // its callback only posts, so this returns at once
  }
  void release(std::shared_ptr<Subscription> sub) { release_from(server_, std::move(sub)); }

  void send(std::string frame) {
    if (closed_) return;
    if (queue_.size() >= kWsQueueLimit) {  // a client that stopped reading
      spdlog::warn("live client stopped reading; closing its WebSocket");
      closed_ = true;
      ++generation_;
      release(std::move(sub_));
      beast::error_code e;
      beast::get_lowest_layer(ws_).socket().close(e);
      return;
    }
    queue_.push_back(std::move(frame));
    if (!writing_) write_next();
  }

  void write_next() {
    writing_ = true;
    ws_.async_write(net::buffer(queue_.front()), beast::bind_front_handler(&LiveSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    writing_ = false;
    if (!queue_.empty()) queue_.pop_front();
    if (ec) {
      closed_ = true;
      ++generation_;
      release(std::move(sub_));
      return;
    }
    if (!queue_.empty()) write_next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  ServerImpl& server_;
  std::shared_ptr<LiveOutbox> outbox_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Subscription> sub_;
  uint64_t generation_ = 0;  // of the newest subscription message
  uint64_t active_ = 0;      // generation of sub_
  std::vector<std::string> pending_;  // updates of the newest subscription before it is active
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace

void detail::LiveOutbox::post(uint64_t generation, std::string frame) {
  std::lock_guard lock(mu);
  if (!executor) return;
  net::post(*executor, [weak = session, generation, frame = std::move(frame)]() mutable {
    if (auto self = weak.lock()) self->deliver(generation, std::move(frame));
  });
}

namespace {

// One HTTP/1.1 connection: read a request, answer it, repeat while keep-alive.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // A `refused` session answers its first request 503 and closes (over the connection limit).
  HttpSession(tcp::socket&& socket, ServerImpl& server, bool refused)
      : stream_(std::move(socket)), server_(server), refused_(refused) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    if (refused_) {
      server_.metrics.connection_refused();
      ++server_.refusing;
    } else {
      server_.metrics.connection_opened();
    }
  }
  ~HttpSession() {
    if (refused_) {
      --server_.refusing;
    } else if (!upgraded_) {
      server_.metrics.connection_closed();  // an upgraded connection is closed by its LiveSession
    }
  }

  void run() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::read, shared_from_this())); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(server_.options.idle_timeout_ms));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, size_t) {
    if (ec) return on_error(ec);
    if (parser_->is_done()) return on_request();
    // curl and others wait for "100 Continue" before sending a larger body.
    auto expect = parser_->get().find(bhttp::field::expect);
    if (expect != parser_->get().end() && iequals(sv(expect->value()), "100-continue")) {
      continue_ = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      bhttp::async_write(stream_, *continue_, [self = shared_from_this()](beast::error_code e, size_t) {
        if (e) return;
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code e, size_t) {
      if (e) return self->on_error(e);
      self->on_request();
    });
  }

  void on_error(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::broken_pipe) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    started_ = std::chrono::steady_clock::now();
    route_ = "unmatched";
    keep_alive_ = false;
    if (ec == bhttp::error::body_limit) {
      send(error_response(413, "PayloadTooLarge",
                          "the request body is larger than " + std::to_string(server_.options.max_body_bytes) + " bytes"));
    } else if (ec == bhttp::error::header_limit) {
      send(error_response(431, "HeadersTooLarge", "the request headers are larger than " + std::to_string(kHeaderLimit) + " bytes"));
    } else {
      send(error_response(400, "BadRequest", "malformed HTTP request: " + ec.message()));
    }
  }

  void on_request() {
    started_ = std::chrono::steady_clock::now();
    auto& req = parser_->get();
    std::string_view target = sv(req.target());
    std::string_view path = split_target(target).path;
    route_ = Api::route_of(path);
    keep_alive_ = req.keep_alive();
    if (refused_) {
      keep_alive_ = false;
      ApiResponse r = error_response(503, "TooManyConnections",
                                     "the server has " + std::to_string(server_.options.max_connections) +
                                         " connections open already; retry shortly");
      r.headers.emplace_back("Retry-After", "1");
      return send(std::move(r));
    }
    auto auth = req.find(bhttp::field::authorization);
    request_ = ApiRequest{sv(req.method_string()), target, auth == req.end() ? std::string_view() : sv(auth->value()),
                          req.body()};
    if (websocket::is_upgrade(req) && path == "/v1/live") {
      if (auto denied = server_.api.check_auth(request_)) return send(std::move(*denied));
      return upgrade();
    }
    if (!Api::is_slow(request_)) return send(server_.api.handle(request_));
    net::post(server_.slow, [self = shared_from_this()] {
      ApiResponse r = self->server_.api.handle(self->request_);
      net::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->send(std::move(r)); });
    });
  }

  void upgrade() {
    server_.metrics.record(route_, 101, seconds_since(started_));
    upgraded_ = true;
    stream_.expires_never();
    std::make_shared<LiveSession>(stream_.release_socket(), server_)->run(parser_->release());
  }

  void send(ApiResponse r) {
    status_ = r.status;
    res_ = {};
    res_.version(11);
    res_.result(unsigned(r.status));
    res_.set(bhttp::field::server, server_name());
    res_.set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res_.set(k, v);
    res_.keep_alive(keep_alive_);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    bhttp::async_write(stream_, res_, beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
  }

  static const std::string& server_name() {
    static const std::string name = "candlekeep/" + std::string(engine_version());
    return name;
  }

  void on_write(beast::error_code ec, size_t) {
    server_.metrics.record(route_, status_, seconds_since(started_));
    if (ec) return;
    if (keep_alive_) return read();
    // A lingering close: stop sending, then read (and drop) what the client still sends for a
    // moment, so closing with unread bytes does not reset the connection before it read our answer.
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kDrainTime);
    drain();
  }

  void drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code e, size_t n) {
      if (e) return;
      self->buffer_.commit(n);
      self->drain();
    });
  }

  beast::tcp_stream stream_;
  ServerImpl& server_;
  const bool refused_;
  bool upgraded_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
  bhttp::response<bhttp::string_body> res_;
  ApiRequest request_;
  std::string_view route_ = "unmatched";
  int status_ = 0;
  bool keep_alive_ = true;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

void detail::ServerImpl::do_accept() {
  io->acceptor.async_accept(net::make_strand(io->ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      bool full = size_t(std::max<int64_t>(0, metrics.open_connections())) >= options.max_connections;
      if (!full) {
        std::make_shared<HttpSession>(std::move(socket), *this, false)->run();
      } else if (refusing < kMaxRefusing) {
        std::make_shared<HttpSession>(std::move(socket), *this, true)->run();
      } else {
        metrics.connection_refused();  // too many even to answer: just close
        beast::error_code ignored;
        socket.close(ignored);
      }
    }
    if (io->acceptor.is_open()) do_accept();
  });
}

Server::Server(Engine& engine, ServerOptions options)
    : impl_(std::make_unique<detail::ServerImpl>(engine, std::move(options))) {}

Server::~Server() { stop(); }

Status Server::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->started) return Status::failed_precondition("the HTTP server is already started");
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.bind, ec);
  if (ec) return Status::invalid_argument("bad bind address '" + impl_->options.bind + "': " + ec.message());
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acc = impl_->io->acceptor;
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
    impl_->threads.emplace_back([this] {
      // A handler that throws must not take the server down: log it and keep serving.
      for (;;) {
        try {
          impl_->io->ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("HTTP server: {}", e.what());
        }
      }
    });
  }
  return Status::ok();
}

void Server::stop() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  net::post(impl_->io->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->io->acceptor.close(ec);
  });
  impl_->io->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  // No handler runs now. Let the slow requests finish (they post into the stopped io_context,
  // which only queues), then end every live subscription before the io_context goes away.
  impl_->slow.join();
  impl_->exports.stop();  // cancels a running export (it removes what it wrote)
  std::set<std::shared_ptr<Subscription>> subs;
  std::set<std::shared_ptr<detail::LiveOutbox>> outboxes;
  {
    std::lock_guard sl(impl_->subs_mu);
    subs.swap(impl_->subs);
    outboxes = impl_->outboxes;
  }
  for (auto& o : outboxes) o->close();
  for (auto& s : subs) s->unsubscribe();
  subs.clear();
  // Now the handlers can go, and with them every connection.
  impl_->io.reset();
}

uint16_t Server::port() const { return impl_->port; }

std::string Server::base_url() const {
  std::string host = impl_->options.bind;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port);
}

size_t Server::live_subscriptions() const {
  std::lock_guard lock(impl_->subs_mu);
  return impl_->subs.size();
}

HttpMetrics& Server::metrics() { return impl_->metrics; }
ExportJobs& Server::exports() { return impl_->exports; }

}  // namespace ck::http
