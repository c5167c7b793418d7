#include "engine/screener.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "tests/support/fake_candle_source.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

using testing::make_minutes;

constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z

ScreenSpec spec_of(std::string_view indicators, std::string_view where = "", std::string_view sort = "") {
  auto s = ScreenSpec::parse(indicators, where, sort);
  EXPECT_TRUE(s) << s.status().message();
  return s ? std::move(s).value() : ScreenSpec{};
}

std::vector<std::string> columns_of(std::string_view text) {
  auto specs = parse_indicators(text);
  EXPECT_TRUE(specs) << specs.status().message();
  std::vector<std::string> out;
  if (specs) {
    for (const auto& s : *specs) out.push_back(s.column);
  }
  return out;
}

std::string indicator_error(std::string_view text) {
  auto specs = parse_indicators(text);
  EXPECT_FALSE(specs) << text;
  return specs ? "" : specs.status().message();
}

// A window of closes (open = previous close, high = low = close, volume 1, value = close).
CandleSeries closes(std::initializer_list<double> values, Timestamp start = kDay0) {
  CandleSeries s;
  double prev = *values.begin();
  Timestamp t = start;
  for (double c : values) {
    s.push_back(Candle{t, prev, std::max(prev, c), std::min(prev, c), c, 1, c});
    prev = c;
    t += kHourMs;
  }
  return s;
}

size_t column(const ScreenSpec& spec, const std::string& name) {
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    if (spec.columns[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

std::vector<std::string> markets_of(const std::vector<ScreenRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.market);
  return out;
}

TEST(ScreenerTest, IndicatorColumnsAreNamedAfterTheirParameters) {
  EXPECT_EQ(columns_of("sma:20, rsi:14,bb_upper:20:2,bb_lower:20,bb_upper:20:2.5,ema:12,ret:24,"
                       "rolling_max_prev:20,new_high:20,tv_ma:5"),
            (std::vector<std::string>{"sma20", "rsi14", "bb_upper20_2", "bb_lower20_2", "bb_upper20_2.5", "ema12",
                                      "ret24", "rolling_max_prev20", "new_high20", "tv_ma5"}));
  EXPECT_EQ(columns_of(""), std::vector<std::string>{});
  EXPECT_EQ(columns_of("sma:5,"), std::vector<std::string>{"sma5"});
}

TEST(ScreenerTest, BadIndicatorsAreRejectedWithTheAcceptedForm) {
  EXPECT_EQ(indicator_error("sma:20,macd:12"),
            "unknown indicator 'macd:12' (known: sma, ema, rsi, ret, rolling_max_prev, new_high, bb_upper, bb_lower, tv_ma)");
  EXPECT_EQ(indicator_error("rsi"), "'rsi' needs a length: rsi:N (e.g. rsi:20)");
  EXPECT_EQ(indicator_error("sma:0"), "'sma:0': the length N must be a whole number from 1 to 100000");
  EXPECT_EQ(indicator_error("sma:x"), "'sma:x': the length N must be a whole number from 1 to 100000");
  EXPECT_EQ(indicator_error("sma:2.5"), "'sma:2.5': the length N must be a whole number from 1 to 100000");
  EXPECT_EQ(indicator_error("sma:20:2"), "'sma:20:2' has too many parts; the form is sma:N");
  EXPECT_EQ(indicator_error("bb_upper:20:0"), "'bb_upper:20:0': the width K must be a positive number of standard deviations");
  EXPECT_EQ(indicator_error("bb_upper:20:2:1"), "'bb_upper:20:2:1' has too many parts; the form is bb_upper:N[:K]");
  EXPECT_EQ(indicator_error("sma:20,sma:20"), "indicator sma20 is asked for twice");
}

TEST(ScreenerTest, SpecErrorsNameTheFlag) {
  auto bad_where = ScreenSpec::parse("sma:20", "sma21 > 1", "");
  ASSERT_FALSE(bad_where);
  EXPECT_EQ(bad_where.status().message().substr(0, 32), "--where: unknown column 'sma21' ");
  auto bad_sort = ScreenSpec::parse("rsi:14", "", "-rsi15");
  ASSERT_FALSE(bad_sort);
  EXPECT_EQ(bad_sort.status().message(),
            "--sort: unknown column 'rsi15' (columns: market, time, bars, close, change, volume, value, rsi14; "
            "a leading '-' sorts descending)");
  auto bad_indicator = ScreenSpec::parse("rsi:-1", "", "");
  ASSERT_FALSE(bad_indicator);
  EXPECT_EQ(bad_indicator.status().message().substr(0, 22), "--indicators: 'rsi:-1'");
}

TEST(ScreenerTest, SortTextSetsColumnAndDirection) {
  ScreenSpec d = spec_of("rsi:14", "", "-rsi14");
  EXPECT_EQ(d.sort_column, "rsi14");
  EXPECT_TRUE(d.sort_descending);
  ScreenSpec a = spec_of("", "", "+change");
  EXPECT_EQ(a.sort_column, "change");
  EXPECT_FALSE(a.sort_descending);
  EXPECT_EQ(spec_of("", "", "market").sort_column, "market");
}

TEST(ScreenerTest, RowHoldsTheWindowFigures) {
  ScreenSpec spec = spec_of("sma:2,ret:1");
  ScreenRow row = screen_row("KRW-X", closes({10, 12, 9, 15}), spec);
  EXPECT_EQ(row.market, "KRW-X");
  ASSERT_TRUE(row.time);
  EXPECT_EQ(*row.time, kDay0 + 3 * kHourMs);
  EXPECT_EQ(row.values, (std::vector<double>{4, 15, 15.0 / 10 - 1, 4, 46, 12, 15.0 / 9 - 1}));
}

TEST(ScreenerTest, RowIndicatorsAreTheLastValuesOfTheFullSeries) {
  ScreenSpec spec = spec_of("sma:20,ema:12,rsi:14,ret:5,rolling_max_prev:10,new_high:10,bb_upper:20:2,bb_lower:20:1.5,tv_ma:7");
  for (size_t bars : {1u, 5u, 6u, 10u, 11u, 19u, 20u, 21u, 300u}) {
    CandleSeries w = make_minutes({kDay0, kDay0 + Timestamp(bars) * kMinuteMs}, 1.0, bars);
    ASSERT_EQ(w.size(), bars);
    ScreenRow row = screen_row("KRW-X", w, spec);
    for (size_t i = 0; i < spec.indicators.size(); ++i) {
      SCOPED_TRACE(spec.indicators[i].column + " over " + std::to_string(bars) + " bars");
      double want = compute_indicator(spec.indicators[i], w).back();
      double got = row.values[5 + i];
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got)) << got;
      } else {
        EXPECT_NEAR(got, want, 1e-12 * std::fabs(want));
      }
    }
  }
}

