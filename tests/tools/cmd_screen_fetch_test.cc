// `candlekeep screen --fetch` against the exchange simulator on loopback: the windows are collected
// up to now, screened with the exchange's exact candles, and not fetched again.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"
#include "timeframe/aggregate.h"
#include "tools/sim/server.h"

namespace ck {
namespace {

using testing::run_cli;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

double number(const std::string& s) {
  double v = NAN;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

struct ScreenFetchCli : ::testing::Test {
  testing::TempDir dir;
  std::string data = dir.file("data");
  std::shared_ptr<sim::Exchange> exchange;
  std::unique_ptr<sim::Server> server;

  void SetUp() override {
    // Real time (the CLI's clock is the system clock): markets listed two days ago.
    const Timestamp now = SystemClock().now_ms();
    sim::ExchangeOptions eo;
    for (auto [code, price, active] : {std::tuple{"KRW-BTC", 90'000'000.0, 1.0}, std::tuple{"KRW-DUST", 12.0, 0.05}}) {
      sim::MarketSpec s;
      s.code = s.korean_name = s.english_name = code;
      s.base_price = price;
      s.active_share = active;
      s.listed_at = now - 2 * kDayMs;
      eo.market_specs.push_back(s);
    }
    exchange = std::make_shared<sim::Exchange>(eo);
    sim::ServerOptions so;
    so.api.rate_limit.per_second = 0;
    server = std::make_unique<sim::Server>(exchange, so);
    ASSERT_TRUE(server->start().is_ok());
  }
  uint64_t candle_requests() const { return server->stats().request_count("/v1/candles/minutes/1"); }
  std::vector<std::string> screen() {
    return {"screen", "--data", data, "--timeframe", "1h", "--bars", "6", "--markets", "KRW-*", "--indicators", "sma:3",
            "--fetch", "--exchange-url", server->base_url(), "--format", "csv"};
  }
};

TEST_F(ScreenFetchCli, CollectsTheWindowsUpToNowAndScreensTheExchangesCandles) {
  const Timestamp before = SystemClock().now_ms();
  auto r = run_cli(screen());
  const Timestamp after = SystemClock().now_ms();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = split(r.out, '\n');
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "market,time,bars,close,change,volume,value,sma3");
  std::vector<std::string> btc = split(lines[1], ','), dust = split(lines[2], ',');
  ASSERT_EQ(btc.size(), 8u);
  EXPECT_EQ(btc[0], "KRW-BTC");  // the exchange's order: patterns resolve against its list with --fetch
  EXPECT_EQ(dust[0], "KRW-DUST");

  // The last closed hour when the command ran (an hour may have turned meanwhile).
  Timestamp last = floor_div(before, kHourMs) * kHourMs - kHourMs;
  if (btc[1] != format_timestamp(last)) last = floor_div(after, kHourMs) * kHourMs - kHourMs;
  ASSERT_EQ(btc[1], format_timestamp(last));
  EXPECT_EQ(btc[2], "6");
  auto minutes = exchange->truth("KRW-BTC", sim::CandleUnit::minute(1), {last - 5 * kHourMs, last + kHourMs});
  ASSERT_TRUE(minutes) << minutes.status().to_string();
  auto hours = aggregate(*minutes, Timeframe::hours(1));
  ASSERT_TRUE(hours);
  ASSERT_EQ(hours->candles.size(), 6u);
  const CandleSeries& h = hours->candles;
  EXPECT_EQ(number(btc[3]), h.close().back());
  EXPECT_DOUBLE_EQ(number(btc[4]), h.close().back() / h.open().front() - 1);
  double volume = 0;
  for (double v : h.volume()) volume += v;
  EXPECT_NEAR(number(btc[5]), volume, 1e-9 * volume);
  double sma = (h.close()[3] + h.close()[4] + h.close()[5]) / 3;
  EXPECT_NEAR(number(btc[7]), sma, 1e-9 * sma);
  // The illiquid market: at most 6 bars, and its last one is no later than the window.
  EXPECT_LE(number(dust[2]), 6);
  if (!dust[1].empty()) {
    EXPECT_LE(dust[1], format_timestamp(last));
  }
}

TEST_F(ScreenFetchCli, ASecondScreenFetchesOnlyTheMinutesThatClosedMeanwhile) {
  ASSERT_EQ(run_cli(screen()).exit_code, 0);
  const uint64_t first = candle_requests();
  EXPECT_GE(first, 2u);  // at least a page per market
  auto again = run_cli(screen());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  // Nothing, or one page per market if a minute closed between the two runs.
  EXPECT_LE(candle_requests() - first, 2u);
}

TEST_F(ScreenFetchCli, AMarketTheExchangeDoesNotListExitsTwo) {
  auto r = run_cli({"screen", "--data", data, "--timeframe", "1h", "--bars", "6", "--markets", "KRW-BTC,KRW-NOPE",
                    "--fetch", "--exchange-url", server->base_url()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("candlekeep screen: market KRW-NOPE is not listed by " + server->base_url()), std::string::npos)
      << r.err;
}

TEST_F(ScreenFetchCli, AnExchangeThatCannotBeReachedExitsOne) {
  std::string url = server->base_url();
  server->stop();
  auto r = run_cli({"screen", "--data", data, "--timeframe", "1h", "--bars", "6", "--markets", "KRW-BTC", "--fetch",
                    "--exchange-url", url});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace ck
