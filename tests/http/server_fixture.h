#pragma once
// A running API server over a small store, for the tests: two markets (KRW-BTC, KRW-ETH) with two
// days of 1-minute candles collected from a fake exchange, a manual clock, and a hand-driven live
// feed. Tests talk to it over loopback with tests/http/test_client.h.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>

#include "engine/engine.h"
#include "tests/http/test_client.h"
#include "tests/support/fake_candle_source.h"
#include "tests/support/temp_dir.h"
#include "tools/http/server.h"

namespace ck::testing {

inline constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z

// A MinuteFeed the test drives by hand.
class FakeFeed final : public MinuteFeed {
 public:
  Status start(const std::vector<std::string>& markets, MinuteFeedCallbacks cb) override {
    std::lock_guard lock(mu);
    this->markets = markets;
    callbacks = std::move(cb);
    return Status::ok();
  }
  void stop() override {}
  // Calls the hub without holding `mu`: the hub calls start() under its own lock.
  void push(const std::string& market, const Candle& c) {
    std::function<void(const MinuteUpdate&)> on_update;
    {
      std::lock_guard lock(mu);
      on_update = callbacks.on_update;
    }
    if (on_update) on_update(MinuteUpdate{market, c, 1});
  }
  std::mutex mu;
  std::vector<std::string> markets;
  MinuteFeedCallbacks callbacks;
};

class ServerFixture : public ::testing::Test {
 protected:
  // Override to change the server's options before it starts.
  virtual void configure(http::ServerOptions&) {}

  void SetUp() override {
    source->add_market("KRW-BTC", btc);
    source->add_market("KRW-ETH", make_minutes({kDay0, kDay0 + 2 * kDayMs}, 0.7, 8, 4'000'000));
    source->add_market("KRW-XRP", make_minutes({kDay0, kDay0 + 2 * kDayMs}, 0.5, 9, 800));
    EngineOptions o;
    o.data_dir = dir.path();
    o.clock = clock;
    o.source = source;
    o.requests_per_second = 0;
    o.live_feed_factory = [this] {
      auto f = std::make_unique<FakeFeed>();
      std::lock_guard lock(feed_mu);
      feed = f.get();
      return f;
    };
    engine = std::move(Engine::open(o)).value();
    auto run = engine->sync({"KRW-BTC", "KRW-ETH"}, {kDay0, kDay0 + 2 * kDayMs});
    ASSERT_TRUE(run) << run.status().to_string();
    http::ServerOptions so;
    so.port = 0;
    configure(so);
    server = std::make_unique<http::Server>(*engine, so);
    ASSERT_TRUE(server->start().is_ok());
    client = std::make_unique<ApiClient>(server->port());
  }

  void TearDown() override {
    client.reset();
    if (server) server->stop();
    server.reset();
    engine.reset();
  }

  uint16_t port() const { return server->port(); }
  FakeFeed* live_feed() {
    std::lock_guard lock(feed_mu);
    return feed;
  }

  TempDir dir;
  // 2024-06-03T10:00:30Z: both stored days are closed; the live 10:00 minute is open.
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kDay0 + 2 * kDayMs + 10 * kHourMs + 30 * kSecondMs);
  std::shared_ptr<FakeCandleSource> source = std::make_shared<FakeCandleSource>();
  CandleSeries btc = make_minutes({kDay0, kDay0 + 3 * kDayMs}, 0.9, 7);
  std::mutex feed_mu;
  FakeFeed* feed = nullptr;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<ApiClient> client;
};

}  // namespace ck::testing
