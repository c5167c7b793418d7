// The HTTP API over loopback: every endpoint, every error, keep-alive, limits, garbage.
#include "tools/http/server.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "tests/http/server_fixture.h"
#include "timeframe/candle_csv.h"
#include "timeframe/candle_json.h"
#include "tools/http/screen_request.h"

namespace ck::testing {
namespace {

using nlohmann::json;

constexpr const char* kDay0Text = "2024-06-01T00:00:00Z";
const std::string kCandles = "/v1/candles?market=KRW-BTC&timeframe=1h&from=2024-06-01&to=2024-06-03";

// The error body every failure carries: {"error": {"name", "message"}}.
void expect_error(const Result<HttpReply>& r, int status, const std::string& name) {
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->header("content-type"), "application/json");
  json body = json::parse(r->body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r->body;
  ASSERT_TRUE(body.contains("error")) << r->body;
  EXPECT_EQ(body["error"]["name"], name) << r->body;
  EXPECT_TRUE(body["error"]["message"].is_string());
  EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
}

using ServerTest = ServerFixture;

TEST_F(ServerTest, HealthAnswersOk) {
  auto r = client->get("/health");
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["status"], "ok");
}

TEST_F(ServerTest, CandlesCsvIsTheGetFormattingOfTheSameRead) {
  auto r = client->get(kCandles);
  ASSERT_TRUE(r) << r.status().to_string();
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("content-type"), "text/csv; charset=utf-8");
  auto read = engine->get("KRW-BTC", Timeframe::hours(1), {kDay0, kDay0 + 2 * kDayMs});
  ASSERT_TRUE(read);
  ASSERT_EQ(read->candles.size(), 48u);
  EXPECT_EQ(r->body, candles_to_csv(read->candles, read->last_closed));
}

TEST_F(ServerTest, CandlesJsonIsTheGetFormattingOfTheSameRead) {
  auto r = client->get(kCandles + "&format=json&fill=ffill&origin=00:00Z");
  ASSERT_TRUE(r) << r.status().to_string();
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("content-type"), "application/json");
  ReadOptions ro;
  ro.fill = Fill::kForward;
  auto read = engine->get("KRW-BTC", Timeframe::hours(1), {kDay0, kDay0 + 2 * kDayMs}, ro);
  ASSERT_TRUE(read);
  EXPECT_EQ(r->body, candles_to_json(read->candles, read->last_closed));
  EXPECT_EQ(json::parse(r->body).size(), 48u);
}

TEST_F(ServerTest, ARepeatedQuerySeesNewlyStoredCandles) {
  const std::string query = "/v1/candles?market=KRW-BTC&timeframe=1h&from=2024-06-02&to=2024-06-04";
  auto before = client->get(query);
  ASSERT_EQ(before->status, 200);
  EXPECT_EQ(client->get(query)->body, before->body);
  // Day 2 (2024-06-03) is collected now: the same query must show it.
  ASSERT_TRUE(engine->sync({"KRW-BTC"}, {kDay0 + 2 * kDayMs, kDay0 + 2 * kDayMs + 10 * kHourMs}));
  auto after = client->get(query);
  ASSERT_EQ(after->status, 200);
  auto read = engine->get("KRW-BTC", Timeframe::hours(1), {kDay0 + kDayMs, kDay0 + 3 * kDayMs});
  EXPECT_EQ(after->body, candles_to_csv(read->candles, read->last_closed));
  EXPECT_NE(after->body, before->body);
  EXPECT_EQ(read->candles.size(), 24u + 10u);
}

TEST_F(ServerTest, CandlesTakeEpochMillisecondsAndPercentEscapes) {
  auto iso = client->get(kCandles);
  auto ms = client->get("/v1/candles?market=KRW%2DBTC&timeframe=1h&from=" + std::to_string(kDay0) + "&to=" +
                        std::to_string(kDay0 + 2 * kDayMs));
  ASSERT_TRUE(iso && ms);
  EXPECT_EQ(ms->status, 200) << ms->body;
  EXPECT_EQ(ms->body, iso->body);
}

TEST_F(ServerTest, UnknownMarketIs404) {
  expect_error(client->get("/v1/candles?market=KRW-NOPE&timeframe=1h&from=2024-06-01&to=2024-06-02"), 404, "NotFound");
}

