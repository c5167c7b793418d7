// The calculator against the exchanges themselves: real 1-minute candles (tests/data/real, copied
// from /work/shared/testdata/real; see its README.md) aggregated and compared with the same
// exchange's own higher-timeframe candles. Every reference bucket that the 1-minute file covers
// completely must match: OHLC exactly, volume (and Upbit's traded value) to a relative 1e-9.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "timeframe/aggregate.h"
#include "timeframe/candle_file.h"

namespace ck {
namespace {

const std::string kRealDir = std::string(CK_SOURCE_DIR) + "/tests/data/real/";

// The whole content of a file, decompressed if it is gzip (zlib reads plain files as they are).
std::string read_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  gzclose(f);
  return out;
}

CandleSeries load(const std::string& file, int64_t align_ms) {
  std::string content = read_gz(kRealDir + file);
  EXPECT_FALSE(content.empty()) << "cannot read " << kRealDir + file;
  auto s = parse_candles(content, file, align_ms);
  EXPECT_TRUE(s) << s.status().to_string();
  return s ? *s : CandleSeries();
}

bool close_enough(double a, double b) {
  return a == b || std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

// Aggregates `minutes` into `timeframe` and compares every bucket that lies wholly inside the span
// the minutes cover, [first minute, last minute + 1m), and inside the reference's span, with
// `reference`, both ways: a bucket in one and not in the other fails (an empty bucket must be
// absent from both). Returns the number of buckets compared.
size_t compare_with_reference(const CandleSeries& minutes, const CandleSeries& reference, Timeframe timeframe,
                              bool compare_value) {
  auto result = aggregate(minutes, timeframe);
  EXPECT_TRUE(result) << result.status().to_string();
  if (!result) return 0;
  const int64_t length = timeframe.length_ms();
  // Compare where both files speak: the span the minutes cover and the span the reference covers.
  const TimeRange covered = TimeRange{minutes.time().front(), minutes.time().back() + kMinuteMs}.intersect(
      TimeRange{reference.time().front(), reference.time().back() + length});
  auto inside = [&](Timestamp t) { return t >= covered.from && t + length <= covered.to; };

  std::map<Timestamp, Candle> ours;
  for (size_t i = 0; i < result->candles.size(); ++i) {
    if (inside(result->candles.time()[i])) ours[result->candles.time()[i]] = result->candles[i];
  }
  size_t compared = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    const Candle ref = reference[i];
    if (!inside(ref.time)) continue;
    auto it = ours.find(ref.time);
    if (it == ours.end()) {
      ADD_FAILURE() << timeframe.to_string() << " reference bucket " << format_timestamp(ref.time)
                    << " has no aggregated candle";
      continue;
    }
    const Candle& got = it->second;
    const std::string where = timeframe.to_string() + " bucket " + format_timestamp(ref.time);
    EXPECT_EQ(got.open, ref.open) << where;
    EXPECT_EQ(got.high, ref.high) << where;
    EXPECT_EQ(got.low, ref.low) << where;
    EXPECT_EQ(got.close, ref.close) << where;
    EXPECT_PRED2(close_enough, got.volume, ref.volume) << where;
    if (compare_value) {
      EXPECT_PRED2(close_enough, got.value, ref.value) << where;
    }
    ours.erase(it);
    ++compared;
  }
  for (const auto& [t, c] : ours) {
    ADD_FAILURE() << timeframe.to_string() << " aggregated bucket " << format_timestamp(t)
                  << " is not in the reference";
  }
  return compared;
}

// The README's advice: the last row of a Bybit 1-minute file may be in progress; drop it.
CandleSeries bybit_minutes(const std::string& symbol) {
  CandleSeries all = load("bybit_" + symbol + "_1m.csv.gz", kMinuteMs);
  EXPECT_EQ(all.size(), 43200u);
  return all.slice(TimeRange{all.time().front(), all.time().back()});
}

TEST(RealData, BybitBtcMatchesBybitsOwn15m1hAnd4hCandles) {
  CandleSeries m = bybit_minutes("BTCUSDT");
  EXPECT_EQ(compare_with_reference(m, load("bybit_BTCUSDT_15m.csv.gz", 0), *Timeframe::parse("15m"), false), 2879u);
  EXPECT_EQ(compare_with_reference(m, load("bybit_BTCUSDT_60m.csv.gz", 0), *Timeframe::parse("1h"), false), 719u);
  EXPECT_EQ(compare_with_reference(m, load("bybit_BTCUSDT_240m.csv.gz", 0), *Timeframe::parse("4h"), false), 179u);
}

TEST(RealData, BybitDogeMatchesBybitsOwn15m1hAnd4hCandles) {
  CandleSeries m = bybit_minutes("DOGEUSDT");
  EXPECT_EQ(compare_with_reference(m, load("bybit_DOGEUSDT_15m.csv.gz", 0), *Timeframe::parse("15m"), false), 2879u);
  EXPECT_EQ(compare_with_reference(m, load("bybit_DOGEUSDT_60m.csv.gz", 0), *Timeframe::parse("1h"), false), 719u);
  EXPECT_EQ(compare_with_reference(m, load("bybit_DOGEUSDT_240m.csv.gz", 0), *Timeframe::parse("4h"), false),
            179u);
}

TEST(RealData, BybitsLastBucketIsReportedOpen) {
  CandleSeries all = load("bybit_BTCUSDT_1m.csv.gz", kMinuteMs);
  auto r = aggregate(all, *Timeframe::parse("15m"));
  ASSERT_TRUE(r);
  EXPECT_EQ(format_timestamp(r->candles.time().back()), "2025-06-29T16:30:00Z");
  EXPECT_FALSE(r->last_closed);  // the file ends at 16:38, inside the 16:30 bucket
}

TEST(RealData, SparseKrakenMatchesKrakensOwn15m1hAnd1dCandles) {
  CandleSeries m = load("kraken_XBTUSDC_1.csv.gz", kMinuteMs);
  EXPECT_EQ(m.size(), 56717u);  // of 129,600 minutes: no trades, no candle
  EXPECT_EQ(compare_with_reference(m, load("kraken_XBTUSDC_15.csv.gz", 0), *Timeframe::parse("15m"), false), 8569u);
  EXPECT_EQ(compare_with_reference(m, load("kraken_XBTUSDC_60.csv.gz", 0), *Timeframe::parse("1h"), false), 2160u);
  EXPECT_EQ(compare_with_reference(m, load("kraken_XBTUSDC_1440.csv.gz", 0), Timeframe::day(), false), 90u);
}

CandleSeries upbit_minutes() {
  CandleSeries m = load("upbit_1m_20200220_170000-20200220_202000.json", kMinuteMs);
  m.append(load("upbit_1m_20200220_202000-20200220_210000.json", kMinuteMs));
  EXPECT_TRUE(m.validate(kMinuteMs)) << "the two Upbit pages overlap";
  return m;
}

TEST(RealData, UpbitMatchesUpbitsOwn3mCandlesIncludingTradedValue) {
  CandleSeries m = upbit_minutes();
  EXPECT_EQ(m.size(), 240u);
  CandleSeries ref = load("upbit_3m_20200220_170000-20200220_200000.json", 3 * kMinuteMs);
  EXPECT_EQ(compare_with_reference(m, ref, *Timeframe::parse("3m"), true), 60u);
}

// Upbit publishes no 1h candles for this window; instead, 1h from the 1-minute candles must agree
// with 1h from Upbit's own 3-minute candles (timeframes agree with each other by construction).
TEST(RealData, UpbitHoursFromMinutesAgreeWithHoursFromUpbits3mCandles) {
  CandleSeries ref3m = load("upbit_3m_20200220_170000-20200220_200000.json", 3 * kMinuteMs);
  auto hours_from_3m = aggregate(ref3m, *Timeframe::parse("1h"));
  ASSERT_TRUE(hours_from_3m);
  // The 3-minute file covers 08:00-11:00 UTC: three whole hours.
  EXPECT_EQ(compare_with_reference(upbit_minutes(), hours_from_3m->candles, *Timeframe::parse("1h"), true), 3u);
}

}  // namespace
}  // namespace ck
