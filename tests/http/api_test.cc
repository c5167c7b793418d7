// Token authentication, and the routing rules of api.h that hold for every endpoint.
#include "tools/http/api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/http/server_fixture.h"

namespace ck::testing {
namespace {

using nlohmann::json;

class AuthTest : public ServerFixture {
 protected:
  void configure(http::ServerOptions& o) override { o.token = "s3cret-token"; }
  const std::map<std::string, std::string> good = {{"Authorization", "Bearer s3cret-token"}};
};

TEST_F(AuthTest, EveryEndpointButHealthNeedsTheToken) {
  for (const char* target : {"/metrics", "/v1/candles?market=KRW-BTC&timeframe=1h&from=2024-06-01&to=2024-06-02",
                             "/v1/screen?timeframe=1h&bars=5&markets=all", "/v1/markets", "/v1/runs", "/v1/stats",
                             "/v1/exports", "/v1/exports/abc", "/v1/exports/abc/manifest", "/v1/live", "/nope"}) {
    auto r = client->get(target);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << target;
    EXPECT_EQ(json::parse(r->body)["error"]["name"], "Unauthorized") << target;
    EXPECT_EQ(r->header("www-authenticate"), "Bearer realm=\"candlekeep\"");
  }
  auto post = client->request("POST", "/v1/exports", "{}");
  EXPECT_EQ(post->status, 401);
}

TEST_F(AuthTest, HealthNeedsNoToken) { EXPECT_EQ(client->get("/health")->status, 200); }

TEST_F(AuthTest, TheRightTokenPasses) {
  auto r = client->get("/v1/candles?market=KRW-BTC&timeframe=1h&from=2024-06-01&to=2024-06-02", good);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(client->get("/v1/runs", {{"Authorization", "bearer s3cret-token"}})->status, 200);
}

TEST_F(AuthTest, AWrongTokenIs401) {
  for (const char* auth : {"Bearer s3cret-tokeN", "Bearer s3cret-token2", "Bearer ", "Basic czNjcmV0LXRva2Vu",
                           "s3cret-token", "Bearer s3cret"}) {
    auto r = client->get("/v1/runs", {{"Authorization", auth}});
    EXPECT_EQ(r->status, 401) << auth;
  }
}

TEST_F(AuthTest, TheLiveWebSocketNeedsTheToken) {
  WsClient refused;
  EXPECT_FALSE(refused.connect(port(), "/v1/live").is_ok());
  EXPECT_EQ(refused.refused_status, 401);
  WsClient ws;
  ASSERT_TRUE(ws.connect(port(), "/v1/live", good).is_ok());
  ASSERT_TRUE(ws.send(R"({"markets": ["KRW-BTC"], "timeframes": ["1h"]})").is_ok());
  auto ack = ws.read();
  ASSERT_TRUE(ack);
  EXPECT_TRUE(json::parse(*ack).contains("subscribed"));
}

TEST(ApiRoutes, RouteLabelsAreFixedPatterns) {
  EXPECT_EQ(http::Api::route_of("/v1/candles"), "/v1/candles");
  EXPECT_EQ(http::Api::route_of("/v1/exports/abc"), "/v1/exports/{id}");
  EXPECT_EQ(http::Api::route_of("/v1/exports/abc/manifest"), "/v1/exports/{id}/manifest");
  EXPECT_EQ(http::Api::route_of("/v1/exports/abc/other"), "unmatched");
  EXPECT_EQ(http::Api::route_of("/v1/candles/"), "unmatched");
  EXPECT_EQ(http::Api::route_of("/whatever-a-client-sends"), "unmatched");
}

TEST(ApiRoutes, SlowRequestsAreThoseThatMayWait) {
  auto slow = [](const char* method, const char* target) { return http::Api::is_slow({method, target, "", ""}); };
  EXPECT_FALSE(slow("GET", "/v1/candles?market=KRW-BTC&timeframe=1h"));
  EXPECT_FALSE(slow("GET", "/health"));
  EXPECT_TRUE(slow("GET", "/v1/candles?market=KRW-BTC&fetch=true"));
  EXPECT_TRUE(slow("GET", "/v1/screen?timeframe=1h"));
  EXPECT_TRUE(slow("GET", "/v1/markets?source=exchange"));
  EXPECT_TRUE(slow("POST", "/v1/exports"));
}

}  // namespace
}  // namespace ck::testing
