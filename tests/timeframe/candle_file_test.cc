#include "timeframe/candle_file.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.h"
#include "timeframe/candle_csv.h"

namespace ck {
namespace {

CandleSeries parse_ok(std::string_view content, int64_t align_ms = kMinuteMs) {
  auto r = parse_candles(content, "in.csv", align_ms);
  EXPECT_TRUE(r) << r.status().to_string();
  return r ? *r : CandleSeries();
}

std::string parse_error(std::string_view content, int64_t align_ms = kMinuteMs) {
  auto r = parse_candles(content, "in.csv", align_ms);
  EXPECT_FALSE(r) << "accepted:\n" << content;
  return r ? "" : r.status().message();
}

const Candle kFirst{1704164640000, 1.5, 2.5, 1.25, 2, 10, 0};   // 2024-01-02T03:04:00Z
const Candle kSecond{1704164700000, 2, 3, 1.75, 2.5, 0.5, 0};   // 2024-01-02T03:05:00Z

TEST(CandleFile, ReadsCsvWithAHeader) {
  CandleSeries s = parse_ok(
      "time,open,high,low,close,volume\n"
      "2024-01-02T03:04:00Z,1.5,2.5,1.25,2,10\n"
      "2024-01-02T03:05:00Z,2,3,1.75,2.5,0.5\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], kFirst);
  EXPECT_EQ(s[1], kSecond);
}

TEST(CandleFile, ReadsATimestampColumnAndTurnoverAsValue) {
  CandleSeries s = parse_ok(
      "timestamp,open,high,low,close,volume,turnover\n"
      "2024-01-02 03:04:00+00:00,1.5,2.5,1.25,2,10,20.5\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].time, kFirst.time);
  EXPECT_EQ(s[0].value, 20.5);
}

TEST(CandleFile, FindsColumnsByNameInAnyOrderAndIgnoresOthers) {
  CandleSeries s = parse_ok(
      "symbol,Volume,CLOSE,value,low,high,open,trades,time\n"
      "BTC,10,2,99.5,1.25,2.5,1.5,7,2024-01-02T03:04:00Z\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], (Candle{kFirst.time, 1.5, 2.5, 1.25, 2, 10, 99.5}));
}

TEST(CandleFile, ReadsHeaderlessCsvIgnoringExtraColumns) {
  // Kraken's OHLCVT layout: epoch seconds, o, h, l, c, volume, trade count.
  CandleSeries s = parse_ok(
      "1704164640,1.5,2.5,1.25,2,10,17\n"
      "1704164700,2,3,1.75,2.5,0.5,3\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], kFirst);
  EXPECT_EQ(s[1], kSecond);
}

TEST(CandleFile, ReadsHeaderlessCsvWithIsoTimes) {
  CandleSeries s = parse_ok("2024-01-02T03:04:00Z,1.5,2.5,1.25,2,10\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], kFirst);
}

TEST(CandleFile, TellsEpochSecondsFromMillisecondsByMagnitude) {
  EXPECT_EQ(parse_ok("1704164640,1,1,1,1,1\n")[0].time, kFirst.time);
  EXPECT_EQ(parse_ok("1704164640000,1,1,1,1,1\n")[0].time, kFirst.time);
  EXPECT_EQ(parse_ok("time,open,high,low,close,volume\n1704164640000,1,1,1,1,1\n")[0].time, kFirst.time);
}

TEST(CandleFile, AcceptsCrLfBlankLinesQuotesAndNoFinalNewline) {
  CandleSeries s = parse_ok(
      "\"time\",\"open\",\"high\",\"low\",\"close\",\"volume\"\r\n"
      "\r\n"
      "\"2024-01-02T03:04:00Z\",1.5,2.5,1.25,2,10\r\n"
      "2024-01-02T03:05:00Z, 2, 3, 1.75, 2.5, 0.5");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], kFirst);
  EXPECT_EQ(s[1], kSecond);
}

TEST(CandleFile, ReadsBackWhatCandlesToCsvWrites) {
  CandleSeries s;
  s.push_back(Candle{kFirst.time, 0.1, 0.30000000000000004, 1e-9, 123456789.123, 1.0 / 3, 2.0 / 3});
  s.push_back(Candle{kSecond.time, 104359.1, 104359.1, 103666.0, 103875.4, 4263.181, 0});
  std::string csv = candles_to_csv(s, true);
  EXPECT_EQ(parse_ok(csv), s);
}

const char* kUpbitNewestFirst = R"([
  {"market":"KRW-BTC","candle_date_time_utc":"2024-01-02T03:05:00","candle_date_time_kst":"2024-01-02T12:05:00",
   "opening_price":2.0,"high_price":3.0,"low_price":1.75,"trade_price":2.5,"timestamp":1704164759000,
   "candle_acc_trade_price":1.25,"candle_acc_trade_volume":0.5,"unit":1},
  {"market":"KRW-BTC","candle_date_time_utc":"2024-01-02T03:04:00","candle_date_time_kst":"2024-01-02T12:04:00",
   "opening_price":1.5,"high_price":2.5,"low_price":1.25,"trade_price":2,"timestamp":1704164699000,
   "candle_acc_trade_price":20,"candle_acc_trade_volume":10,"unit":1}
])";

TEST(CandleFile, ReadsUpbitJsonInAnyOrder) {
  CandleSeries s = parse_ok(kUpbitNewestFirst);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], (Candle{kFirst.time, 1.5, 2.5, 1.25, 2, 10, 20}));
  EXPECT_EQ(s[1], (Candle{kSecond.time, 2, 3, 1.75, 2.5, 0.5, 1.25}));
}

TEST(CandleFile, CsvErrorsNameTheFileAndLine) {
  struct Case { std::string content; std::string expected; };
  const std::string header = "time,open,high,low,close,volume\n";
  const Case cases[] = {
      {header + "2024-01-02T03:05:00Z,1,1,1,1,1\n2024-01-02T03:04:00Z,1,1,1,1,1\n", "in.csv:3: "},
      {header + "2024-01-02T03:04:00Z,1,1,1,1,1\n\n2024-01-02T03:04:00Z,1,1,1,1,1\n", "in.csv:4: "},
      {header + "2024-01-02T03:04:00Z,1,1,2,1,1\n", "in.csv:2: "},
      {header + "2024-01-02T03:04:00Z,1,1,1,1,1\n2024-01-02T03:05:00Z,1,1,1,1,-3\n", "in.csv:3: "},
      {header + "2024-01-02T03:04:00Z,nan,1,1,1,1\n", "in.csv:2: "},
      {header + "2024-01-02T03:04:30Z,1,1,1,1,1\n", "in.csv:2: "},
      {header + "2024-01-02T03:04:00Z,1,1,1,abc,1\n", "in.csv:2: "},
      {header + "2024-01-02T03:04:00Z,1,1,1,1\n", "in.csv:2: "},
      {header + "yesterday,1,1,1,1,1\n", "in.csv:2: "},
      {"time,open,high,low,close\n2024-01-02T03:04:00Z,1,1,1,1\n", "in.csv:1: "},
      {"1704164640,1,1,1\n", "in.csv:1: "},
  };
  for (const Case& c : cases) {
    std::string e = parse_error(c.content);
    EXPECT_EQ(e.rfind(c.expected, 0), 0u) << "expected a message starting with '" << c.expected << "', got: " << e;
  }
}

TEST(CandleFile, CsvErrorsSayWhatIsWrong) {
  const std::string h = "time,open,high,low,close,volume\n";
  const std::string ok = "2024-01-02T03:04:00Z,1,1,1,1,1\n";
  EXPECT_NE(parse_error(h + ok + ok).find("duplicate time 2024-01-02T03:04:00Z"), std::string::npos);
  EXPECT_NE(parse_error(h + "2024-01-02T03:05:00Z,1,1,1,1,1\n" + ok).find("strictly increasing"), std::string::npos);
  EXPECT_NE(parse_error(h + "2024-01-02T03:04:00Z,1,1,2,1,1\n").find("below low"), std::string::npos);
  EXPECT_NE(parse_error(h + "2024-01-02T03:04:00Z,1,1,1,1,-3\n").find("negative volume"), std::string::npos);
  EXPECT_NE(parse_error(h + "2024-01-02T03:04:00Z,1,NaN,1,1,1\n").find("high is NaN"), std::string::npos);
  EXPECT_NE(parse_error(h + "2024-01-02T03:04:30Z,1,1,1,1,1\n").find("minute boundary"), std::string::npos);
  EXPECT_NE(parse_error(h + "2024-01-02T03:04:00Z,1,1,1,abc,1\n").find("bad close 'abc'"), std::string::npos);
  EXPECT_NE(parse_error(h + "2024-01-02T03:04:00Z,1,1,1,1\n").find("found 5"), std::string::npos);
  EXPECT_NE(parse_error(h + "yesterday,1,1,1,1,1\n").find("yesterday"), std::string::npos);
  EXPECT_NE(parse_error("time,open,high,low,close\n").find("no 'volume' column"), std::string::npos);
  EXPECT_NE(parse_error("when,open,high,low,close,volume\n").find("no 'time (or timestamp)' column"),
            std::string::npos);
  EXPECT_NE(parse_error(h).find("no candles"), std::string::npos);
  EXPECT_NE(parse_error("").find("empty"), std::string::npos);
  EXPECT_NE(parse_error(" \n\n").find("empty"), std::string::npos);
}

TEST(CandleFile, AlignmentIsCheckedOnlyWhenAskedFor) {
  const char* csv = "2024-01-02T03:04:30Z,1,1,1,1,1\n";
  EXPECT_EQ(parse_ok(csv, 0).size(), 1u);
  EXPECT_NE(parse_error(csv, kMinuteMs).find("minute boundary"), std::string::npos);
}

TEST(CandleFile, JsonErrorsNameTheElement) {
  std::string dup = R"([{"candle_date_time_utc":"2024-01-02T03:04:00","opening_price":1,"high_price":1,
    "low_price":1,"trade_price":1,"candle_acc_trade_volume":1,"candle_acc_trade_price":1},
    {"candle_date_time_utc":"2024-01-02T03:04:00","opening_price":1,"high_price":1,
    "low_price":1,"trade_price":1,"candle_acc_trade_volume":1,"candle_acc_trade_price":1}])";
  std::string e = parse_error(dup);
  EXPECT_NE(e.find("in.csv: element 1: duplicate time"), std::string::npos) << e;

  std::string missing = R"([{"candle_date_time_utc":"2024-01-02T03:04:00","opening_price":1,"high_price":1,
    "low_price":1,"trade_price":1,"candle_acc_trade_volume":1,"candle_acc_trade_price":1},
    {"candle_date_time_utc":"2024-01-02T03:05:00","opening_price":1,"high_price":1,
    "low_price":1,"candle_acc_trade_volume":1,"candle_acc_trade_price":1}])";
  e = parse_error(missing);
  EXPECT_NE(e.find("in.csv: element 1: missing numeric field 'trade_price'"), std::string::npos) << e;

  e = parse_error(R"([{"candle_date_time_utc":"2024-01-02T03:04:00","opening_price":2,"high_price":1,
    "low_price":3,"trade_price":2,"candle_acc_trade_volume":1,"candle_acc_trade_price":1}])");
  EXPECT_NE(e.find("element 0: high"), std::string::npos) << e;

  e = parse_error(R"([{"candle_date_time_utc":"someday","opening_price":2}])");
  EXPECT_NE(e.find("element 0: bad timestamp 'someday'"), std::string::npos) << e;
}

