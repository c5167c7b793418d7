// The /v1/live WebSocket of the server: subscribe, receive updates, replace, close.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/http/server_fixture.h"

namespace ck::testing {
namespace {

using nlohmann::json;

class LiveServerTest : public ServerFixture {
 protected:
  // The minute at `t` of the fake exchange's KRW-BTC.
  Candle minute(Timestamp t) { return btc[btc.lower_bound(t)]; }
  // Reads messages until one is not {"subscribed"...} or returns it.
  json next(WsClient& ws) {
    auto m = ws.read();
    EXPECT_TRUE(m) << m.status().to_string();
    if (!m) return json();
    return json::parse(*m, nullptr, false);
  }
  // Waits (bounded) for a condition that another thread makes true.
  template <typename F>
  bool eventually(F f) {
    for (int i = 0; i < 1000; ++i) {
      if (f()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return f();
  }
  const Timestamp t10 = kDay0 + 2 * kDayMs + 10 * kHourMs;
};

TEST_F(LiveServerTest, ASubscriptionReceivesCandleUpdates) {
  WsClient ws;
  ASSERT_TRUE(ws.connect(port(), "/v1/live").is_ok());
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW-BTC"], "timeframes": ["15m", "1h"]})").is_ok());
  json ack = next(ws);
  EXPECT_EQ(ack, json::parse(R"({"subscribed": {"markets": ["KRW-BTC"], "timeframes": ["15m", "1h"]}})"));
  ASSERT_NE(live_feed(), nullptr);
  Candle m = minute(t10);
  live_feed()->push("KRW-BTC", m);
  json a = next(ws), b = next(ws);
  EXPECT_EQ(a["market"], "KRW-BTC");
  EXPECT_EQ(a["timeframe"], "15m");
  EXPECT_EQ(b["timeframe"], "1h");
  for (const json& u : {a, b}) {
    EXPECT_EQ(u["time"], "2024-06-03T10:00:00Z");
    EXPECT_EQ(u["open"].get<double>(), m.open);
    EXPECT_EQ(u["high"].get<double>(), m.high);
    EXPECT_EQ(u["low"].get<double>(), m.low);
    EXPECT_EQ(u["close"].get<double>(), m.close);
    EXPECT_EQ(u["volume"].get<double>(), m.volume);
    EXPECT_EQ(u["value"].get<double>(), m.value);
    EXPECT_EQ(u["closed"], false);
  }
}

TEST_F(LiveServerTest, ACandleThatClosesArrivesClosed) {
  WsClient ws;
  ASSERT_TRUE(ws.connect(port(), "/v1/live").is_ok());
  ASSERT_TRUE(ws.send(R"({"markets": "KRW-BTC", "timeframes": "15m"})").is_ok());
  next(ws);
  for (Timestamp t = t10; t <= t10 + 15 * kMinuteMs; t += kMinuteMs) live_feed()->push("KRW-BTC", minute(t));
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    json u = next(ws);
    if (u.is_discarded() || u.is_null()) break;
    if (u["closed"] == true) {
      closed = true;
      EXPECT_EQ(u["time"], "2024-06-03T10:00:00Z");
    }
  }
  EXPECT_TRUE(closed);
}

TEST_F(LiveServerTest, ASecondMessageReplacesTheSubscription) {
  WsClient ws;
  ASSERT_TRUE(ws.connect(port(), "/v1/live").is_ok());
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW-BTC"], "timeframes": ["15m"]})").is_ok());
  next(ws);
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW-ETH"], "timeframes": ["1h"]})").is_ok());
  json ack = next(ws);
  EXPECT_EQ(ack["subscribed"]["markets"], json({"KRW-ETH"}));
  // BTC goes nowhere now; ETH's update is the next message.
  live_feed()->push("KRW-BTC", minute(t10));
  Candle eth{t10, 4'000'000, 4'000'100, 3'999'900, 4'000'050, 1.5, 6'000'075};
  live_feed()->push("KRW-ETH", eth);
  json u = next(ws);
  EXPECT_EQ(u["market"], "KRW-ETH");
  EXPECT_EQ(u["timeframe"], "1h");
  EXPECT_EQ(u["close"].get<double>(), 4'000'050);
  EXPECT_TRUE(eventually([&] { return server->live_subscriptions() == 1; }));
}

TEST_F(LiveServerTest, ABadMessageGetsAnErrorAndTheSocketStaysOpen) {
  WsClient ws;
  ASSERT_TRUE(ws.connect(port(), "/v1/live").is_ok());
  ASSERT_TRUE(ws.send("{not json").is_ok());
  json e = next(ws);
  EXPECT_EQ(e["error"]["name"], "InvalidArgument");
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW-BTC"], "timeframes": ["7m"]})").is_ok());
  e = next(ws);
  EXPECT_EQ(e["error"]["name"], "InvalidArgument");
  EXPECT_NE(e["error"]["message"].get<std::string>().find("7m"), std::string::npos);
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW/BTC"], "timeframes": ["1h"]})").is_ok());
  EXPECT_EQ(next(ws)["error"]["name"], "InvalidArgument");
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW-BTC"], "timeframes": ["1h"]})").is_ok());
  EXPECT_TRUE(next(ws).contains("subscribed"));
}

TEST_F(LiveServerTest, ClosingTheSocketUnsubscribes) {
  WsClient ws;
  ASSERT_TRUE(ws.connect(port(), "/v1/live").is_ok());
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW-BTC"], "timeframes": ["15m"]})").is_ok());
  next(ws);
  EXPECT_EQ(server->live_subscriptions(), 1u);
  EXPECT_EQ(server->metrics().open_websockets(), 1);
  ws.close();
  EXPECT_TRUE(eventually([&] { return server->live_subscriptions() == 0; }));
  EXPECT_TRUE(eventually([&] { return server->metrics().open_websockets() == 0; }));
  live_feed()->push("KRW-BTC", minute(t10));  // delivered to nobody, and nothing breaks
  EXPECT_EQ(client->get("/health")->status, 200);
}

TEST_F(LiveServerTest, StoppingTheServerEndsOpenSubscriptions) {
  WsClient ws;
  ASSERT_TRUE(ws.connect(port(), "/v1/live").is_ok());
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW-BTC"], "timeframes": ["15m"]})").is_ok());
  next(ws);
  server->stop();
  EXPECT_EQ(server->live_subscriptions(), 0u);
  live_feed()->push("KRW-BTC", minute(t10));  // no subscriber posts into the stopped server
}

}  // namespace
}  // namespace ck::testing
