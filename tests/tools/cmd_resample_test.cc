// The contract of `candlekeep resample` (issue 2 §4), checked by running the real binary:
//   candlekeep resample --input FILE --timeframe TF [--origin HH:MMZ] [--fill none|ffill] [--output FILE]
#include <gtest/gtest.h>

#include <charconv>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

using testing::CommandResult;
using testing::run_cli;
using testing::TempDir;

constexpr const char* kHeader = "time,open,high,low,close,volume,value,closed\n";

// Three minutes: two in the 03:00 bucket, one in the 03:15 bucket (which the input does not finish).
constexpr const char* kMinutesCsv =
    "time,open,high,low,close,volume,value\n"
    "2024-01-02T03:00:00Z,10,12,9,11,1.5,15\n"
    "2024-01-02T03:01:00Z,11,15,10,14,2,28\n"
    "2024-01-02T03:16:00Z,14,14,7,8,0.25,2\n";
constexpr const char* kMinutes15m =
    "time,open,high,low,close,volume,value,closed\n"
    "2024-01-02T03:00:00Z,10,15,9,14,3.5,43,1\n"
    "2024-01-02T03:15:00Z,14,14,7,8,0.25,2,0\n";

CommandResult resample(const std::string& input, const std::string& timeframe,
                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"resample", "--input", input, "--timeframe", timeframe};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args);
}

// Runs a command that must succeed and returns its stdout.
std::string resample_ok(const std::string& input, const std::string& timeframe,
                        const std::vector<std::string>& extra = {}) {
  CommandResult r = resample(input, timeframe, extra);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return r.out;
}

size_t count_files(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(ResampleCommand, AggregatesACsvWithAHeaderToCsv) {
  TempDir dir;
  EXPECT_EQ(resample_ok(dir.write("m.csv", kMinutesCsv), "15m"), kMinutes15m);
}

TEST(ResampleCommand, ReadsATimestampColumnAndTurnoverAndIgnoresOtherColumns) {
  TempDir dir;
  std::string in = dir.write("m.csv",
                             "symbol,timestamp,open,high,low,close,volume,turnover,trades\n"
                             "BTC,2024-01-02 03:00:00+00:00,10,12,9,11,1.5,15,4\n"
                             "BTC,2024-01-02 03:01:00+00:00,11,15,10,14,2,28,9\n"
                             "BTC,2024-01-02 03:16:00+00:00,14,14,7,8,0.25,2,1\n");
  EXPECT_EQ(resample_ok(in, "15m"), kMinutes15m);
}

TEST(ResampleCommand, ValueIsZeroWhenTheInputHasNoValueColumn) {
  TempDir dir;
  std::string in = dir.write("m.csv",
                             "time,open,high,low,close,volume\n"
                             "2024-01-02T03:00:00Z,10,12,9,11,1.5\n");
  EXPECT_EQ(resample_ok(in, "1h"), std::string(kHeader) + "2024-01-02T03:00:00Z,10,12,9,11,1.5,0,0\n");
}

TEST(ResampleCommand, ReadsHeaderlessCsvWithEpochSeconds) {
  TempDir dir;
  // Kraken's layout: epoch seconds, o, h, l, c, volume, trade count (ignored).
  std::string in = dir.write("m.csv",
                             "1704164400,10,12,9,11,1.5,3\n"
                             "1704164460,11,15,10,14,2,5\n"
                             "1704165360,14,14,7,8,0.25,1\n");
  EXPECT_EQ(resample_ok(in, "15m"),
            std::string(kHeader) +
                "2024-01-02T03:00:00Z,10,15,9,14,3.5,0,1\n"
                "2024-01-02T03:15:00Z,14,14,7,8,0.25,0,0\n");
}

TEST(ResampleCommand, ReadsEpochMilliseconds) {
  TempDir dir;
  std::string in = dir.write("m.csv",
                             "time,open,high,low,close,volume,value\n"
                             "1704164400000,10,12,9,11,1.5,15\n"
                             "1704164460000,11,15,10,14,2,28\n"
                             "1704165360000,14,14,7,8,0.25,2\n");
  EXPECT_EQ(resample_ok(in, "15m"), kMinutes15m);
}

TEST(ResampleCommand, ReadsUpbitJsonInAnyOrder) {
  TempDir dir;
  auto candle = [](const char* utc, const char* kst, double o, double h, double l, double c, double v, double q) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  R"({"market":"KRW-BTC","candle_date_time_utc":"%s","candle_date_time_kst":"%s",)"
                  R"("opening_price":%g,"high_price":%g,"low_price":%g,"trade_price":%g,"timestamp":1704164459000,)"
                  R"("candle_acc_trade_price":%g,"candle_acc_trade_volume":%g,"unit":1})",
                  utc, kst, o, h, l, c, q, v);
    return std::string(buf);
  };
  std::string a = candle("2024-01-02T03:00:00", "2024-01-02T12:00:00", 10, 12, 9, 11, 1.5, 15);
  std::string b = candle("2024-01-02T03:01:00", "2024-01-02T12:01:00", 11, 15, 10, 14, 2, 28);
  std::string c = candle("2024-01-02T03:16:00", "2024-01-02T12:16:00", 14, 14, 7, 8, 0.25, 2);
  EXPECT_EQ(resample_ok(dir.write("newest_first.json", "[" + c + "," + b + "," + a + "]"), "15m"), kMinutes15m);
  EXPECT_EQ(resample_ok(dir.write("shuffled.json", "[" + b + "," + c + "," + a + "]"), "15m"), kMinutes15m);
}