TEST_F(ServerTest, ABadMarketNameIs400AndCreatesNoMarket) {
  auto r = client->get("/v1/candles?market=%ff%00x&timeframe=1h&from=2024-06-01&to=2024-06-02&fetch=true");
  expect_error(r, 400, "InvalidArgument");
  EXPECT_EQ(engine->markets().size(), 2u);
}

TEST_F(ServerTest, BadTimeframeIs400) {
  expect_error(client->get("/v1/candles?market=KRW-BTC&timeframe=7m&from=2024-06-01&to=2024-06-02"), 400,
               "InvalidArgument");
}

TEST_F(ServerTest, FromAfterToIs400) {
  expect_error(client->get("/v1/candles?market=KRW-BTC&timeframe=1h&from=2024-06-03&to=2024-06-02"), 400,
               "InvalidArgument");
}

TEST_F(ServerTest, BadTimeIs400) {
  expect_error(client->get("/v1/candles?market=KRW-BTC&timeframe=1h&from=yesterday&to=2024-06-02"), 400,
               "InvalidArgument");
}

TEST_F(ServerTest, MissingParameterIs400) {
  auto r = client->get("/v1/candles?market=KRW-BTC&from=2024-06-01&to=2024-06-02");
  expect_error(r, 400, "InvalidArgument");
  EXPECT_NE(r->body.find("timeframe"), std::string::npos);
}

TEST_F(ServerTest, UnknownParameterIs400) {
  auto r = client->get(kCandles + "&limit=5");
  expect_error(r, 400, "InvalidArgument");
  EXPECT_NE(r->body.find("limit"), std::string::npos);
}

TEST_F(ServerTest, BadFormatIs400) { expect_error(client->get(kCandles + "&format=xml"), 400, "InvalidArgument"); }

TEST_F(ServerTest, BadPercentEscapeIs400) {
  expect_error(client->get("/v1/candles?market=KRW%2&timeframe=1h"), 400, "InvalidArgument");
}

TEST_F(ServerTest, UnknownPathIs404) { expect_error(client->get("/v2/candles"), 404, "NotFound"); }

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  auto r = client->request("DELETE", "/v1/candles");
  expect_error(r, 405, "MethodNotAllowed");
  EXPECT_EQ(r->header("allow"), "GET");
}

TEST_F(ServerTest, PlainGetOfLiveIs426) { expect_error(client->get("/v1/live"), 426, "UpgradeRequired"); }

TEST_F(ServerTest, MarketsListsStoredMarketsWithCoverage) {
  auto r = client->get("/v1/markets");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["market"], "KRW-BTC");
  EXPECT_EQ(j[1]["market"], "KRW-ETH");
  ASSERT_EQ(j[0]["covered"].size(), 1u);
  EXPECT_EQ(j[0]["covered"][0]["from"], kDay0Text);
  EXPECT_EQ(j[0]["covered"][0]["to"], "2024-06-03T00:00:00Z");
}

TEST_F(ServerTest, MarketsFromTheExchange) {
  auto r = client->get("/v1/markets?source=exchange");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body).size(), 3u);
}

TEST_F(ServerTest, RunsListTheRecordedSync) {
  auto r = client->get("/v1/runs");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["status"], "SUCCEEDED");
  EXPECT_EQ(j[0]["markets"], json({"KRW-BTC", "KRW-ETH"}));
  EXPECT_GT(j[0]["pages"].get<int>(), 0);
  EXPECT_EQ(j[0]["from"], kDay0Text);
}

TEST_F(ServerTest, StatsShowTiersAndMarkets) {
  ASSERT_TRUE(client->get(kCandles));
  auto r = client->get("/v1/stats");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  for (const char* tier : {"l1", "l2", "l3"}) {
    for (const char* field : {"entries", "bytes", "hits", "misses", "evictions"}) {
      EXPECT_TRUE(j["tiers"][tier][field].is_number()) << tier << "." << field;
    }
  }
  ASSERT_EQ(j["markets"].size(), 2u);
  EXPECT_EQ(j["markets"][0]["market"], "KRW-BTC");
  EXPECT_EQ(j["markets"][0]["candles"].get<size_t>(), engine->get("KRW-BTC", Timeframe(), {kDay0, kDay0 + 2 * kDayMs})->candles.size());
  EXPECT_EQ(j["markets"][0]["covered"], json::array({json::array({kDay0, kDay0 + 2 * kDayMs})}));
}

