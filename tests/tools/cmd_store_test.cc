// Contract tests of `candlekeep import`, `get` and `stats` (issue 4's CLI).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

using testing::run_cli;

// 2024-01-02 10:00..12:59, a gap at 11:00..11:29 (no trades), KRW-like prices.
std::string sample_csv() {
  std::string csv = "time,open,high,low,close,volume,value\n";
  for (int m = 0; m < 180; ++m) {
    if (m >= 60 && m < 90) continue;
    char row[160];
    double o = 50000000 + m * 1000, c = o + 2000;
    std::snprintf(row, sizeof row, "2024-01-02T%02d:%02d:00Z,%.0f,%.0f,%.0f,%.0f,0.%08d,%.5f\n", 10 + m / 60, m % 60, o,
                  c + 500, o - 500, c, 1000 + m, (1000 + m) * 1e-8 * c);
    csv += row;
  }
  return csv;
}

struct StoreCli : ::testing::Test {
  testing::TempDir dir;
  std::string data = dir.file("data");
  std::string input = dir.write("minutes.csv", sample_csv());

  void import() {
    auto r = run_cli({"import", "--data", data, "--market", "KRW-BTC", "--input", input});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST_F(StoreCli, GetPrintsExactlyWhatResamplePrints) {
  import();
  for (const char* tf : {"1m", "15m", "1h"}) {
    auto resampled = run_cli({"resample", "--input", input, "--timeframe", tf});
    auto got = run_cli({"get", "--data", data, "--market", "KRW-BTC", "--timeframe", tf, "--from", "2024-01-02T10:00:00Z",
                        "--to", "2024-01-02T13:00:00Z"});
    ASSERT_EQ(got.exit_code, 0) << got.err;
    EXPECT_EQ(got.out, resampled.out) << tf;
  }
}

TEST_F(StoreCli, GetWithForwardFillMatchesResampleWithForwardFill) {
  import();
  auto resampled = run_cli({"resample", "--input", input, "--timeframe", "15m", "--fill", "ffill"});
  auto got = run_cli({"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "15m", "--from", "2024-01-02",
                      "--to", "2024-01-03", "--fill", "ffill"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.out, resampled.out);
}

TEST_F(StoreCli, ReimportingTheSameFileChangesNothing) {
  import();
  auto before = run_cli({"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1m", "--from", "2024-01-02",
                         "--to", "2024-01-03"});
  import();
  auto after = run_cli({"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1m", "--from", "2024-01-02",
                        "--to", "2024-01-03"});
  EXPECT_EQ(before.out, after.out);
  EXPECT_EQ(std::count(after.out.begin(), after.out.end(), '\n'), 1 + 150);
  auto stats = run_cli({"stats", "--data", data, "--format", "json"});
  auto j = nlohmann::json::parse(stats.out);
  EXPECT_EQ(j["markets"][0]["candles"], 150);
}

TEST_F(StoreCli, GetJsonHasTheSameFieldsAsTheCsv) {
  import();
  auto got = run_cli({"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1h", "--from", "2024-01-02T10:00Z",
                      "--to", "1704200400000", "--format", "json"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  auto j = nlohmann::json::parse(got.out);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["time"], "2024-01-02T10:00:00Z");
  EXPECT_EQ(j[0]["open"], 50000000.0);
  EXPECT_EQ(j[2]["closed"], true);
  for (const char* k : {"time", "open", "high", "low", "close", "volume", "value", "closed"}) EXPECT_TRUE(j[1].contains(k)) << k;
}

TEST_F(StoreCli, AMarketThatIsNotStoredIsAnErrorThatSaysSo) {
  import();
  auto r = run_cli({"get", "--data", data, "--market", "KRW-ETH", "--timeframe", "1h", "--from", "2024-01-02", "--to",
                    "2024-01-03"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("KRW-ETH"), std::string::npos);
  EXPECT_NE(r.err.find("not stored"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

TEST_F(StoreCli, BadFlagsAreUsageErrors) {
  import();
  const std::vector<std::vector<std::string>> bad = {
      {"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "7m", "--from", "2024-01-02", "--to", "2024-01-03"},
      {"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1h", "--from", "2024-01-03", "--to", "2024-01-02"},
      {"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1h", "--from", "yesterday", "--to", "2024-01-02"},
      {"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1h", "--from", "2024-01-02", "--to", "2024-01-03",
       "--format", "xml"},
      {"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1h", "--from", "2024-01-02"},
      {"import", "--data", data, "--market", "KRW-BTC"},
  };
  for (const auto& args : bad) {
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

TEST_F(StoreCli, ABadInputFileStoresNothing) {
  import();
  std::string bad = dir.write("bad.csv", "time,open,high,low,close,volume\n2024-01-02T09:00:00Z,1,2,0.5,1.5,3\n"
                                         "2024-01-02T09:01:00Z,1,0.5,2,1.5,3\n");
  auto r = run_cli({"import", "--data", data, "--market", "KRW-BTC", "--input", bad});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.csv:3"), std::string::npos) << r.err;
  auto got = run_cli({"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1m", "--from", "2024-01-02T09:00Z",
                      "--to", "2024-01-02T10:00Z"});
  EXPECT_EQ(got.out, "time,open,high,low,close,volume,value,closed\n");
}

TEST_F(StoreCli, StatsReportsTiersAndMarketsInTheDocumentedShape) {
  import();
  auto r = run_cli({"stats", "--data", data, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* tier : {"l1", "l2", "l3"}) {
    for (const char* k : {"entries", "bytes", "hits", "misses", "evictions"}) {
      EXPECT_TRUE(j["tiers"][tier].contains(k)) << tier << "." << k;
    }
  }
  ASSERT_EQ(j["markets"].size(), 1u);
  const auto& m = j["markets"][0];
  EXPECT_EQ(m["market"], "KRW-BTC");
  EXPECT_EQ(m["candles"], 150);
  EXPECT_GT(m["l3_bytes"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(m["bytes_per_candle"].get<double>(), m["l3_bytes"].get<double>() / 150);
  ASSERT_EQ(m["covered"].size(), 1u);
  EXPECT_EQ(m["covered"][0][0], 1704189600000);  // 10:00
  EXPECT_EQ(m["covered"][0][1], 1704200400000);  // 13:00
}

}  // namespace
}  // namespace ck
