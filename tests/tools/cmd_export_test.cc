// Contract tests of `candlekeep export` (issue 6, backtest export): files equal to `get
// --closed-only`, the manifest's checksums, and refusals that leave nothing behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::run_cli;

// Two days of 1-minute candles from 2024-01-02T00:00Z with a quiet hour, KRW-like prices, the last
// minute 2024-01-03T22:29 (so the 4h and 1h buckets holding it are not fully collected).
std::string minutes_csv(double base) {
  std::string csv = "time,open,high,low,close,volume,value\n";
  for (int m = 0; m < 2 * 1440 - 91; ++m) {
    if (m >= 300 && m < 360) continue;
    char row[200];
    double o = base + (m % 97) * 1000, c = o + ((m % 7) - 3) * 500;
    std::snprintf(row, sizeof row, "2024-01-%02dT%02d:%02d:00Z,%.0f,%.0f,%.0f,%.0f,0.%08d,%.5f\n", 2 + m / 1440,
                  m % 1440 / 60, m % 60, o, std::max(o, c) + 700, std::min(o, c) - 300, c, 1000 + m,
                  (1000 + m) * 1e-8 * c);
    csv += row;
  }
  return csv;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

struct ExportCli : ::testing::Test {
  testing::TempDir dir;
  std::string data = dir.file("data");
  std::string out = dir.file("out");

  void SetUp() override {
    for (auto [market, base] : {std::pair{"KRW-BTC", 60'000'000.0}, std::pair{"KRW-ETH", 3'000'000.0}}) {
      std::string input = dir.write(std::string(market) + ".csv", minutes_csv(base));
      auto r = run_cli({"import", "--data", data, "--market", market, "--input", input});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  std::vector<std::string> args(std::vector<std::string> extra) {
    std::vector<std::string> a = {"export", "--data", data, "--markets", "KRW-BTC,KRW-ETH", "--timeframes",
                                  "15m,1h,4h", "--from", "2024-01-02", "--to", "2024-01-04", "--out", out};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

TEST_F(ExportCli, FilesAreExactlyWhatGetClosedOnlyPrints) {
  auto r = run_cli(args({}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("6 files"), std::string::npos) << r.out;
  for (const char* market : {"KRW-BTC", "KRW-ETH"}) {
    for (const char* tf : {"15m", "1h", "4h"}) {
      auto got = run_cli({"get", "--data", data, "--market", market, "--timeframe", tf, "--from", "2024-01-02", "--to",
                          "2024-01-04", "--closed-only"});
      ASSERT_EQ(got.exit_code, 0) << got.err;
      EXPECT_EQ(read_file(out + "/" + market + "_" + tf + ".csv"), got.out) << market << " " << tf;
    }
  }
  // The last 4h candle holding 22:29 is not closed: the last exported one opens at 16:00.
  EXPECT_NE(read_file(out + "/KRW-BTC_4h.csv").find("\n2024-01-03T16:00:00Z,"), std::string::npos);
  EXPECT_EQ(read_file(out + "/KRW-BTC_4h.csv").find("2024-01-03T20:00:00Z"), std::string::npos);
}

TEST_F(ExportCli, ManifestChecksumsMatchTheFiles) {
  auto r = run_cli(args({"--format", "npy"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_file(out + "/manifest.json"));
  EXPECT_EQ(j["format"], "npy");
  EXPECT_EQ(j["from"], "2024-01-02T00:00:00Z");
  EXPECT_EQ(j["to"], "2024-01-04T00:00:00Z");
  ASSERT_EQ(j["files"].size(), 6u);
  for (const auto& f : j["files"]) {
    std::string path = out + "/" + f["name"].get<std::string>();
    auto sum = testing::run_command("/usr/bin/sha256sum", {path});
    ASSERT_EQ(sum.exit_code, 0) << sum.err;
    EXPECT_EQ(f["sha256"], sum.out.substr(0, 64)) << path;
    EXPECT_EQ(read_file(path).substr(0, 6), "\x93NUMPY");
  }
  EXPECT_EQ(j["files"][2]["name"], "KRW-BTC_4h.npy");
  EXPECT_EQ(j["files"][2]["rows"], 11);  // 2 days of 4h buckets, minus the open 20:00 one
  EXPECT_EQ(j["files"][2]["last"], "2024-01-03T16:00:00Z");
}

TEST_F(ExportCli, MarketPatternsResolveAgainstTheStoredMarkets) {
  auto r = run_cli({"export", "--data", data, "--markets", "KRW-*", "--timeframes", "1h", "--from", "2024-01-02",
                    "--to", "2024-01-03", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(list_dir(out), (std::vector<std::string>{"KRW-BTC_1h.csv", "KRW-ETH_1h.csv", "manifest.json"}));
}

TEST_F(ExportCli, OriginSetsTheDayBucketsAndIsRecorded) {
  auto r = run_cli({"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1d", "--from", "2024-01-01",
                    "--to", "2024-01-04", "--origin", "15:00Z", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto got = run_cli({"get", "--data", data, "--market", "KRW-BTC", "--timeframe", "1d", "--from", "2024-01-01", "--to",
                      "2024-01-04", "--origin", "15:00Z", "--closed-only"});
  EXPECT_EQ(read_file(out + "/KRW-BTC_1d.csv"), got.out);
  EXPECT_NE(got.out.find("2024-01-02T15:00:00Z"), std::string::npos) << got.out;
  EXPECT_EQ(nlohmann::json::parse(read_file(out + "/manifest.json"))["origin"], "15:00Z");
}

TEST_F(ExportCli, ANonEmptyOutputDirectoryNeedsOverwrite) {
  ASSERT_EQ(run_cli(args({})).exit_code, 0);
  std::string manifest = read_file(out + "/manifest.json");
  auto again = run_cli(args({"--format", "npy"}));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("--overwrite"), std::string::npos) << again.err;
  EXPECT_EQ(read_file(out + "/manifest.json"), manifest);
  auto forced = run_cli(args({"--format", "npy", "--overwrite"}));
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(list_dir(out), (std::vector<std::string>{"KRW-BTC_15m.npy", "KRW-BTC_1h.npy", "KRW-BTC_4h.npy",
                                                     "KRW-ETH_15m.npy", "KRW-ETH_1h.npy", "KRW-ETH_4h.npy",
                                                     "manifest.json"}));
}

TEST_F(ExportCli, AMarketThatIsNotStoredExits2AndWritesNothing) {
  auto r = run_cli({"export", "--data", data, "--markets", "KRW-BTC,KRW-XRP", "--timeframes", "1h", "--from",
                    "2024-01-02", "--to", "2024-01-04", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("KRW-XRP"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not stored"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ExportCli, AnUnwritableOutputPathExits2AndWritesNothing) {
  std::string file = dir.write("a_file", "x");
  auto a = args({});
  a.back() = file + "/sub";  // the value of --out
  auto r = run_cli(a);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("a_file/sub"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(file), "x");
  a.back() = file;
  r = run_cli(a);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not a directory"), std::string::npos) << r.err;
}

TEST_F(ExportCli, AFetchThatFailsExits1AndWritesNothing) {
  // Nothing listens on port 1 of loopback: every page fails (after the collector's retries).
  auto r = run_cli({"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h", "--from", "2024-01-05",
                    "--to", "2024-01-05T02:00Z", "--out", out, "--fetch", "--exchange-url", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("could not be fetched"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ExportCli, BadFlagsAreUsageErrorsAndWriteNothing) {
  const std::vector<std::vector<std::string>> bad = {
      {"export", "--data", data, "--timeframes", "1h", "--from", "2024-01-02", "--to", "2024-01-03", "--out", out},
      {"export", "--data", data, "--markets", "KRW-BTC", "--from", "2024-01-02", "--to", "2024-01-03", "--out", out},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h", "--to", "2024-01-03", "--out", out},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h", "--from", "2024-01-02", "--out", out},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h", "--from", "2024-01-02", "--to",
       "2024-01-03"},
      {"export", "--markets", "KRW-BTC", "--timeframes", "1h", "--from", "2024-01-02", "--to", "2024-01-03", "--out",
       out},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h,7m", "--from", "2024-01-02", "--to",
       "2024-01-03", "--out", out},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", ",", "--from", "2024-01-02", "--to",
       "2024-01-03", "--out", out},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h", "--from", "2024-01-03", "--to",
       "2024-01-02", "--out", out},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h", "--from", "2024-01-02", "--to",
       "2024-01-03", "--out", out, "--format", "parquet"},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h", "--from", "2024-01-02", "--to",
       "2024-01-03", "--out", out, "--origin", "25:00Z"},
      {"export", "--data", data, "--markets", "KRW-BTC", "--timeframes", "1h", "--from", "2024-01-02", "--to",
       "2024-01-03", "--out", out, "--limit", "5"},
      {"export", "--data", data, "--markets", "DOGE-*", "--timeframes", "1h", "--from", "2024-01-02", "--to",
       "2024-01-03", "--out", out},
  };
  for (const auto& a : bad) {
    auto r = run_cli(a);
    std::string line;
    for (const auto& s : a) line += s + " ";
    EXPECT_EQ(r.exit_code, 2) << line << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << line;
    EXPECT_FALSE(fs::exists(out)) << line;
  }
}

}  // namespace
}  // namespace ck