TEST(ResampleCommand, PrintsNumbersInShortestRoundTripForm) {
  TempDir dir;
  std::string in = dir.write("m.csv",
                             "time,open,high,low,close,volume,value\n"
                             "2024-01-02T03:00:00Z,104359.1,104359.1,0.00001,0.19712,0.1,1e-7\n"
                             "2024-01-02T03:01:00Z,104359.1,104359.1,0.00001,0.19712,0.2,123456789012345680000\n");
  std::string out = resample_ok(in, "15m");
  // std::to_chars picks the fewest characters; a large integral value prints in fixed form, exactly.
  EXPECT_EQ(out, std::string(kHeader) +
                     "2024-01-02T03:00:00Z,104359.1,104359.1,1e-05,0.19712,0.30000000000000004,"
                     "123456789012345683968,0\n");
  // Reading the text back gives the very doubles that were summed.
  auto parse = [](const std::string& cell) {
    double v = 0;
    std::from_chars(cell.data(), cell.data() + cell.size(), v);
    return v;
  };
  EXPECT_EQ(parse("0.30000000000000004"), 0.1 + 0.2);
  EXPECT_EQ(parse("123456789012345683968"), 1e-7 + 123456789012345680000.0);
}

TEST(ResampleCommand, MarksTheLastCandleClosedOnlyWhenTheInputReachesItsEnd) {
  TempDir dir;
  std::string complete = dir.write("c.csv",
                                   "time,open,high,low,close,volume\n"
                                   "2024-01-02T03:00:00Z,1,1,1,1,1\n"
                                   "2024-01-02T03:14:00Z,2,2,2,2,1\n");
  EXPECT_EQ(resample_ok(complete, "15m"), std::string(kHeader) + "2024-01-02T03:00:00Z,1,2,1,2,2,0,1\n");
  EXPECT_EQ(resample_ok(complete, "1h"), std::string(kHeader) + "2024-01-02T03:00:00Z,1,2,1,2,2,0,0\n");
}

TEST(ResampleCommand, OriginSetsWhereDaysStart) {
  TempDir dir;
  std::string in = dir.write("m.csv",
                             "time,open,high,low,close,volume\n"
                             "2024-01-02T14:59:00Z,1,1,1,1,1\n"
                             "2024-01-02T15:00:00Z,2,2,2,2,1\n");
  EXPECT_EQ(resample_ok(in, "1d"), std::string(kHeader) + "2024-01-02T00:00:00Z,1,2,1,2,2,0,0\n");
  EXPECT_EQ(resample_ok(in, "1d", {"--origin", "15:00Z"}),
            std::string(kHeader) +
                "2024-01-01T15:00:00Z,1,1,1,1,1,0,1\n"
                "2024-01-02T15:00:00Z,2,2,2,2,1,0,0\n");
  EXPECT_EQ(resample_ok(in, "1d", {"--origin=15:00Z"}), resample_ok(in, "1d", {"--origin", "15:00Z"}));
}

