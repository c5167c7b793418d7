#include "tools/sim/ws_feed.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/sim/sim_fixture.h"

namespace ck::sim {
namespace {

using nlohmann::json;
using testing::at;
using testing::fixed_now;

class WsFeedTest : public ::testing::Test {
 protected:
  std::shared_ptr<Exchange> ex_ = testing::small_exchange();

  WsFeed feed(const std::string& message, Timestamp now) {
    auto parsed = parse_ws_subscription(message, *ex_, now);
    EXPECT_TRUE(std::holds_alternative<WsSubscription>(parsed)) << message;
    return WsFeed(*ex_, std::get<WsSubscription>(parsed), now);
  }
  std::string error_name(const std::string& message) {
    auto parsed = parse_ws_subscription(message, *ex_, fixed_now());
    if (auto* e = std::get_if<WsError>(&parsed)) return e->name;
    return "";
  }
};

TEST_F(WsFeedTest, SubscriptionErrorsHaveUpbitsNames) {
  EXPECT_EQ(error_name("hello"), "WRONG_FORMAT");
  EXPECT_EQ(error_name(R"({"ticket":"x"})"), "WRONG_FORMAT");
  EXPECT_EQ(error_name(R"([{"type":"ticker","codes":["KRW-BTC"]}])"), "NO_TICKET");
  EXPECT_EQ(error_name(R"([{"ticket":"x"}])"), "NO_TYPE");
  EXPECT_EQ(error_name(R"([{"ticket":"x"},{"type":"ticker"}])"), "NO_CODES");
  EXPECT_EQ(error_name(R"([{"ticket":"x"},{"type":"nope","codes":["KRW-BTC"]}])"), "INVALID_PARAM");
  auto parsed = parse_ws_subscription(R"([{"ticket":"x"},{"type":"nope","codes":["KRW-BTC"]}])", *ex_, fixed_now());
  EXPECT_EQ(std::get<WsError>(parsed).json(),
            R"({"error":{"name":"INVALID_PARAM","message":"nope 은 지원하지 않는 타입입니다."}})");
}

TEST_F(WsFeedTest, LowerCaseAndUnknownCodesAreSilentlyIgnored) {
  auto parsed = parse_ws_subscription(R"([{"ticket":"x"},{"type":"trade","codes":["krw-btc","KRW-NOPE","KRW-ETH"]}])",
                                      *ex_, fixed_now());
  auto& sub = std::get<WsSubscription>(parsed);
  ASSERT_EQ(sub.types.size(), 1u);
  EXPECT_EQ(sub.types[0].markets, std::vector<int>{1});
}

TEST_F(WsFeedTest, SnapshotSendsTheCurrentStateOnce) {
  WsFeed f = feed(R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]},{"type":"trade","codes":["KRW-BTC"]},)"
                  R"({"type":"candle.1m","codes":["KRW-BTC"]}])",
                  fixed_now());
  auto frames = f.snapshot();
  ASSERT_EQ(frames.size(), 3u);
  json ticker = json::parse(frames[0]), trade = json::parse(frames[1]), candle = json::parse(frames[2]);
  EXPECT_EQ(ticker["type"], "ticker");
  EXPECT_EQ(ticker["code"], "KRW-BTC");
  EXPECT_EQ(ticker["stream_type"], "SNAPSHOT");
  EXPECT_EQ(trade["type"], "trade");
  EXPECT_EQ(trade["trade_price"], ticker["trade_price"]);
  EXPECT_EQ(candle["type"], "candle.1m");
  EXPECT_EQ(candle["candle_date_time_utc"], "2025-07-30T12:34:00");
  EXPECT_EQ(candle["trade_price"], ticker["trade_price"]);
}

