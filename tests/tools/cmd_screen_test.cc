// Contract tests of `candlekeep screen` (issue 6, screener reads): rows equal to what `get` prints
// for the same window, --where / --sort, the three formats, and refusals with exit code 2.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

using testing::run_cli;

// 1-minute candles of 2024-01-02T00:00Z .. 2024-01-03T22:29Z with a quiet hour (05:00 of day 1):
// coverage ends at 22:30, so the last closed hour opens at 21:00.
std::string minutes_csv(double base, int wiggle) {
  std::string csv = "time,open,high,low,close,volume,value\n";
  for (int m = 0; m < 2 * 1440 - 90; ++m) {
    if (m >= 300 && m < 360) continue;
    char row[200];
    double o = base + (m % 97) * 1000 * wiggle, c = o + ((m % 7) - 3) * 500;
    std::snprintf(row, sizeof row, "2024-01-%02dT%02d:%02d:00Z,%.0f,%.0f,%.0f,%.0f,0.%08d,%.5f\n", 2 + m / 1440,
                  m % 1440 / 60, m % 60, o, std::max(o, c) + 700, std::min(o, c) - 300, c, 1000 + m,
                  (1000 + m) * 1e-8 * c);
    csv += row;
  }
  return csv;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

double number(const std::string& s) {
  double v = NAN;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

struct ScreenCli : ::testing::Test {
  testing::TempDir dir;
  std::string data = dir.file("data");

  void SetUp() override {
    for (auto [market, base, wiggle] : {std::tuple{"KRW-BTC", 60'000'000.0, 3}, std::tuple{"KRW-ETH", 3'000'000.0, 1}}) {
      std::string input = dir.write(std::string(market) + ".csv", minutes_csv(base, wiggle));
      auto r = run_cli({"import", "--data", data, "--market", market, "--input", input});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  std::vector<std::string> args(std::vector<std::string> extra) {
    std::vector<std::string> a = {"screen", "--data", data, "--timeframe", "1h", "--bars", "10", "--markets", "KRW-*"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // The rows of `get` for a market's 1h candles in [from, to): time, open, high, low, close, volume, value.
  std::vector<std::vector<std::string>> hours(const std::string& market, const char* from, const char* to) {
    auto r = run_cli({"get", "--data", data, "--market", market, "--timeframe", "1h", "--from", from, "--to", to});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : split(r.out, '\n')) {
      if (!line.empty() && line.rfind("time,", 0) != 0) rows.push_back(split(line, ','));
    }
    return rows;
  }
  // Asserts exit code 2 and returns stderr.
  std::string usage_error(std::vector<std::string> a) {
    auto r = run_cli(a);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(r.out, "");
    return r.err;
  }
};

TEST_F(ScreenCli, CsvRowsAreExactlyThoseOfTheStoredWindow) {
  auto r = run_cli(args({"--indicators", "sma:3,new_high:4", "--format", "csv"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = split(r.out, '\n');
  ASSERT_EQ(lines.size(), 4u) << r.out;  // header, two markets, ""
  EXPECT_EQ(lines[0], "market,time,bars,close,change,volume,value,sma3,new_high4");
  for (size_t i = 1; i <= 2; ++i) {
    std::vector<std::string> row = split(lines[i], ',');
    ASSERT_EQ(row.size(), 9u) << lines[i];
    SCOPED_TRACE(row[0]);
    EXPECT_EQ(row[0], i == 1 ? "KRW-BTC" : "KRW-ETH");  // the order of the stored markets
    // The last 10 closed hours: 12:00 .. 21:00 of 2024-01-03 (22:00 holds 22:29 and is open).
    auto h = hours(row[0], "2024-01-03T12:00:00Z", "2024-01-03T22:00:00Z");
    ASSERT_EQ(h.size(), 10u);
    EXPECT_EQ(row[1], "2024-01-03T21:00:00Z");
    EXPECT_EQ(row[2], "10");
    EXPECT_EQ(row[3], h[9][4]);  // close, as get prints it
    EXPECT_DOUBLE_EQ(number(row[4]), number(h[9][4]) / number(h[0][1]) - 1);
    double volume = 0, value = 0, prev_high = 0;
    for (const auto& c : h) {
      volume += number(c[5]);
      value += number(c[6]);
    }
    for (size_t k = 5; k < 9; ++k) prev_high = std::max(prev_high, number(h[k][2]));
    EXPECT_DOUBLE_EQ(number(row[5]), volume);
    EXPECT_DOUBLE_EQ(number(row[6]), value);
    double sma = (number(h[7][4]) + number(h[8][4]) + number(h[9][4])) / 3;
    EXPECT_NEAR(number(row[7]), sma, 1e-9 * sma);
    EXPECT_EQ(row[8], number(h[9][4]) > prev_high ? "1" : "0");
  }
}

TEST_F(ScreenCli, JsonHasNullWhereThereAreTooFewBars) {
  auto r = run_cli({"screen", "--data", data, "--timeframe", "1h", "--bars", "10", "--markets", "KRW-ETH", "--indicators",
                    "sma:3,rsi:14", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["market"], "KRW-ETH");
  EXPECT_EQ(j[0]["time"], "2024-01-03T21:00:00Z");
  EXPECT_EQ(j[0]["bars"], 10);
  EXPECT_TRUE(j[0]["sma3"].is_number());
  EXPECT_TRUE(j[0]["rsi14"].is_null());  // 10 bars hold 9 changes, fewer than 14
  std::vector<std::string> keys;
  for (auto& [k, v] : j[0].items()) keys.push_back(k);
  EXPECT_EQ(keys.size(), 9u);
}

TEST_F(ScreenCli, TableIsTheDefaultAndCountsTheMarkets) {
  auto r = run_cli(args({"--indicators", "rsi:5"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = split(r.out, '\n');
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0].rfind("market   time                  bars", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("rsi5"), std::string::npos);
  EXPECT_EQ(lines[1].rfind("KRW-BTC  2024-01-03T21:00:00Z    10", 0), 0u) << lines[1];
  EXPECT_EQ(lines[0].size(), lines[1].size());  // right-aligned numbers end together
  EXPECT_EQ(r.err, "2 of 2 markets\n");
}

TEST_F(ScreenCli, WhereFiltersAndSortOrders) {
  auto r = run_cli(args({"--where", "close > 10000000 or volume < 0", "--format", "csv"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(split(r.out, '\n').size(), 3u) << r.out;
  EXPECT_NE(r.out.find("\nKRW-BTC,"), std::string::npos);
  EXPECT_EQ(r.out.find("KRW-ETH"), std::string::npos);

  auto asc = run_cli(args({"--sort", "close", "--format", "csv"}));
  ASSERT_EQ(asc.exit_code, 0) << asc.err;
  EXPECT_LT(asc.out.find("KRW-ETH"), asc.out.find("KRW-BTC"));
  auto desc = run_cli(args({"--sort", "-close", "--format", "csv"}));
  EXPECT_LT(desc.out.find("KRW-BTC"), desc.out.find("KRW-ETH"));

  auto none = run_cli(args({"--where", "close < 0", "--format", "csv"}));
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "market,time,bars,close,change,volume,value\n");
}

TEST_F(ScreenCli, BadWhereExitsTwoWithACaretUnderTheToken) {
  EXPECT_EQ(usage_error(args({"--indicators", "rsi:14,sma:20", "--where", "rsi14 < 30 and close > sma02"})),
            "candlekeep screen: --where: unknown column 'sma02' at position 24 (columns: bars, close, change, volume, "
            "value, rsi14, sma20)\n"
            "  rsi14 < 30 and close > sma02\n"
            "                         ^^^^^\n");
  EXPECT_EQ(usage_error(args({"--where", "close >= 1 and (volume > 2"})),
            "candlekeep screen: --where: this '(' is never closed at position 16\n"
            "  close >= 1 and (volume > 2\n"
            "                 ^\n");
}

TEST_F(ScreenCli, BadFlagsExitTwoWithAClearMessage) {
  EXPECT_EQ(usage_error({"screen", "--data", data, "--timeframe", "1h", "--markets", "all"}),
            "candlekeep screen: missing required flag --bars\n");
  EXPECT_EQ(usage_error({"screen", "--data", data, "--timeframe", "1h", "--bars", "0", "--markets", "all"}),
            "candlekeep screen: --bars: expected a whole number of candles from 1 to 1000000, got '0'\n");
  EXPECT_NE(usage_error({"screen", "--data", data, "--timeframe", "1h", "--bars", "ten", "--markets", "all"})
                .find("got 'ten'"),
            std::string::npos);
  EXPECT_NE(usage_error({"screen", "--data", data, "--timeframe", "7m", "--bars", "5", "--markets", "all"})
                .find("--timeframe: "),
            std::string::npos);
  EXPECT_NE(usage_error(args({"--format", "xml"})).find("bad --format 'xml'; accepted: table, csv, json"),
            std::string::npos);
  EXPECT_NE(usage_error(args({"--indicators", "macd:12"})).find("--indicators: unknown indicator 'macd:12'"),
            std::string::npos);
  EXPECT_NE(usage_error(args({"--sort", "-rsi14"})).find("--sort: unknown column 'rsi14'"), std::string::npos);
  EXPECT_NE(usage_error(args({"--origin", "15:00Z"})).find("--origin"), std::string::npos);
  EXPECT_NE(usage_error({"screen", "--data", data, "--timeframe", "1h", "--bars", "5", "--markets", "BTC-*"})
                .find("--markets: no market matches 'BTC-*'"),
            std::string::npos);
  EXPECT_EQ(usage_error({"screen", "--data", data, "--timeframe", "1h", "--bars", "5", "--markets", "KRW-BTC,KRW-XRP"}),
            "candlekeep screen: market KRW-XRP is not stored in " + data +
                " (import or sync it first); --fetch collects it from the exchange\n");
}

}  // namespace
}  // namespace ck