TEST(ResampleCommand, FfillFillsEmptyBucketsWithThePreviousClose) {
  TempDir dir;
  std::string in = dir.write("m.csv",
                             "time,open,high,low,close,volume,value\n"
                             "2024-01-02T03:00:00Z,10,12,9,11,1.5,15\n"
                             "2024-01-02T03:45:00Z,20,22,19,21,2,40\n");
  EXPECT_EQ(resample_ok(in, "15m", {"--fill", "ffill"}),
            std::string(kHeader) +
                "2024-01-02T03:00:00Z,10,12,9,11,1.5,15,1\n"
                "2024-01-02T03:15:00Z,11,11,11,11,0,0,1\n"
                "2024-01-02T03:30:00Z,11,11,11,11,0,0,1\n"
                "2024-01-02T03:45:00Z,20,22,19,21,2,40,0\n");
  EXPECT_EQ(resample_ok(in, "15m", {"--fill", "none"}),
            std::string(kHeader) +
                "2024-01-02T03:00:00Z,10,12,9,11,1.5,15,1\n"
                "2024-01-02T03:45:00Z,20,22,19,21,2,40,0\n");
}

TEST(ResampleCommand, WritesToTheOutputFileInsteadOfStdout) {
  TempDir dir;
  std::string in = dir.write("m.csv", kMinutesCsv);
  std::string out = dir.file("out.csv");
  CommandResult r = resample(in, "15m", {"--output", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(testing::read_file(out), kMinutes15m);
  EXPECT_EQ(count_files(dir.path()), 2u);  // no temporary file left behind
}

// Every bad input: exit code 2, a message naming the file, the line and the problem, and nothing
// written to --output (an existing file keeps its content, a new one is not created).
struct BadInput {
  const char* name;
  std::string content;
  std::string where;  // expected after the path: ":LINE: " or ": element N: "
  std::string why;
};

void PrintTo(const BadInput& bad, std::ostream* os) { *os << bad.name; }

class ResampleRejects : public ::testing::TestWithParam<BadInput> {};

TEST_P(ResampleRejects, NamingFileLineAndProblemWritingNothing) {
  const BadInput& bad = GetParam();
  TempDir dir;
  std::string in = dir.write(bad.name, bad.content);
  std::string fresh = dir.file("fresh.csv");
  std::string existing = dir.write("existing.csv", "keep me\n");
  for (const std::string& out : {fresh, existing}) {
    CommandResult r = resample(in, "15m", {"--output", out});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(in + bad.where), std::string::npos) << "stderr: " << r.err;
    EXPECT_NE(r.err.find(bad.why), std::string::npos) << "stderr: " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(fresh));
  EXPECT_EQ(testing::read_file(existing), "keep me\n");
  EXPECT_EQ(count_files(dir.path()), 2u);  // input and existing.csv only
}

const std::string kH = "time,open,high,low,close,volume\n";
const std::string kRow = "2024-01-02T03:00:00Z,1,1,1,1,1\n";

INSTANTIATE_TEST_SUITE_P(
    BadInputs, ResampleRejects,
    ::testing::Values(
        BadInput{"increasing.csv", kH + "2024-01-02T03:05:00Z,1,1,1,1,1\n" + kRow, ":3: ", "strictly increasing"},
        BadInput{"duplicate.csv", kH + kRow + kRow, ":3: ", "duplicate time 2024-01-02T03:00:00Z"},
        BadInput{"high_low.csv", kH + kRow + "2024-01-02T03:01:00Z,5,4,6,5,1\n", ":3: ", "below low"},
        BadInput{"volume.csv", kH + kRow + "2024-01-02T03:01:00Z,1,1,1,1,-2\n", ":3: ", "negative volume"},
        BadInput{"nan.csv", kH + "2024-01-02T03:00:00Z,1,1,1,NaN,1\n", ":2: ", "close is NaN"},
        BadInput{"unaligned.csv", kH + "2024-01-02T03:00:30Z,1,1,1,1,1\n", ":2: ", "not on a minute boundary"},
        BadInput{"number.csv", kH + kRow + "\n2024-01-02T03:01:00Z,1,x,1,1,1\n", ":4: ", "bad high 'x'"},
        BadInput{"time.csv", kH + "02/01/2024 03:00,1,1,1,1,1\n", ":2: ", "02/01/2024 03:00"},
        BadInput{"columns.csv", kH + "2024-01-02T03:00:00Z,1,1,1,1\n", ":2: ", "found 5"},
        BadInput{"header.csv", "time,open,high,low,close\n2024-01-02T03:00:00Z,1,1,1,1\n", ":1: ",
                 "no 'volume' column"},
        BadInput{"headerless.csv", "1704164400,1,1,1\n", ":1: ", "at least 6 columns"},
        BadInput{"dup.json",
                 R"([{"candle_date_time_utc":"2024-01-02T03:00:00","opening_price":1,"high_price":1,"low_price":1,
                      "trade_price":1,"candle_acc_trade_volume":1,"candle_acc_trade_price":1},
                     {"candle_date_time_utc":"2024-01-02T03:00:00","opening_price":1,"high_price":1,"low_price":1,
                      "trade_price":1,"candle_acc_trade_volume":1,"candle_acc_trade_price":1}])",
                 ": element 1: ", "duplicate time"},
        BadInput{"field.json", R"([{"candle_date_time_utc":"2024-01-02T03:00:00","opening_price":1}])",
                 ": element 0: ", "missing numeric field 'high_price'"},
        BadInput{"broken.json", "[{\"candle_date_time_utc\": ", ": ", "malformed JSON"},
        BadInput{"empty.csv", "", ": ", "empty"}),
    [](const ::testing::TestParamInfo<BadInput>& info) {
      std::string n = info.param.name;
      for (char& c : n) {
        if (c == '.') c = '_';
      }
      return n;
    });