TEST(ScreenerTest, EmptyWindowHasNoValuesButZeroVolume) {
  ScreenSpec spec = spec_of("sma:2");
  ScreenRow row = screen_row("KRW-X", CandleSeries{}, spec);
  EXPECT_FALSE(row.time);
  EXPECT_EQ(row.values[column(spec, "bars")], 0);
  EXPECT_EQ(row.values[column(spec, "volume")], 0);
  EXPECT_EQ(row.values[column(spec, "value")], 0);
  EXPECT_TRUE(std::isnan(row.values[column(spec, "close")]));
  EXPECT_TRUE(std::isnan(row.values[column(spec, "change")]));
  EXPECT_TRUE(std::isnan(row.values[column(spec, "sma2")]));
}

std::vector<MarketWindow> sample_windows() {
  std::vector<MarketWindow> w(4);
  w[0].market = "KRW-A";
  w[0].candles = closes({10, 11, 12, 13});  // rising
  w[1].market = "KRW-B";
  w[1].candles = closes({13, 12, 11, 10});  // falling
  w[2].market = "KRW-C";
  w[2].candles = closes({10});              // too short for sma:2
  w[3].market = "KRW-D";
  w[3].candles = closes({10, 10, 10, 12});
  return w;
}

TEST(ScreenerTest, WhereKeepsOnlyMatchingRows) {
  auto rows = screen_windows(sample_windows(), spec_of("sma:2", "close > sma2"));
  ASSERT_TRUE(rows);
  EXPECT_EQ(markets_of(*rows), (std::vector<std::string>{"KRW-A", "KRW-D"}));
  rows = screen_windows(sample_windows(), spec_of("sma:2", "change < 0 or bars < 2"));
  ASSERT_TRUE(rows);
  EXPECT_EQ(markets_of(*rows), (std::vector<std::string>{"KRW-B", "KRW-C"}));
}

