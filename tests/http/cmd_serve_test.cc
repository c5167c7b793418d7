// The CLI contract of `candlekeep serve`: the listening line, the same bytes as `candlekeep get` and
// `candlekeep screen` for the same query on the same data directory, a clean stop on SIGINT/SIGTERM.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>

#include "engine/engine.h"
#include "tests/http/serve_process.h"
#include "tests/http/test_client.h"
#include "tests/support/fake_candle_source.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace ck::testing {
namespace {

constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z

class ServeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A store written in-process and closed again: RocksDB admits one process per directory.
    auto source = std::make_shared<FakeCandleSource>();
    source->add_market("KRW-BTC", make_minutes({kDay0, kDay0 + 3 * kDayMs}, 0.9, 7));
    source->add_market("KRW-ETH", make_minutes({kDay0, kDay0 + 3 * kDayMs}, 0.4, 8, 4'000'000));
    EngineOptions o;
    o.data_dir = dir.path();
    o.source = source;
    o.requests_per_second = 0;
    auto engine = std::move(Engine::open(o)).value();
    ASSERT_TRUE(engine->sync({"KRW-BTC", "KRW-ETH"}, {kDay0, kDay0 + 3 * kDayMs}));
  }

  // Starts the server and returns its port (0 when it did not say where it listens).
  uint16_t start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"serve", "--data", dir.path(), "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    serve = std::make_unique<ServeProcess>(CK_CLI_PATH, args);
    first_line = serve->read_line();
    std::smatch m;
    if (!std::regex_match(first_line, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"))) return 0;
    return uint16_t(std::stoi(m[1]));
  }

  TempDir dir;
  std::unique_ptr<ServeProcess> serve;
  std::string first_line;
};

TEST_F(ServeCliTest, CandlesAreByteForByteWhatGetPrints) {
  // Captured before the server opens the directory.
  const std::vector<std::pair<std::vector<std::string>, std::string>> queries = {
      {{"--market", "KRW-BTC", "--timeframe", "1h", "--from", "2024-06-01", "--to", "2024-06-03"},
       "market=KRW-BTC&timeframe=1h&from=2024-06-01&to=2024-06-03"},
      {{"--market", "KRW-ETH", "--timeframe", "15m", "--from", "2024-06-01T03:00:00Z", "--to", "2024-06-02", "--format",
        "json", "--fill", "ffill"},
       "market=KRW-ETH&timeframe=15m&from=2024-06-01T03:00:00Z&to=2024-06-02&format=json&fill=ffill"},
      {{"--market", "KRW-BTC", "--timeframe", "1d", "--from", "2024-05-30", "--to", "2024-06-10", "--origin", "15:00Z"},
       "market=KRW-BTC&timeframe=1d&from=2024-05-30&to=2024-06-10&origin=15:00Z"},
      {{"--market", "KRW-BTC", "--timeframe", "4h", "--from", "1717200000000", "--to", "2024-06-04", "--closed-only",
        "--format", "json"},
       "market=KRW-BTC&timeframe=4h&from=1717200000000&to=2024-06-04&closed_only=true&format=json"},
  };
  std::vector<std::string> expected;
  for (const auto& [flags, query] : queries) {
    std::vector<std::string> args = {"get", "--data", dir.path()};
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult r = run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_GT(r.out.size(), 100u);
    expected.push_back(r.out);
  }
  uint16_t port = start();
  ASSERT_NE(port, 0) << first_line;
  ApiClient client(port);
  for (size_t i = 0; i < queries.size(); ++i) {
    auto r = client.get("/v1/candles?" + queries[i].second);
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, expected[i]) << queries[i].second;
  }
  EXPECT_EQ(serve->signal_and_wait(SIGTERM), 0);
}

TEST_F(ServeCliTest, ScreenRowsAreWhatScreenPrints) {
  std::vector<std::string> expected;
  for (const char* format : {"json", "csv"}) {
    CommandResult r = run_cli({"screen", "--data", dir.path(), "--timeframe", "1h", "--bars", "48", "--markets", "all",
                               "--indicators", "sma:10,rsi:14,bb_upper:20:2", "--where", "bars > 10", "--sort",
                               "-change", "--format", format});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expected.push_back(r.out);
  }
  ASSERT_NE(expected[0].find("\"KRW-BTC\""), std::string::npos) << expected[0];
  ASSERT_NE(expected[1].find("\nKRW-ETH,"), std::string::npos) << expected[1];
  uint16_t port = start();
  ASSERT_NE(port, 0) << first_line;
  ApiClient client(port);
  const std::string query =
      "/v1/screen?timeframe=1h&bars=48&markets=all&indicators=sma:10,rsi:14,bb_upper:20:2&where=bars%20%3E%2010"
      "&sort=-change";
  auto json = client.get(query);
  auto csv = client.get(query + "&format=csv");
  ASSERT_TRUE(json && csv);
  EXPECT_EQ(json->body, expected[0]);
  EXPECT_EQ(csv->body, expected[1]);
  EXPECT_EQ(serve->signal_and_wait(SIGINT), 0);
}

TEST_F(ServeCliTest, TheFirstLineSaysWhereItListensAndSigtermStopsItWithExit0) {
  uint16_t port = start({"--bind", "127.0.0.1"});
  ASSERT_NE(port, 0) << first_line;
  ApiClient client(port);
  EXPECT_EQ(client.get("/health")->status, 200);
  EXPECT_EQ(serve->signal_and_wait(SIGTERM), 0);
}

TEST_F(ServeCliTest, TheTokenFlagProtectsTheApi) {
  uint16_t port = start({"--token", "abc"});
  ASSERT_NE(port, 0) << first_line;
  ApiClient client(port);
  EXPECT_EQ(client.get("/v1/markets")->status, 401);
  EXPECT_EQ(client.get("/v1/markets", {{"Authorization", "Bearer abc"}})->status, 200);
  EXPECT_EQ(serve->signal_and_wait(SIGINT), 0);
}

TEST_F(ServeCliTest, BadFlagsAreUsageErrors) {
  for (std::vector<std::string> args : {std::vector<std::string>{"serve", "--data", dir.path(), "--port", "70000"},
                                        {"serve", "--data", dir.path(), "--port", "x"},
                                        {"serve", "--port", "0"},
                                        {"serve", "--data", dir.path(), "--bind", "not-an-ip", "--port", "0"},
                                        {"serve", "--data", dir.path(), "--nope", "1"}}) {
    CommandResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_FALSE(r.err.empty());
  }
}

}  // namespace
}  // namespace ck::testing
