// The simulator on loopback: HTTP keep-alive, headers, per-IP limits, transport faults, WebSocket.
#include "tools/sim/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/sim/http_test_client.h"
#include "tests/sim/sim_fixture.h"

namespace ck::sim {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using ck::testing::HttpTestClient;
using nlohmann::json;
using testing::fixed_now;

class ServerTest : public ::testing::Test {
 protected:
  Server& start() {
    server_ = std::make_unique<Server>(exchange_, options_);
    Status st = server_->start();
    EXPECT_TRUE(st.is_ok()) << st.to_string();
    return *server_;
  }
  ServerTest() { options_.api.rate_limit.per_second = 0; }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(fixed_now());
  std::shared_ptr<Exchange> exchange_ = testing::manual_exchange(clock_);
  ServerOptions options_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, ServesCandlesOnAFreeLoopbackPort) {
  Server& s = start();
  EXPECT_GT(s.port(), 0);
  EXPECT_EQ(s.base_url(), "http://127.0.0.1:" + std::to_string(s.port()));
  HttpTestClient c(s.port());
  auto r = c.get("/v1/candles/minutes/1?market=KRW-BTC&count=200");
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json;charset=UTF-8");
  EXPECT_EQ(r->header("remaining-req"), "group=candles; min=600; sec=9");
  EXPECT_EQ(r->header("limit-by-ip"), "Yes");
  EXPECT_EQ(json::parse(r->body).size(), 200u);
}

TEST_F(ServerTest, TheDateHeaderIsTheSimulatedNow) {
  HttpTestClient c(start().port());
  EXPECT_EQ(c.get("/v1/market/all")->header("date"), "Wed, 30 Jul 2025 12:34:56 GMT");
  clock_->advance_ms(3 * kDayMs);
  EXPECT_EQ(c.get("/v1/market/all")->header("date"), "Sat, 02 Aug 2025 12:34:56 GMT");
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpTestClient c(start().port());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(c.get("/v1/candles/minutes/5?market=KRW-ETH&count=10")->status, 200);
  EXPECT_EQ(c.connections(), 1);
}

TEST_F(ServerTest, EachLoopbackAddressIsItsOwnClientIp) {
  options_.api.rate_limit.per_second = 10;  // the manual clock stands still: one window
  Server& s = start();
  HttpTestClient a(s.port(), "127.0.0.1"), b(s.port(), "127.0.0.2");
  for (int i = 0; i < 10; ++i) ASSERT_EQ(a.get("/v1/candles/days?market=KRW-BTC")->status, 200);
  EXPECT_EQ(a.get("/v1/candles/days?market=KRW-BTC")->status, 429);
  EXPECT_EQ(b.get("/v1/candles/days?market=KRW-BTC")->status, 200);
  EXPECT_EQ(s.stats().rate_limit_violations, 1u);
}

TEST_F(ServerTest, StatsOverHttpMatchTheCppView) {
  Server& s = start();
  HttpTestClient c(s.port());
  (void)c.get("/v1/candles/minutes/1?market=KRW-BTC&count=7");
  (void)c.get("/v1/candles/minutes/1?market=KRW-NOPE");
  json j = json::parse(c.get("/sim/stats")->body);
  EXPECT_EQ(j, json::parse(s.stats().to_json()));
  EXPECT_EQ(j["candles_served"], 7);
  EXPECT_EQ(j["status"]["404"], 1);
}

TEST_F(ServerTest, ConcurrentClientsGetTheSameAnswersAsOneClient) {
  Server& s = start();
  std::vector<std::string> targets;
  for (int m = 0; m < 12; ++m) {
    std::string code = exchange_->markets()[size_t(m)].code;
    targets.push_back("/v1/candles/minutes/1?market=" + code + "&count=200&to=2025-07-2" + std::to_string(m % 9) +
                      "T10:00:00Z");
    targets.push_back("/v1/candles/minutes/15?market=" + code + "&count=200");
    targets.push_back("/v1/candles/days?market=" + code + "&count=5");
  }
  std::vector<std::string> expected;
  for (const auto& t : targets) {
    ApiRequest r;
    r.target = t;
    expected.push_back(s.api().handle(r).body);
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      HttpTestClient c(s.port());
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < targets.size(); ++i) {
          size_t j = (i * 7 + size_t(k) * 5 + size_t(round)) % targets.size();
          auto r = c.get(targets[j]);
          if (!r || r->status != 200 || r->body != expected[j]) ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(ServerTest, AResetFaultCutsTheConnectionMidBody) {
  options_.api.faults.reset = 1.0;
  Server& s = start();
  HttpTestClient c(s.port());
  auto r = c.get("/v1/candles/minutes/1?market=KRW-BTC&count=200");
  EXPECT_FALSE(r);
  EXPECT_EQ(s.stats().fault_count(kFaultReset), 1u);
}

TEST_F(ServerTest, LatencyFaultsStillAnswerAndAreCounted) {
  options_.api.faults.latency_ms = 5;
  Server& s = start();
  HttpTestClient c(s.port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.get("/v1/market/all")->status, 200);
  EXPECT_EQ(s.stats().fault_count(kFaultLatency), 3u);
}

TEST_F(ServerTest, GarbageGets400) {
  Server& s = start();
  net::io_context ioc;
  tcp::socket sock(ioc);
  sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), s.port()));
  net::write(sock, net::buffer(std::string("GARBAGE\r\n\r\n")));
  std::string reply(64, '\0');
  boost::system::error_code ec;
  size_t n = sock.read_some(net::buffer(reply), ec);
  EXPECT_EQ(reply.substr(0, std::min<size_t>(n, 12)), "HTTP/1.1 400");
}