TEST(ScreenerTest, SortsAscendingOrDescendingWithNaNLast) {
  auto asc = screen_windows(sample_windows(), spec_of("sma:2", "", "sma2"));
  ASSERT_TRUE(asc);
  EXPECT_EQ(markets_of(*asc), (std::vector<std::string>{"KRW-B", "KRW-D", "KRW-A", "KRW-C"}));
  auto desc = screen_windows(sample_windows(), spec_of("sma:2", "", "-sma2"));
  ASSERT_TRUE(desc);
  EXPECT_EQ(markets_of(*desc), (std::vector<std::string>{"KRW-A", "KRW-D", "KRW-B", "KRW-C"}));
  auto by_market = screen_windows(sample_windows(), spec_of("", "", "-market"));
  EXPECT_EQ(markets_of(*by_market), (std::vector<std::string>{"KRW-D", "KRW-C", "KRW-B", "KRW-A"}));
  // Ties keep the order of the markets: A, B and D all have 4 bars.
  auto ties = screen_windows(sample_windows(), spec_of("", "", "-bars"));
  EXPECT_EQ(markets_of(*ties), (std::vector<std::string>{"KRW-A", "KRW-B", "KRW-D", "KRW-C"}));
}

TEST(ScreenerTest, AWindowThatCouldNotBeReadFailsTheScreen) {
  std::vector<MarketWindow> w = sample_windows();
  w[1].status = Status::not_found("market KRW-B is not stored");
  auto rows = screen_windows(w, spec_of(""));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.status().code(), StatusCode::kNotFound);
}

// ---- Against stored data ----

struct StoredScreenTest : ::testing::Test {
  testing::TempDir dir;
  std::unique_ptr<Engine> engine;
  std::map<std::string, CandleSeries> minutes;

  void SetUp() override {
    EngineOptions o;
    o.data_dir = dir.path();
    o.clock = std::make_shared<ManualClock>(kDay0 + 30 * kDayMs);
    o.source = std::make_shared<testing::FakeCandleSource>();
    auto e = Engine::open(o);
    ASSERT_TRUE(e) << e.status().to_string();
    engine = std::move(e).value();
  }
  void store(const std::string& market, TimeRange range, double density, uint64_t seed, double price) {
    minutes[market] = make_minutes(range, density, seed, price);
    ASSERT_TRUE(engine->store().write_minutes(market, minutes[market], {range}));
  }
};

// Hourly candles straight from the minutes, bucket by bucket.
CandleSeries naive_hours(const CandleSeries& m) {
  CandleSeries out;
  for (size_t i = 0; i < m.size();) {
    Timestamp hour = m.time()[i] - m.time()[i] % kHourMs;
    Candle c{hour, m.open()[i], m.high()[i], m.low()[i], m.close()[i], 0, 0};
    for (; i < m.size() && m.time()[i] < hour + kHourMs; ++i) {
      c.high = std::max(c.high, m.high()[i]);
      c.low = std::min(c.low, m.low()[i]);
      c.close = m.close()[i];
      c.volume += m.volume()[i];
      c.value += m.value()[i];
    }
    out.push_back(c);
  }
  return out;
}