TEST_F(ServerTest, MetricsCountRequestsByPathAndStatus) {
  ASSERT_TRUE(client->get(kCandles));
  ASSERT_TRUE(client->get(kCandles));
  ASSERT_TRUE(client->get("/nope"));
  auto r = client->get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type").rfind("text/plain", 0), 0u);
  const std::string& m = r->body;
  EXPECT_NE(m.find("candlekeep_http_requests_total{path=\"/v1/candles\",status=\"200\"} 2\n"), std::string::npos) << m;
  EXPECT_NE(m.find("candlekeep_http_requests_total{path=\"unmatched\",status=\"404\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("candlekeep_http_request_duration_seconds_bucket{path=\"/v1/candles\",le=\"+Inf\"} 2\n"),
            std::string::npos) << m;
  EXPECT_NE(m.find("candlekeep_http_request_duration_seconds_count{path=\"/v1/candles\"} 2\n"), std::string::npos);
  EXPECT_NE(m.find("# TYPE candlekeep_http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(m.find("candlekeep_tier_hits_total{tier=\"l1\"} "), std::string::npos);
  EXPECT_NE(m.find("candlekeep_tier_misses_total{tier=\"l3\"} "), std::string::npos);
  EXPECT_NE(m.find("candlekeep_tier_bytes{tier=\"l2\"} "), std::string::npos);
  EXPECT_NE(m.find("candlekeep_collector_runs_total 1\n"), std::string::npos);
  EXPECT_NE(m.find("candlekeep_collector_pages_total " + std::to_string(source->requests()) + "\n"), std::string::npos) << m;
  EXPECT_NE(m.find("candlekeep_collector_retries_total 0\n"), std::string::npos);
  EXPECT_NE(m.find("candlekeep_http_candle_cache_hits_total 1\n"), std::string::npos);  // the second read
  EXPECT_NE(m.find("candlekeep_http_candle_cache_misses_total 1\n"), std::string::npos);
}

TEST_F(ServerTest, MetricsCountTierHitsOfReads) {
  auto hits = [&] {
    auto m = client->get("/metrics")->body;
    auto at = m.find("candlekeep_tier_hits_total{tier=\"l1\"} ");
    return std::stod(m.substr(at + std::string("candlekeep_tier_hits_total{tier=\"l1\"} ").size()));
  };
  ASSERT_TRUE(client->get(kCandles));
  double before = hits();
  ASSERT_TRUE(client->get(kCandles));
  EXPECT_GT(hits(), before);
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 20; ++i) {
    auto r = client->get(kCandles);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
  }
  EXPECT_EQ(client->connections(), 1);
}

TEST_F(ServerTest, AnErrorDoesNotCloseAKeptAliveConnection) {
  ASSERT_EQ(client->get("/nope")->status, 404);
  ASSERT_EQ(client->get(kCandles)->status, 200);
  EXPECT_EQ(client->connections(), 1);
}

TEST_F(ServerTest, OversizedBodyIs413) {
  auto r = client->request("POST", "/v1/exports", std::string((1 << 20) + 1, 'x'));
  expect_error(r, 413, "PayloadTooLarge");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_EQ(client->get("/health")->status, 200);  // on a new connection
}

TEST_F(ServerTest, OversizedBodyAnnouncedWithExpectContinueIs413) {
  auto r = client->request("POST", "/v1/exports", std::string(2 << 20, 'x'), {{"Expect", "100-continue"}});
  expect_error(r, 413, "PayloadTooLarge");
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  expect_error(client->get("/health", {{"X-Big", std::string(20000, 'a')}}), 431, "HeadersTooLarge");
}

TEST_F(ServerTest, MalformedRequestLineIs400) {
  auto got = raw_exchange(port(), "HELLO THERE\r\n\r\n");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rfind("HTTP/1.1 400", 0), 0u) << *got;
  EXPECT_NE(got->find("\"BadRequest\""), std::string::npos) << *got;
}