TEST_F(ServerTest, StartFailsWhenThePortIsTaken) {
  Server& s = start();
  ServerOptions o;
  o.port = s.port();
  Server other(exchange_, o);
  Status st = other.start();
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
}

TEST_F(ServerTest, StopIsIdempotent) {
  Server& s = start();
  s.stop();
  s.stop();
  HttpTestClient c(s.port());
  EXPECT_FALSE(c.get("/v1/market/all"));
}

// A WebSocket client with deadlines (a test must fail, not hang).
class WsClient {
 public:
  explicit WsClient(uint16_t port) : ws_(ioc_) {
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type&) {}));
    websocket::response_type res;
    ws_.handshake(res, "127.0.0.1", "/websocket/v1");
    remaining_req_ = std::string(res["Remaining-Req"]);
  }
  void send(const std::string& text) {
    ws_.text(true);
    ws_.write(net::buffer(text));
  }
  // The next frame, or nullopt on timeout / close (error() says which).
  std::optional<std::string> read(int timeout_ms = 5000) {
    beast::flat_buffer buf;
    bool done = false;
    ws_.async_read(buf, [&](beast::error_code ec, size_t) {
      error_ = ec;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(std::chrono::milliseconds(timeout_ms));
    if (!done) {
      beast::get_lowest_layer(ws_).cancel();
      ioc_.restart();
      ioc_.run();
      error_ = net::error::timed_out;
      return std::nullopt;
    }
    if (error_) return std::nullopt;
    last_binary_ = ws_.got_binary();
    return beast::buffers_to_string(buf.data());
  }
  bool last_binary() const { return last_binary_; }
  beast::error_code error() const { return error_; }
  const std::string& remaining_req() const { return remaining_req_; }

 private:
  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::error_code error_;
  bool last_binary_ = false;
  std::string remaining_req_;
};

TEST_F(ServerTest, WebSocketSendsASnapshotThenRealtimeBinaryFrames) {
  Server& s = start();
  WsClient ws(s.port());
  EXPECT_TRUE(ws.remaining_req().starts_with("group=websocket; min=300; sec=")) << ws.remaining_req();
  ws.send(R"([{"ticket":"test"},{"type":"trade","codes":["KRW-BTC"]}])");
  auto snap = ws.read();
  ASSERT_TRUE(snap) << ws.error().message();
  EXPECT_TRUE(ws.last_binary());
  EXPECT_EQ(json::parse(*snap)["stream_type"], "SNAPSHOT");
  clock_->advance_ms(2 * kMinuteMs);
  auto live = ws.read();
  ASSERT_TRUE(live) << ws.error().message();
  json j = json::parse(*live);
  EXPECT_EQ(j["stream_type"], "REALTIME");
  EXPECT_GT(j["trade_timestamp"].get<int64_t>(), fixed_now());
  EXPECT_EQ(s.stats().status_count(101), 1u);
}

TEST_F(ServerTest, ASecondSubscriptionReplacesTheFirst) {
  WsClient ws(start().port());
  ws.send(R"([{"ticket":"a"},{"type":"trade","codes":["KRW-BTC"]}])");
  auto first = ws.read();
  ASSERT_TRUE(first);
  EXPECT_EQ(json::parse(*first)["type"], "trade");
  ws.send(R"([{"ticket":"b"},{"type":"ticker","codes":["KRW-ETH"]}])");
  auto second = ws.read();
  ASSERT_TRUE(second);
  EXPECT_EQ(json::parse(*second)["type"], "ticker");
  EXPECT_EQ(json::parse(*second)["code"], "KRW-ETH");
  clock_->advance_ms(2 * kMinuteMs);
  // Had the trade subscription survived, KRW-BTC's trades would come before KRW-ETH's ticker.
  auto live = ws.read();
  ASSERT_TRUE(live);
  EXPECT_EQ(json::parse(*live)["type"], "ticker");
  EXPECT_EQ(json::parse(*live)["stream_type"], "REALTIME");
}

TEST_F(ServerTest, WebSocketAnswersPingWithStatusUp) {
  WsClient ws(start().port());
  ws.send("PING");
  auto r = ws.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, R"({"status":"UP"})");
}

TEST_F(ServerTest, WebSocketErrorsAreSentThenTheSocketIsClosed) {
  WsClient ws(start().port());
  ws.send(R"([{"type":"ticker","codes":["KRW-BTC"]}])");
  auto r = ws.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(*r)["error"]["name"], "NO_TICKET");
  EXPECT_FALSE(ws.read());
  EXPECT_EQ(ws.error(), websocket::error::closed);
}

TEST_F(ServerTest, TheWebSocketDropFaultCutsWithoutACloseFrame) {
  options_.api.faults.ws_drop_ms = 200;
  Server& s = start();
  WsClient ws(s.port());
  ws.send(R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"],"is_only_snapshot":true}])");
  ASSERT_TRUE(ws.read());
  EXPECT_FALSE(ws.read(5000));
  EXPECT_NE(ws.error(), websocket::error::closed);
  EXPECT_NE(ws.error(), net::error::timed_out);
  EXPECT_EQ(s.stats().fault_count(kFaultWsDrop), 1u);
}

}  // namespace
}  // namespace ck::sim