TEST_F(StoredScreenTest, RowValuesAreExactlyThoseOfTheStoredWindow) {
  store("KRW-BTC", {kDay0, kDay0 + 3 * kDayMs + 30 * kMinuteMs}, 0.9, 1, 50'000'000);
  store("KRW-ETH", {kDay0, kDay0 + 3 * kDayMs}, 0.6, 2, 4'000'000);
  ScreenSpec spec = spec_of("sma:20,new_high:10,tv_ma:5");
  auto rows = screen(*engine, {"KRW-BTC", "KRW-ETH"}, Timeframe::hours(1), 48, spec);
  ASSERT_TRUE(rows) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 2u);
  for (const ScreenRow& row : *rows) {
    SCOPED_TRACE(row.market);
    // The last 48 closed hours: the 00:00 hour of day 3 is still open for KRW-BTC.
    const Timestamp end = kDay0 + 3 * kDayMs;
    CandleSeries hours = naive_hours(minutes[row.market].slice({end - 48 * kHourMs, end}));
    ASSERT_EQ(hours.size(), 48u);
    ASSERT_TRUE(row.time);
    EXPECT_EQ(*row.time, end - kHourMs);
    EXPECT_EQ(row.values[column(spec, "bars")], 48);
    EXPECT_EQ(row.values[column(spec, "close")], hours.close().back());
    EXPECT_DOUBLE_EQ(row.values[column(spec, "change")], hours.close().back() / hours.open().front() - 1);
    double volume = 0, value = 0;
    for (size_t i = 0; i < 48; ++i) {
      volume += hours.volume()[i];
      value += hours.value()[i];
    }
    EXPECT_DOUBLE_EQ(row.values[column(spec, "volume")], volume);
    EXPECT_DOUBLE_EQ(row.values[column(spec, "value")], value);
    double sma = 0, tv = 0, prev_high = 0;
    for (size_t i = 28; i < 48; ++i) sma += hours.close()[i] / 20;
    for (size_t i = 43; i < 48; ++i) tv += hours.value()[i] / 5;
    for (size_t i = 37; i < 47; ++i) prev_high = std::max(prev_high, hours.high()[i]);
    EXPECT_NEAR(row.values[column(spec, "sma20")], sma, 1e-9 * sma);
    EXPECT_NEAR(row.values[column(spec, "tv_ma5")], tv, 1e-9 * tv);
    EXPECT_EQ(row.values[column(spec, "new_high10")], hours.close().back() > prev_high ? 1.0 : 0.0);
  }
}

TEST_F(StoredScreenTest, OlderHistoryDoesNotChangeTheResult) {
  CandleSeries all = make_minutes({kDay0, kDay0 + 12 * kDayMs}, 0.8, 9);
  TimeRange recent{kDay0 + 10 * kDayMs, kDay0 + 12 * kDayMs};
  ASSERT_TRUE(engine->store().write_minutes("KRW-SHORT", all.slice(recent), {recent}));
  ASSERT_TRUE(engine->store().write_minutes("KRW-LONG", all, {{kDay0, kDay0 + 12 * kDayMs}}));
  // EMA and RSI are recursive: only a fixed window keeps them from depending on older bars.
  ScreenSpec spec = spec_of("ema:10,rsi:14,bb_upper:20:2");
  auto rows = screen(*engine, {"KRW-SHORT", "KRW-LONG"}, Timeframe::hours(1), 36, spec);
  ASSERT_TRUE(rows) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].time, (*rows)[1].time);
  EXPECT_EQ((*rows)[0].values, (*rows)[1].values);
  EXPECT_FALSE(std::isnan((*rows)[0].values[column(spec, "rsi14")]));
}

TEST_F(StoredScreenTest, UnknownMarketFailsWithNotFound) {
  store("KRW-BTC", {kDay0, kDay0 + kDayMs}, 0.9, 1, 50'000'000);
  auto rows = screen(*engine, {"KRW-BTC", "KRW-NOPE"}, Timeframe::hours(1), 10, spec_of(""));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.status().code(), StatusCode::kNotFound);
  EXPECT_NE(rows.status().message().find("KRW-NOPE"), std::string::npos);
}

TEST_F(StoredScreenTest, WhereAndSortOverStoredMarkets) {
  store("KRW-A", {kDay0, kDay0 + 2 * kDayMs}, 0.9, 11, 1000);
  store("KRW-B", {kDay0, kDay0 + 2 * kDayMs}, 0.9, 12, 2000);
  store("KRW-C", {kDay0, kDay0 + 2 * kDayMs}, 0.9, 13, 3000);
  ScreenSpec spec = spec_of("", "close > 1500", "-close");
  auto rows = screen(*engine, {"KRW-A", "KRW-B", "KRW-C"}, Timeframe::minutes(15), 8, spec);
  ASSERT_TRUE(rows) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(markets_of(*rows), (std::vector<std::string>{"KRW-C", "KRW-B"}));
  EXPECT_GT((*rows)[0].values[column(spec, "close")], (*rows)[1].values[column(spec, "close")]);
}

}  // namespace
}  // namespace ck