TEST_F(ServerTest, TooManyConnectionsAre503) {
  server->stop();
  http::ServerOptions so;
  so.port = 0;
  so.max_connections = 2;
  server = std::make_unique<http::Server>(*engine, so);
  ASSERT_TRUE(server->start().is_ok());
  ApiClient a(port()), b(port()), c(port());
  ASSERT_EQ(a.get("/health")->status, 200);  // two connections held open
  ASSERT_EQ(b.get("/health")->status, 200);
  auto r = c.get("/health");
  expect_error(r, 503, "TooManyConnections");
  EXPECT_EQ(r->header("retry-after"), "1");
  auto m = a.get("/metrics");
  EXPECT_NE(m->body.find("candlekeep_http_connections_refused_total 1\n"), std::string::npos);
}

TEST_F(ServerTest, ConcurrentRequestsAllSucceed) {
  constexpr int kThreads = 6, kRequests = 100;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ApiClient c(port());
      for (int i = 0; i < kRequests; ++i) {
        auto r = (i + t) % 5 == 0 ? c.get("/v1/candles?market=KRW-ETH&timeframe=15m&from=2024-06-01&to=2024-06-02")
                                  : c.get(kCandles + "&format=json");
        if (r && r->status == 200 && !r->body.empty()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kThreads * kRequests);
}

// Random bytes, truncated and mutated requests: each gets an answer or a close, never a crash.
TEST_F(ServerTest, GarbageNeverCrashesTheServer) {
  std::mt19937_64 rng(42);
  const std::vector<std::string> seeds = {
      "GET " + kCandles + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /v1/exports HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n{\"markets\": [\"KRW-",
      "GET /v1/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
      "GET /v1/screen?timeframe=1h&bars=5&markets=all&where=((((( HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /v1/exports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
      "GET /v1/candles?market=%ff%fe&timeframe=%00 HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /v1/exports/../../etc/passwd/manifest HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  for (int i = 0; i < 150; ++i) {
    std::string msg = seeds[i % seeds.size()];
    int mode = i % 3;
    if (mode == 1) {
      msg.resize(rng() % (msg.size() + 1));
    } else if (mode == 2) {
      for (int k = 0; k < 5; ++k) msg[rng() % msg.size()] = char(rng() % 256);
    }
    if (i % 25 == 0) {
      msg.clear();
      for (int k = 0; k < 300; ++k) msg += char(rng() % 256);
    }
    auto got = raw_exchange(port(), msg, std::chrono::seconds(3));
    ASSERT_TRUE(got) << "connection " << i << ": " << got.status().to_string();
  }
  auto r = client->get(kCandles);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->status, 200);
  auto m = client->get("/metrics");
  EXPECT_EQ(m->status, 200);
}

TEST_F(ServerTest, ScreenRowsAreTheScreenersRows) {
  auto r = client->get("/v1/screen?timeframe=1h&bars=24&markets=KRW-*&indicators=sma:5,rsi:14&sort=-close");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto spec = ScreenSpec::parse("sma:5,rsi:14", "", "-close");
  ASSERT_TRUE(spec);
  auto rows = screen(*engine, {"KRW-BTC", "KRW-ETH"}, Timeframe::hours(1), 24, *spec);
  ASSERT_TRUE(rows);
  EXPECT_EQ(r->body, http::screen_rows_json(*rows, *spec));
  json j = json::parse(r->body);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["market"], "KRW-BTC");  // 50M vs 4M: sorted by close, descending
  EXPECT_EQ(j[0]["bars"], 24);
}

TEST_F(ServerTest, ScreenCsvAndWhere) {
  auto r = client->get("/v1/screen?timeframe=1h&bars=24&markets=KRW-BTC,KRW-ETH&where=close%20%3E%2010000000&format=csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r->body.rfind("market,time,bars,close,change,volume,value\nKRW-BTC,", 0), 0u) << r->body;
  EXPECT_EQ(r->body.find("KRW-ETH"), std::string::npos);
}

TEST_F(ServerTest, ScreenBadWhereIs400) {
  expect_error(client->get("/v1/screen?timeframe=1h&bars=24&markets=KRW-BTC&where=rsi15%20%3C%2030"), 400,
               "InvalidArgument");
}

TEST_F(ServerTest, ScreenUnknownMarketIs404) {
  expect_error(client->get("/v1/screen?timeframe=1h&bars=24&markets=KRW-NOPE"), 404, "NotFound");
}

TEST_F(ServerTest, ScreenBadBarsIs400) {
  expect_error(client->get("/v1/screen?timeframe=1h&bars=0&markets=KRW-BTC"), 400, "InvalidArgument");
}

}  // namespace
}  // namespace ck::testing