TEST(CandleFile, RejectsMalformedJson) {
  EXPECT_NE(parse_error("[{\"candle_date_time_utc\": ").find("in.csv: malformed JSON"), std::string::npos);
  EXPECT_NE(parse_error("{\"a\": 1}").find("expected a JSON array"), std::string::npos);
  EXPECT_NE(parse_error("[]").find("no candles"), std::string::npos);
  EXPECT_NE(parse_error("[1, 2]").find("element 0: candle is not a JSON object"), std::string::npos);
}

TEST(CandleFile, ReadsAFileFromDisk) {
  testing::TempDir dir;
  std::string path = dir.write("m.csv", "time,open,high,low,close,volume\n2024-01-02T03:04:00Z,1.5,2.5,1.25,2,10\n");
  auto r = read_candle_file(path, kMinuteMs);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ((*r)[0], kFirst);
}

TEST(CandleFile, AMissingFileIsNotFoundNamingThePath) {
  testing::TempDir dir;
  auto r = read_candle_file(dir.file("absent.csv"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find(dir.file("absent.csv")), std::string::npos);
}

TEST(CandleFile, ADirectoryIsNotACandleFile) {
  testing::TempDir dir;
  auto r = read_candle_file(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(), dir.path() + ": is a directory, not a file");
}

TEST(CandleFile, ErrorsFromDiskNameThePath) {
  testing::TempDir dir;
  std::string path = dir.write("bad.csv", "time,open,high,low,close,volume\n2024-01-02T03:04:00Z,1,1,2,1,1\n");
  auto r = read_candle_file(path, kMinuteMs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message().rfind(path + ":2: ", 0), 0u) << r.status().message();
}

}  // namespace
}  // namespace ck
