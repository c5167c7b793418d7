#include "tools/http/live_message.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ck::http {
namespace {

TEST(LiveMessage, ParsesArraysAndCommaLists) {
  auto a = parse_live_request(R"({"markets": ["KRW-BTC", "KRW-ETH"], "timeframes": ["1m", "1h"]})");
  ASSERT_TRUE(a) << a.status().to_string();
  EXPECT_EQ(a->markets, (std::vector<std::string>{"KRW-BTC", "KRW-ETH"}));
  EXPECT_EQ(a->timeframes, (std::vector<Timeframe>{Timeframe::minutes(1), Timeframe::hours(1)}));
  auto b = parse_live_request(R"({"markets": "KRW-BTC, KRW-ETH", "timeframes": "1m,60m"})");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->markets, a->markets);
  EXPECT_EQ(b->timeframes, a->timeframes);
}

TEST(LiveMessage, RejectsBadMessages) {
  for (const char* text : {"", "{", "[]", "42", R"({"markets": ["KRW-BTC"]})", R"({"timeframes": ["1m"]})",
                           R"({"markets": [], "timeframes": ["1m"]})", R"({"markets": [1], "timeframes": ["1m"]})",
                           R"({"markets": ["KRW-BTC"], "timeframes": ["2h30m"]})",
                           R"({"markets": ["KRW-BTC"], "timeframes": ["1m"], "extra": 1})"}) {
    auto r = parse_live_request(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(LiveMessage, UpdateJsonHasEveryField) {
  LiveUpdate u{"KRW-BTC", Timeframe::minutes(15), Candle{1717200000000, 1.5, 2, 1, 1.75, 0.1, 0.17}, true, 0};
  EXPECT_EQ(live_update_json(u),
            R"({"market":"KRW-BTC","timeframe":"15m","time":"2024-06-01T00:00:00Z","open":1.5,"high":2,"low":1,)"
            R"("close":1.75,"volume":0.1,"value":0.17,"closed":true})");
}

TEST(LiveMessage, SubscribedJsonNamesWhatWasSubscribed) {
  auto j = nlohmann::json::parse(live_subscribed_json({"KRW-BTC"}, {Timeframe::hours(4)}));
  EXPECT_EQ(j["subscribed"]["markets"], nlohmann::json({"KRW-BTC"}));
  EXPECT_EQ(j["subscribed"]["timeframes"], nlohmann::json({"4h"}));
}

}  // namespace
}  // namespace ck::http