TEST(ResampleCommand, AMissingInputFileIsAnErrorNamingIt) {
  TempDir dir;
  CommandResult r = resample(dir.file("absent.csv"), "15m", {"--output", dir.file("out.csv")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir.file("absent.csv")), std::string::npos) << r.err;
  EXPECT_EQ(count_files(dir.path()), 0u);
}

TEST(ResampleCommand, BadFlagsAreUsageErrors) {
  TempDir dir;
  std::string in = dir.write("m.csv", kMinutesCsv);
  struct Case { std::vector<std::string> args; std::string why; };
  const Case cases[] = {
      {{"resample", "--input", in, "--timeframe", "7m"}, "1m 3m 5m 10m 15m 30m 1h 4h 1d 1w"},
      {{"resample", "--input", in, "--timeframe", "1d", "--origin", "25:00Z"}, "HH:MMZ"},
      {{"resample", "--input", in, "--timeframe", "1h", "--fill", "zero"}, "none, ffill"},
      {{"resample", "--input", in}, "--timeframe"},
      {{"resample", "--timeframe", "1h"}, "--input"},
      {{"resample", "--input", in, "--timeframe", "1h", "--bogus", "1"}, "--bogus"},
      {{"resample", "--input", in, "--timeframe"}, "--timeframe needs a value"},
  };
  for (const Case& c : cases) {
    CommandResult r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.why;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(c.why), std::string::npos) << r.err;
  }
}

TEST(CandlekeepHelp, EveryCommandPrintsItsUsageAndRunsNothing) {
  TempDir dir;
  for (const char* cmd : {"resample", "import", "get", "stats", "sync", "screen", "export", "serve", "sim", "live"}) {
    // --data points into the temp dir: a command that ran anyway would create the store there.
    CommandResult r = run_cli({cmd, "--data", dir.file("store"), "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_EQ(r.out.rfind(std::string("usage: candlekeep ") + cmd + " ", 0), 0u) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir.file("store"))) << cmd;
  }
  CommandResult top = run_cli({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("candlekeep resample --input FILE"), std::string::npos) << top.out;
}

}  // namespace
}  // namespace ck
