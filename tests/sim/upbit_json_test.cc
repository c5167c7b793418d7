#include "tools/sim/upbit_json.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "tests/sim/sim_fixture.h"
#include "timeframe/upbit_candle.h"

namespace ck::sim {
namespace {

using testing::at;
using testing::small_exchange;

std::string fixed8(double v) {
  std::string s;
  append_fixed8(s, v);
  return s;
}

TEST(UpbitJson, PricesHaveUpbitsFixedEightDecimals) {
  EXPECT_EQ(fixed8(47108000), "47108000.00000000");
  EXPECT_EQ(fixed8(123.4), "123.40000000");
  EXPECT_EQ(fixed8(0.0001), "0.00010000");
  EXPECT_EQ(fixed8(-234000), "-234000.00000000");
  EXPECT_EQ(fixed8(2.5), "2.50000000");
}

TEST(UpbitJson, IntegersPrintEveryDigit) {
  for (int64_t v : {int64_t(0), int64_t(7), int64_t(9), int64_t(10), int64_t(99), int64_t(100), int64_t(101),
                    int64_t(999999), int64_t(1000000), int64_t(1753833599704), int64_t(-1), int64_t(-100),
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    std::string s;
    append_int(s, v);
    EXPECT_EQ(s, std::to_string(v));
  }
  for (uint64_t p = 1; p < 1000000000000000000ull; p *= 10) {
    for (int64_t v : {int64_t(p) - 1, int64_t(p), int64_t(p) + 1}) {
      std::string s;
      append_int(s, v);
      EXPECT_EQ(s, std::to_string(v));
    }
  }
}

TEST(UpbitJson, QuantaPrintExactly) {
  std::string s;
  append_quantum(s, 256 * 10 + 193);  // 10 + 193/256
  EXPECT_EQ(s, "10.75390625");
  EXPECT_EQ(std::stod(s) * 256, 256 * 10 + 193);
  s.clear();
  append_quantum(s, -1);
  EXPECT_EQ(s, "-0.00390625");
}

TEST(UpbitJson, ChangeRateHasTenDecimals) {
  std::string s;
  append_rate(s, 675000.0 / 162483000.0);
  EXPECT_EQ(s, "0.0041542808");
  s.clear();
  append_rate(s, -234000.0 / 162717000.0);
  EXPECT_EQ(s, "-0.0014380796");
}

TEST(UpbitJson, DateTimesHaveNoZoneAndKstIsNineHoursLater) {
  std::string s;
  append_date_time(s, at("2023-10-30T12:32:00Z"));
  EXPECT_EQ(s, "2023-10-30T12:32:00");
  s.clear();
  append_date_time(s, at("2023-10-30T20:32:00Z"), kKstOffsetMs);
  EXPECT_EQ(s, "2023-10-31T05:32:00");
}

TEST(UpbitJson, MinuteCandleHasUpbitsFieldsInOrderWithTheirTypes) {
  auto ex = small_exchange();
  auto rows = ex->latest(0, CandleUnit::minute(5), ex->now() + 1, 1, ex->now());
  ASSERT_EQ(rows.size(), 1u);
  std::string text = candles_json(ex->markets()[0], CandleUnit::minute(5), rows);
  auto j = nlohmann::ordered_json::parse(text);
  ASSERT_TRUE(j.is_array());
  std::vector<std::string> keys;
  for (auto& [k, v] : j[0].items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"market", "candle_date_time_utc", "candle_date_time_kst", "opening_price",
                                            "high_price", "low_price", "trade_price", "timestamp",
                                            "candle_acc_trade_price", "candle_acc_trade_volume", "unit"}));
  EXPECT_TRUE(j[0]["market"].is_string());
  EXPECT_TRUE(j[0]["opening_price"].is_number_float());
  EXPECT_TRUE(j[0]["timestamp"].is_number_integer());
  EXPECT_TRUE(j[0]["candle_acc_trade_volume"].is_number_float());
  EXPECT_EQ(j[0]["unit"], 5);
  auto c = candle_from_upbit_json(j[0]);
  ASSERT_TRUE(c) << c.status().to_string();
  EXPECT_EQ(*c, rows[0].to_candle());  // the text carries the exact doubles
}

TEST(UpbitJson, DayCandleHasChangeFieldsAndConvertedPriceOnlyWhenAsked) {
  auto ex = small_exchange();
  auto rows = ex->latest(0, CandleUnit::days(), ex->now() + 1, 2, ex->now());
  auto plain = nlohmann::ordered_json::parse(candles_json(ex->markets()[0], CandleUnit::days(), rows));
  EXPECT_FALSE(plain[0].contains("unit"));
  EXPECT_FALSE(plain[0].contains("converted_trade_price"));
  EXPECT_EQ(plain[0]["prev_closing_price"].get<double>(), rows[1].close);
  EXPECT_DOUBLE_EQ(plain[0]["change_price"].get<double>(), rows[0].close - rows[1].close);
  EXPECT_EQ(plain[0]["candle_date_time_kst"].get<std::string>().substr(10), "T09:00:00");
  auto converted = nlohmann::json::parse(candles_json(ex->markets()[0], CandleUnit::days(), rows, true));
  EXPECT_EQ(converted[0]["converted_trade_price"].get<double>(), rows[0].close);
}

TEST(UpbitJson, WeekMonthAndYearCandlesNameTheirFirstDay) {
  auto ex = small_exchange();
  for (CandleUnit u : {CandleUnit::weeks(), CandleUnit::months(), CandleUnit::years()}) {
    auto rows = ex->latest(0, u, ex->now() + 1, 1, ex->now());
    ASSERT_EQ(rows.size(), 1u);
    auto j = nlohmann::json::parse(candles_json(ex->markets()[0], u, rows));
    std::string first = j[0]["first_day_of_period"];
    EXPECT_EQ(first + "T00:00:00", j[0]["candle_date_time_utc"].get<std::string>()) << u.name();
  }
  auto week = nlohmann::json::parse(candles_json(ex->markets()[0], CandleUnit::weeks(),
                                                 ex->latest(0, CandleUnit::weeks(), ex->now() + 1, 1, ex->now())));
  EXPECT_EQ(week[0]["first_day_of_period"], "2025-07-28");  // a Monday
}

TEST(UpbitJson, ErrorsUseTheIntegerStatusAsName) {
  EXPECT_EQ(error_json(404, "Code not found"), R"({"error":{"name":404,"message":"Code not found"}})");
  EXPECT_EQ(error_json("not_found", "no Route matched with those values"),
            R"({"error":{"name":"not_found","message":"no Route matched with those values"}})");
}

TEST(UpbitJson, TickerRowHasTheCapturedFieldsInOrder) {
  auto ex = small_exchange();
  std::string s;
  append_ticker(s, ex->markets()[0], ex->ticker(0, ex->now()));
  auto j = nlohmann::ordered_json::parse(s);
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "market", "trade_date", "trade_time", "trade_date_kst", "trade_time_kst", "trade_timestamp",
                      "opening_price", "high_price", "low_price", "trade_price", "prev_closing_price", "change",
                      "change_price", "change_rate", "signed_change_price", "signed_change_rate", "trade_volume",
                      "acc_trade_price", "acc_trade_price_24h", "acc_trade_volume", "acc_trade_volume_24h",
                      "highest_52_week_price", "highest_52_week_date", "lowest_52_week_price",
                      "lowest_52_week_date", "timestamp"}));
  EXPECT_EQ(j["trade_date"], "20250730");
  EXPECT_EQ(j["trade_date_kst"], "20250730");
  EXPECT_GE(j["change_price"].get<double>(), 0);
  EXPECT_EQ(j["signed_change_price"].get<double>() < 0, j["change"] == "FALL");
}

}  // namespace
}  // namespace ck::sim
