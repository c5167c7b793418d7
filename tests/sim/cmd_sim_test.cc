// The CLI contract of `candlekeep sim`, against the real binary.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tests/sim/child_process.h"
#include "tests/sim/http_test_client.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"
#include "timeframe/candle_file.h"
#include "timeframe/timestamp.h"

namespace ck::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> kSmall = {"--markets", "20", "--history-days", "3", "--now", "2025-07-30T12:34:56.789Z"};

class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> extra = {}) : child_(CK_SIM_CLI_PATH, args(std::move(extra))) {
    first_line_ = child_.read_line();
    std::smatch m;
    if (std::regex_match(first_line_, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)"))) {
      port_ = uint16_t(std::stoi(m[1]));
    }
  }
  uint16_t port() const { return port_; }
  const std::string& first_line() const { return first_line_; }
  int stop(int sig) { return child_.stop(sig); }
  std::string get(const std::string& target) {
    HttpTestClient c(port_);
    auto r = c.get(target);
    EXPECT_TRUE(r) << target << ": " << r.status().to_string();
    EXPECT_EQ(r ? r->status : 0, 200) << target;
    return r ? r->body : "";
  }

 private:
  static std::vector<std::string> args(std::vector<std::string> extra) {
    std::vector<std::string> a = {"sim", "--port", "0"};
    a.insert(a.end(), kSmall.begin(), kSmall.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  ChildProcess child_;
  std::string first_line_;
  uint16_t port_ = 0;
};

TEST(SimCli, PrintsItsAddressFirstServesAndExitsZeroOnSigterm) {
  SimProcess sim;
  ASSERT_GT(sim.port(), 0) << "first line: '" << sim.first_line() << "'";
  json markets = json::parse(sim.get("/v1/market/all"));
  EXPECT_EQ(markets.size(), 20u);
  EXPECT_EQ(markets[0]["market"], "KRW-BTC");
  EXPECT_EQ(sim.stop(SIGTERM), 0);
}

TEST(SimCli, ExitsZeroOnSigint) {
  SimProcess sim;
  ASSERT_GT(sim.port(), 0);
  EXPECT_EQ(sim.stop(SIGINT), 0);
}

TEST(SimCli, AFixedNowStaysPut) {
  SimProcess sim;
  ASSERT_GT(sim.port(), 0);
  HttpTestClient c(sim.port());
  EXPECT_EQ(c.get("/v1/market/all")->header("date"), "Wed, 30 Jul 2025 12:34:56 GMT");
  json j = json::parse(sim.get("/v1/candles/minutes/1?market=KRW-BTC"));
  EXPECT_EQ(j[0]["candle_date_time_utc"], "2025-07-30T12:34:00");
}

TEST(SimCli, TheSameSeedGivesByteIdenticalResponses) {
  SimProcess a, b, c({"--seed", "7"});
  ASSERT_GT(a.port(), 0);
  ASSERT_GT(b.port(), 0);
  ASSERT_GT(c.port(), 0);
  for (const char* t : {"/v1/candles/minutes/1?market=KRW-BTC&count=200", "/v1/candles/minutes/60?market=KRW-ETH&count=50",
                        "/v1/candles/days?market=KRW-XRP&count=3", "/v1/ticker?markets=KRW-BTC",
                        "/v1/market/all?is_details=true"}) {
    EXPECT_EQ(a.get(t), b.get(t)) << t;
  }
  EXPECT_NE(a.get("/v1/candles/minutes/1?market=KRW-BTC&count=200"),
            c.get("/v1/candles/minutes/1?market=KRW-BTC&count=200"));
}

TEST(SimCli, OwnHigherTimeframesEqualCandlekeepResampleOfItsMinutes) {
  SimProcess sim;
  ASSERT_GT(sim.port(), 0);
  TempDir dir;
  for (const char* market : {"KRW-BTC", "KRW-XRP"}) {
    std::string minutes = dir.write(std::string(market) + "_1m.json", sim.get(std::string("/sim/truth?market=") + market));
    struct Case {
      const char* unit;
      const char* timeframe;
    };
    for (Case c : {Case{"15", "15m"}, Case{"60", "1h"}, Case{"240", "4h"}, Case{"days", "1d"}}) {
      auto r = run_command(CK_SIM_CLI_PATH, {"resample", "--input", minutes, "--timeframe", c.timeframe});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      auto resampled = parse_candles(r.out, "resample output");
      ASSERT_TRUE(resampled) << resampled.status().to_string();
      auto own = parse_candles(sim.get(std::string("/sim/truth?market=") + market + "&unit=" + c.unit), "sim");
      ASSERT_TRUE(own) << own.status().to_string();
      ASSERT_GT(own->size(), 3u);
      EXPECT_TRUE(*own == *resampled) << market << " " << c.timeframe;
    }
  }
}

TEST(SimCli, BadFlagsAreUsageErrors) {
  auto r = run_command(CK_SIM_CLI_PATH, {"sim", "--port", "abc"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--port"), std::string::npos) << r.err;
  EXPECT_EQ(run_command(CK_SIM_CLI_PATH, {"sim", "--fault-5xx", "2"}).exit_code, 2);
  EXPECT_EQ(run_command(CK_SIM_CLI_PATH, {"sim", "--now", "yesterday"}).exit_code, 2);
  EXPECT_EQ(run_command(CK_SIM_CLI_PATH, {"sim", "--nope", "1"}).exit_code, 2);
}

TEST(SimCli, APortInUseIsAFailure) {
  SimProcess sim;
  ASSERT_GT(sim.port(), 0);
  auto r = run_command(CK_SIM_CLI_PATH, {"sim", "--port", std::to_string(sim.port())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ck::testing
