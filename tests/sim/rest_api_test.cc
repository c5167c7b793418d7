// Conformance of the simulator's REST API with upbit-api.md, called in-process (no sockets).
#include "tools/sim/rest_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "tests/sim/sim_fixture.h"

namespace ck::sim {
namespace {

using nlohmann::json;
using testing::at;
using testing::fixed_now;

const std::regex kRemainingReq("group=([a-z\\-]+); min=([0-9]+); sec=([0-9]+)");

class RestApiTest : public ::testing::Test {
 protected:
  RestApiTest() { options_.rate_limit.per_second = 0; }

  RestApi& api() {
    if (!api_) api_ = std::make_unique<RestApi>(exchange_, options_);
    return *api_;
  }
  ApiResponse get(const std::string& target, const std::string& ip = "127.0.0.1") {
    ApiRequest r;
    r.target = target;
    r.client_ip = ip;
    return api().handle(r);
  }
  json get_json(const std::string& target) {
    ApiResponse r = get(target);
    EXPECT_EQ(r.status, 200) << target << " " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(fixed_now());
  std::shared_ptr<Exchange> exchange_ = testing::manual_exchange(clock_);
  ApiOptions options_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(RestApiTest, CandleAnswersCarryUpbitsHeaders) {
  ApiResponse r = get("/v1/candles/minutes/1?market=KRW-BTC&count=3");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json;charset=UTF-8");
  EXPECT_TRUE(std::regex_match(std::string(r.header("remaining-req")), kRemainingReq));
  EXPECT_TRUE(std::string(r.header("Remaining-Req")).starts_with("group=candles; min=600; sec="));
  EXPECT_EQ(r.header("Limit-By-Ip"), "Yes");
  EXPECT_EQ(r.header("Cache-Control"), "no-cache, no-store, max-age=0, must-revalidate");
  EXPECT_TRUE(std::string(r.header("ETag")).starts_with("W/\""));
}

TEST_F(RestApiTest, CandlesAreNewestFirstAndIncludeTheOpenMinute) {
  json j = get_json("/v1/candles/minutes/1?market=KRW-BTC&count=5");
  ASSERT_EQ(j.size(), 5u);
  EXPECT_EQ(j[0]["candle_date_time_utc"], "2025-07-30T12:34:00");  // the minute now is in
  for (size_t i = 1; i < j.size(); ++i) {
    EXPECT_LT(j[i]["candle_date_time_utc"].get<std::string>(), j[i - 1]["candle_date_time_utc"].get<std::string>());
  }
  EXPECT_LE(j[0]["timestamp"].get<int64_t>(), fixed_now());
}

TEST_F(RestApiTest, CountDefaultsToOne) {
  EXPECT_EQ(get_json("/v1/candles/minutes/1?market=KRW-BTC").size(), 1u);
  EXPECT_EQ(get_json("/v1/candles/days?market=KRW-BTC").size(), 1u);
}

TEST_F(RestApiTest, CountAbove200IsSilentlyCutTo200) {
  for (const char* c : {"201", "250", "1000", "99999999999999999999"}) {
    ApiResponse r = get(std::string("/v1/candles/minutes/1?market=KRW-BTC&count=") + c);
    EXPECT_EQ(r.status, 200) << c;
    EXPECT_EQ(json::parse(r.body).size(), 200u) << c;
  }
}

TEST_F(RestApiTest, ParameterErrorsUseUpbitsBodies) {
  struct Case {
    const char* target;
    int status;
    const char* body;
  };
  const Case cases[] = {
      {"/v1/candles/minutes/1?count=2", 400,
       R"({"error":{"name":400,"message":"Missing request parameter error. Check the required parameters!"}})"},
      {"/v1/candles/minutes/1?market=KRW-NOPE", 404, R"({"error":{"name":404,"message":"Code not found"}})"},
      {"/v1/candles/minutes/1?market=krw-btc", 404, R"({"error":{"name":404,"message":"Code not found"}})"},
      {"/v1/candles/minutes/1?market=KRW-BTC&count=abc", 400,
       R"({"error":{"name":400,"message":"Type mismatch error. Check the parameters type!"}})"},
      {"/v1/candles/minutes/1?market=KRW-BTC&count=0", 400,
       R"({"error":{"name":400,"message":"Invalid parameter. Check the given value!"}})"},
      {"/v1/candles/minutes/1?market=KRW-BTC&count=-5", 400,
       R"({"error":{"name":400,"message":"Invalid parameter. Check the given value!"}})"},
      {"/v1/candles/minutes/1?market=KRW-BTC&to=2020-10-10", 400,
       R"({"error":{"name":400,"message":"Invalid parameter. Check the given value!"}})"},
      {"/v1/candles/minutes/1?market=KRW-BTC&to=2025-07-30T00:00:00+09:00", 400,
       R"({"error":{"name":400,"message":"Invalid parameter. Check the given value!"}})"},
      {"/v1/candles/minutes/2?market=KRW-BTC", 400,
       R"({"error":{"name":400,"message":"Invalid parameter. Check the given value!"}})"},
      {"/v1/candles/minutes/abc?market=KRW-BTC", 400,
       R"({"error":{"name":400,"message":"Type mismatch error. Check the parameters type!"}})"},
      {"/v1/candles/days?market=KRW-BTC&converting_price_unit=USD", 400,
       R"({"error":{"name":400,"message":"Invalid parameter. Check the given value!"}})"},
  };
  for (const Case& c : cases) {
    ApiResponse r = get(c.target);
    EXPECT_EQ(r.status, c.status) << c.target;
    EXPECT_EQ(r.body, c.body) << c.target;
    EXPECT_TRUE(std::regex_match(std::string(r.header("Remaining-Req")), kRemainingReq)) << c.target;
  }
}

TEST_F(RestApiTest, UnknownRoutesAre404WithoutRemainingReq) {
  for (const char* t : {"/v1/nope", "/v1/candles/hours?market=KRW-BTC", "/", "/v1/candles/minutes/"}) {
    ApiResponse r = get(t);
    EXPECT_EQ(r.status, 404) << t;
    EXPECT_EQ(r.body, R"({"error":{"name":"not_found","message":"no Route matched with those values"}})") << t;
    EXPECT_EQ(r.header("Remaining-Req"), "") << t;
  }
  ApiRequest post;
  post.method = "POST";
  post.target = "/v1/candles/minutes/1?market=KRW-BTC";
  EXPECT_EQ(api().handle(post).status, 404);
}

TEST_F(RestApiTest, EveryToFormSelectsTheSameCandles) {
  const std::string base = "/v1/candles/minutes/1?market=KRW-ETH&count=7&to=";
  std::string expected = get(base + "2025-07-30T03:00:00Z").body;
  ASSERT_EQ(json::parse(expected)[0]["candle_date_time_utc"], "2025-07-30T02:59:00");
  for (const char* to : {"2025-07-30T03%3A00%3A00Z", "2025-07-30T03:00:00.000Z", "2025-07-30T03:00:00",
                         "2025-07-30%2003:00:00", "2025-07-30+03%3A00%3A00", "2025-07-30T12%3A00%3A00%2B09%3A00",
                         "2025-07-30T12:00:00%2B09:00"}) {
    EXPECT_EQ(get(base + to).body, expected) << to;
  }
}

TEST_F(RestApiTest, ToInTheFutureIsLikeNoTo) {
  EXPECT_EQ(get("/v1/candles/minutes/1?market=KRW-BTC&count=3&to=2030-01-01T00:00:00Z").body,
            get("/v1/candles/minutes/1?market=KRW-BTC&count=3").body);
}

TEST_F(RestApiTest, ToBeforeTheListingGivesAnEmptyArray) {
  EXPECT_EQ(get("/v1/candles/minutes/1?market=KRW-BTC&to=2020-01-01T00:00:00Z").body, "[]");
}

TEST_F(RestApiTest, KstFieldsAreUtcPlusNineHours) {
  json j = get_json("/v1/candles/minutes/60?market=KRW-BTC&count=24");
  for (const auto& c : j) {
    Timestamp utc = at((c["candle_date_time_utc"].get<std::string>() + "Z").c_str());
    Timestamp kst = at((c["candle_date_time_kst"].get<std::string>() + "Z").c_str());
    EXPECT_EQ(kst - utc, 9 * kHourMs);
  }
}

TEST_F(RestApiTest, PagingLikePyupbitReproducesSimTruthWithoutDuplicatesOrHoles) {
  for (const char* unit : {"1", "5", "240"}) {
    std::vector<json> paged;
    std::set<std::string> seen;
    std::string to;
    for (int page = 0; page < 200; ++page) {
      std::string target = std::string("/v1/candles/minutes/") + unit + "?market=KRW-SOL&count=200";
      if (!to.empty()) target += "&to=" + to;
      json j = get_json(target);
      if (j.empty()) break;
      for (const auto& c : j) {
        ASSERT_TRUE(seen.insert(c["candle_date_time_utc"].get<std::string>()).second) << "duplicate";
        paged.push_back(c);
      }
      // The oldest row's UTC start as a naive UTC string, space encoded as '+', like pyupbit.
      std::string oldest = j.back()["candle_date_time_utc"];
      oldest[10] = '+';
      to = oldest;
    }
    std::reverse(paged.begin(), paged.end());
    json truth = get_json(std::string("/sim/truth?market=KRW-SOL&unit=") + unit);
    ASSERT_EQ(paged.size(), truth.size()) << unit;
    for (size_t i = 0; i < truth.size(); ++i) ASSERT_EQ(paged[i], truth[i]) << unit << " row " << i;
  }
}

TEST_F(RestApiTest, DayWeekMonthYearAndSecondEndpointsAnswer) {
  json days = get_json("/v1/candles/days?market=KRW-BTC&count=3&converting_price_unit=KRW");
  ASSERT_EQ(days.size(), 3u);
  EXPECT_TRUE(days[0].contains("converted_trade_price"));
  EXPECT_EQ(days[0]["prev_closing_price"], days[1]["trade_price"]);
  EXPECT_TRUE(get_json("/v1/candles/days?market=KRW-BTC&convertingPriceUnit=KRW")[0].contains("converted_trade_price"));
  EXPECT_EQ(get_json("/v1/candles/weeks?market=KRW-BTC")[0]["first_day_of_period"], "2025-07-28");
  EXPECT_EQ(get_json("/v1/candles/months?market=KRW-BTC")[0]["first_day_of_period"], "2025-07-01");
  EXPECT_EQ(get_json("/v1/candles/years?market=KRW-BTC")[0]["first_day_of_period"], "2025-01-01");
  json secs = get_json("/v1/candles/seconds?market=KRW-BTC&count=10");
  ASSERT_EQ(secs.size(), 10u);
  EXPECT_FALSE(secs[0].contains("unit"));
  EXPECT_EQ(secs[0]["candle_date_time_utc"].get<std::string>().substr(0, 16), "2025-07-30T12:34");
}

TEST_F(RestApiTest, SecondsAreServedForTheLastThreeMonthsOnly) {
  EXPECT_EQ(get("/v1/candles/seconds?market=KRW-BTC&to=2025-04-01T00:00:00Z").body, "[]");
}

TEST_F(RestApiTest, TheEleventhCandleRequestInASecondIs429) {
  options_.rate_limit.per_second = 10;
  for (int i = 0; i < 10; ++i) {
    ApiResponse r = get("/v1/candles/minutes/1?market=KRW-BTC");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Remaining-Req"), "group=candles; min=600; sec=" + std::to_string(9 - i));
  }
  ApiResponse over = get("/v1/candles/days?market=KRW-BTC");  // the budget is shared by every candle endpoint
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.body, "Too many API requests.");
  EXPECT_EQ(over.header("Remaining-Req"), "group=candles; min=600; sec=0");
  EXPECT_EQ(get("/v1/ticker?markets=KRW-BTC").status, 200);  // another group
  EXPECT_EQ(get("/v1/candles/days?market=KRW-BTC", "10.0.0.2").status, 200);  // another IP
  clock_->advance_ms(1000);
  EXPECT_EQ(get("/v1/candles/days?market=KRW-BTC").status, 200);
  EXPECT_EQ(api().stats().snapshot().rate_limit_violations, 1u);
}

TEST_F(RestApiTest, RequestsWithAnOriginHeaderUseTheOriginGroup) {
  options_.rate_limit.per_second = 10;
  ApiRequest r;
  r.target = "/v1/candles/minutes/1?market=KRW-BTC";
  r.has_origin = true;
  ApiResponse first = api().handle(r);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("Remaining-Req"), "group=origin; min=6; sec=0");
  EXPECT_EQ(api().handle(r).status, 429);
  EXPECT_EQ(get("/v1/candles/minutes/1?market=KRW-BTC").status, 200);  // without Origin: the candles budget
  clock_->advance_ms(10'000);
  EXPECT_EQ(api().handle(r).status, 200);
}

TEST_F(RestApiTest, IgnoringThe429sLeadsTo418) {
  options_.rate_limit.per_second = 10;
  options_.rate_limit.ban_after = 5;
  options_.rate_limit.first_block_ms = 30'000;
  int last = 0;
  for (int i = 0; i < 15; ++i) last = get("/v1/candles/minutes/1?market=KRW-BTC").status;
  EXPECT_EQ(last, 418);
  clock_->advance_ms(5000);
  ApiResponse blocked = get("/v1/market/all");
  EXPECT_EQ(blocked.status, 418);
  auto j = json::parse(blocked.body);
  EXPECT_EQ(j["error"]["name"], 418);
  EXPECT_NE(j["error"]["message"].get<std::string>().find("25 seconds"), std::string::npos) << blocked.body;
  clock_->advance_ms(25'000);
  EXPECT_EQ(get("/v1/market/all").status, 200);
}

TEST_F(RestApiTest, TickerAnswersForTheRequestedMarkets) {
  json j = get_json("/v1/ticker?markets=KRW-ETH,KRW-BTC");
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["market"], "KRW-ETH");
  EXPECT_EQ(j[1]["market"], "KRW-BTC");
  auto minute = get_json("/v1/candles/minutes/1?market=KRW-BTC");
  EXPECT_EQ(j[1]["trade_price"], minute[0]["trade_price"]);
  EXPECT_EQ(j[1]["trade_timestamp"], minute[0]["timestamp"]);
  EXPECT_EQ(get("/v1/ticker?markets=KRW-BTC,KRW-NOPE").status, 404);
  EXPECT_EQ(get("/v1/ticker").status, 400);
  ApiResponse r = get("/v1/ticker?markets=KRW-BTC");
  EXPECT_TRUE(std::string(r.header("Remaining-Req")).starts_with("group=ticker; min=600; sec="));
}

TEST_F(RestApiTest, TickerAllListsEveryKrwMarket) {
  EXPECT_EQ(get_json("/v1/ticker/all?quote_currencies=KRW").size(), exchange_->markets().size());
  EXPECT_EQ(get_json("/v1/ticker/all?quote_currencies=BTC").size(), 0u);
  EXPECT_EQ(get("/v1/ticker/all").status, 400);
}

TEST_F(RestApiTest, MarketAllListsTheMarketsWithOptionalDetails) {
  json plain = get_json("/v1/market/all");
  ASSERT_EQ(plain.size(), exchange_->markets().size());
  EXPECT_EQ(plain[0], json::parse(R"({"market":"KRW-BTC","korean_name":"비트코인","english_name":"Bitcoin"})"));
  json details = get_json("/v1/market/all?is_details=true");
  EXPECT_EQ(details[0]["market_event"]["warning"], false);
  EXPECT_EQ(details[0]["market_event"]["caution"].size(), 5u);
  EXPECT_TRUE(get_json("/v1/market/all?isDetails=true")[0].contains("market_event"));
  ApiResponse r = get("/v1/market/all");
  EXPECT_TRUE(std::string(r.header("Remaining-Req")).starts_with("group=market; min=600; sec="));
}

TEST_F(RestApiTest, FiveXxFaultsAreCounted) {
  options_.faults.error_5xx = 1.0;
  ApiResponse r = get("/v1/candles/minutes/1?market=KRW-BTC");
  EXPECT_GE(r.status, 500);
  EXPECT_EQ(api().stats().snapshot().fault_count(kFault5xx), 1u);
  EXPECT_EQ(api().stats().snapshot().status_count(r.status), 1u);
}

TEST_F(RestApiTest, MalformedBodiesDoNotParseAndAreCounted) {
  options_.faults.malformed = 1.0;
  for (int i = 0; i < 20; ++i) {
    ApiResponse r = get("/v1/candles/minutes/1?market=KRW-BTC&count=50");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(json::parse(r.body, nullptr, false).is_discarded()) << r.body;
  }
  EXPECT_EQ(api().stats().snapshot().fault_count(kFaultMalformed), 20u);
}

TEST_F(RestApiTest, StormsAnswer429AndAreCountedAsFaults) {
  options_.faults.storm_429 = 1.0;
  EXPECT_EQ(get("/v1/candles/minutes/1?market=KRW-BTC").status, 429);
  auto s = api().stats().snapshot();
  EXPECT_EQ(s.fault_count(kFault429Storm), 1u);
  EXPECT_EQ(s.rate_limit_violations, 0u);
}

TEST_F(RestApiTest, ResetAndLatencyFaultsAreHandedToTheTransport) {
  options_.faults.reset = 1.0;
  options_.faults.latency_ms = 5;
  ApiResponse r = get("/v1/candles/minutes/1?market=KRW-BTC&count=100");
  EXPECT_TRUE(r.reset);
  EXPECT_LT(r.reset_at, r.body.size());
  EXPECT_GE(r.delay_ms, 1);
  auto s = api().stats().snapshot();
  EXPECT_EQ(s.fault_count(kFaultReset), 1u);
  EXPECT_EQ(s.fault_count(kFaultLatency), 1u);
}

TEST_F(RestApiTest, StatsCountPathsStatusesAndCandlesButNotSimRoutes) {
  (void)get("/v1/candles/minutes/1?market=KRW-BTC&count=200");
  (void)get("/v1/candles/minutes/1?market=KRW-BTC&count=20");
  (void)get("/v1/nope");
  (void)get("/sim/truth?market=KRW-BTC&unit=days");
  json s = get_json("/sim/stats");
  EXPECT_EQ(s["requests"]["/v1/candles/minutes/1"], 2);
  EXPECT_EQ(s["requests"]["/v1/nope"], 1);
  EXPECT_FALSE(s["requests"].contains("/sim/truth"));
  EXPECT_FALSE(s["requests"].contains("/sim/stats"));
  EXPECT_EQ(s["status"]["200"], 2);
  EXPECT_EQ(s["status"]["404"], 1);
  EXPECT_EQ(s["candles_served"], 220);
  EXPECT_EQ(s["rate_limit_violations"], 0);
}

TEST_F(RestApiTest, SimTruthServesARangeOldestFirstWithoutALimit) {
  json j = get_json("/sim/truth?market=KRW-BTC&from=2025-07-29T00:00:00Z&to=2025-07-30T00:00:00Z");
  ASSERT_EQ(j.size(), 1440u);
  EXPECT_EQ(j[0]["candle_date_time_utc"], "2025-07-29T00:00:00");
  EXPECT_EQ(j[1439]["candle_date_time_utc"], "2025-07-29T23:59:00");
  json h = get_json("/sim/truth?market=KRW-BTC&unit=60&from=2025-07-29T00:00:00Z&to=2025-07-30T00:00:00Z");
  EXPECT_EQ(h.size(), 24u);
  EXPECT_EQ(h[0]["unit"], 60);
  EXPECT_EQ(get("/sim/truth?market=KRW-NOPE").status, 404);
  EXPECT_EQ(get("/sim/truth?market=KRW-BTC&unit=7").status, 400);
  EXPECT_EQ(get("/sim/nope").status, 404);
}

TEST_F(RestApiTest, TheSameSeedGivesByteIdenticalAnswers) {
  RestApi other(testing::small_exchange(), options_);
  for (const char* t : {"/v1/candles/minutes/1?market=KRW-BTC&count=200", "/v1/candles/minutes/15?market=KRW-DOGE&count=200",
                        "/v1/candles/days?market=KRW-XRP&count=10", "/v1/candles/weeks?market=KRW-SOL&count=3",
                        "/v1/ticker?markets=KRW-BTC,KRW-ETH", "/v1/market/all?is_details=true",
                        "/sim/truth?market=KRW-ADA&unit=240"}) {
    ApiRequest r;
    r.target = t;
    EXPECT_EQ(api().handle(r).body, other.handle(r).body) << t;
  }
}

}  // namespace
}  // namespace ck::sim