TEST_F(WsFeedTest, RealtimeTradesAreExactlyTheExchangesTrades) {
  WsFeed f = feed(R"([{"ticket":"t"},{"type":"trade","codes":["KRW-ETH"],"is_only_realtime":true}])", fixed_now());
  EXPECT_TRUE(f.snapshot().empty());
  Timestamp later = fixed_now() + 3 * kMinuteMs;
  // A second exchange whose now is later sees the trades the feed must report.
  ExchangeOptions o = testing::small_options();
  o.start_now = later;
  Exchange future(o);
  auto expected = future.trades(1, fixed_now(), later, later);
  WsFeed g(future, std::get<WsSubscription>(parse_ws_subscription(
                       R"([{"ticket":"t"},{"type":"trade","codes":["KRW-ETH"],"is_only_realtime":true}])", future,
                       fixed_now())),
           fixed_now());
  auto frames = g.advance(later);
  ASSERT_EQ(frames.size(), expected.size());
  ASSERT_FALSE(frames.empty());
  for (size_t i = 0; i < frames.size(); ++i) {
    json j = json::parse(frames[i]);
    EXPECT_EQ(j["stream_type"], "REALTIME");
    EXPECT_EQ(j["trade_timestamp"], expected[i].time);
    EXPECT_EQ(j["sequential_id"], expected[i].sequential_id);
    EXPECT_EQ(j["trade_price"].get<double>(), expected[i].price);
  }
  EXPECT_TRUE(g.advance(later).empty());  // nothing new
}

TEST_F(WsFeedTest, CandlesArePushedAtMostOncePerSecondAndTheLastOneWins) {
  auto clock = std::make_shared<ManualClock>(fixed_now());
  auto ex = testing::manual_exchange(clock);
  auto parsed = parse_ws_subscription(R"([{"ticket":"t"},{"type":"candle.1m","codes":["KRW-BTC"]}])", *ex, ex->now());
  WsFeed f(*ex, std::get<WsSubscription>(parsed), ex->now());
  std::vector<json> pushed;
  for (auto& s : f.snapshot()) pushed.push_back(json::parse(s));
  int steps_with_frames = 0;
  while (ex->now() < at("2025-07-30T12:36:03Z")) {  // ~66 s in 100 ms steps
    clock->advance_ms(100);
    auto frames = f.advance(ex->now());
    if (!frames.empty()) ++steps_with_frames;
    for (auto& s : frames) pushed.push_back(json::parse(s));
  }
  ASSERT_FALSE(pushed.empty());
  EXPECT_LE(steps_with_frames, 67);  // at most one push per simulated second
  // The last frame of each closed minute carries that minute's final values (last one wins).
  for (const char* minute : {"2025-07-30T12:34:00", "2025-07-30T12:35:00"}) {
    json last;
    for (auto& p : pushed) {
      if (p["candle_date_time_utc"] == minute) last = p;
    }
    ASSERT_FALSE(last.is_null()) << minute;
    Timestamp start = at((std::string(minute) + "Z").c_str());
    auto closed = ex->range(0, CandleUnit::minute(1), start, start + kMinuteMs, ex->now());
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(last["trade_price"].get<double>(), closed[0].close) << minute;
    EXPECT_EQ(last["high_price"].get<double>(), closed[0].high) << minute;
    EXPECT_EQ(last["candle_acc_trade_volume"].get<double>(), closed[0].volume()) << minute;
    EXPECT_EQ(last["timestamp"].get<int64_t>(), closed[0].last_trade) << minute;
  }
}

TEST_F(WsFeedTest, SimpleFormatUsesAbbreviatedKeys) {
  WsFeed f = feed(R"([{"ticket":"t"},{"type":"candle.5m","codes":["KRW-BTC"]},{"format":"SIMPLE"}])", fixed_now());
  json j = json::parse(f.snapshot().at(0));
  for (const char* k : {"ty", "cd", "cdttmu", "cdttmk", "op", "hp", "lp", "tp", "catv", "catp", "tms", "st"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["ty"], "candle.5m");
}

TEST_F(WsFeedTest, ListFormatsBundleTheFramesOfAStep) {
  WsFeed f = feed(R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC","KRW-ETH"]},{"format":"JSON_LIST"}])",
                  fixed_now());
  auto frames = f.snapshot();
  ASSERT_EQ(frames.size(), 1u);
  json j = json::parse(frames[0]);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), 2u);
}

TEST_F(WsFeedTest, OnlySnapshotSendsNothingLater) {
  auto clock = std::make_shared<ManualClock>(fixed_now());
  auto ex = testing::manual_exchange(clock);
  auto parsed = parse_ws_subscription(R"([{"ticket":"t"},{"type":"trade","codes":["KRW-BTC"],"is_only_snapshot":true}])",
                                      *ex, ex->now());
  WsFeed f(*ex, std::get<WsSubscription>(parsed), ex->now());
  EXPECT_EQ(f.snapshot().size(), 1u);
  clock->advance_ms(60'000);
  EXPECT_TRUE(f.advance(ex->now()).empty());
}

}  // namespace
}  // namespace ck::sim
