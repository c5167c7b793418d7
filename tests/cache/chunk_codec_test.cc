#include "cache/chunk_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>

#include "cache/coding.h"
#include "tests/cache/sample_data.h"

namespace ck {
namespace {

constexpr Timestamp kDay = 1'700'006'400'000;  // 2023-11-15T00:00:00Z

// Compares two series bit for bit (NaN payloads and the sign of zero included).
::testing::AssertionResult bit_identical(const CandleSeries& a, const CandleSeries& b) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure() << "sizes differ: " << a.size() << " vs " << b.size();
  }
  auto cols = [](const CandleSeries& s) {
    return std::array<std::span<const double>, 6>{s.open(), s.high(), s.low(), s.close(), s.volume(), s.value()};
  };
  auto ca = cols(a), cb = cols(b);
  for (size_t i = 0; i < a.size(); ++i) {
    if (a.time()[i] != b.time()[i]) return ::testing::AssertionFailure() << "time differs at row " << i;
    for (size_t c = 0; c < 6; ++c) {
      if (coding::double_bits(ca[c][i]) != coding::double_bits(cb[c][i])) {
        return ::testing::AssertionFailure() << "column " << c << " differs at row " << i << ": " << ca[c][i]
                                             << " vs " << cb[c][i];
      }
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult round_trips(const CandleSeries& s, Timestamp base, int64_t step = kMinuteMs) {
  auto bytes = encode_chunk(s, base, step);
  if (!bytes) return ::testing::AssertionFailure() << "encode: " << bytes.status().to_string();
  auto back = decode_chunk(*bytes);
  if (!back) return ::testing::AssertionFailure() << "decode: " << back.status().to_string();
  return bit_identical(s, *back);
}

// A day of candles whose fields come from `field(minute, column)`, at the minutes `present` says.
template <typename Field, typename Present>
CandleSeries make_day(Field field, Present present, Timestamp day = kDay) {
  CandleSeries s;
  for (int m = 0; m < 1440; ++m) {
    if (!present(m)) continue;
    s.push_back(Candle{day + m * kMinuteMs, field(m, 0), field(m, 1), field(m, 2), field(m, 3), field(m, 4),
                       field(m, 5)});
  }
  return s;
}

// Splits a 1-minute series into UTC-day chunks.
std::map<Timestamp, CandleSeries> by_day(const CandleSeries& s) {
  std::map<Timestamp, CandleSeries> days;
  for (size_t i = 0; i < s.size(); ++i) days[floor_div(s.time()[i], kDayMs) * kDayMs].push_back(s[i]);
  return days;
}

CandleSeries random_walk_day(std::mt19937_64& rng, double price, int decimals, double fill) {
  std::uniform_real_distribution<double> u(0, 1);
  double scale = std::pow(10.0, decimals);
  auto snap = [&](double x) { return std::round(x * scale) / scale; };
  std::vector<bool> present(1440);
  for (auto&& p : present) p = u(rng) < fill;
  CandleSeries s;
  double last = price;
  for (int m = 0; m < 1440; ++m) {
    if (!present[m]) continue;
    double o = snap(last), c = snap(std::max(1 / scale, o * (1 + 0.002 * (u(rng) - 0.5))));
    double h = snap(std::max(o, c) * (1 + 0.001 * u(rng))), l = snap(std::min(o, c) * (1 - 0.001 * u(rng)));
    double v = std::round(u(rng) * 1e6) / 1e4;
    s.push_back(Candle{kDay + m * kMinuteMs, o, h, l, c, v, snap(v * (o + c) / 2)});
    last = c;
  }
  return s;
}

TEST(ChunkCodec, EmptyChunkRoundTrips) {
  CandleSeries empty;
  auto bytes = encode_chunk(empty, kDay);
  ASSERT_TRUE(bytes) << bytes.status().to_string();
  auto back = decode_chunk(*bytes);
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_TRUE(back->empty());
}

TEST(ChunkCodec, FullDayRoundTrips) {
  std::mt19937_64 rng(7);
  CandleSeries s = random_walk_day(rng, 104217.5, 1, 1.0);
  ASSERT_EQ(s.size(), 1440u);
  EXPECT_TRUE(round_trips(s, kDay));
}

TEST(ChunkCodec, RandomDaysRoundTrip) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> decimals(0, 9);
  std::uniform_real_distribution<double> fill(0.0, 1.0), logp(-8, 15);
  for (int trial = 0; trial < 60; ++trial) {
    CandleSeries s = random_walk_day(rng, std::pow(10.0, logp(rng)), decimals(rng), fill(rng));
    EXPECT_TRUE(round_trips(s, kDay)) << "trial " << trial;
  }
}

TEST(ChunkCodec, RandomBitPatternsRoundTrip) {
  // Every field an arbitrary 64-bit pattern: NaNs, infinities, subnormals, -0.0 all included.
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    auto s = make_day([&](int, int) { return coding::bits_double(rng()); },
                      [&](int m) { return (m + trial) % (trial + 1) == 0; });
    EXPECT_TRUE(round_trips(s, kDay)) << "trial " << trial;
  }
}

TEST(ChunkCodec, RealDataRoundTripsBitExact) {
  for (const auto& file : testing::real_minute_files()) {
    CandleSeries all = testing::load_real(file);
    ASSERT_FALSE(all.empty()) << file;
    for (const auto& [day, chunk] : by_day(all)) {
      EXPECT_TRUE(round_trips(chunk, day)) << file << " day " << format_timestamp(day);
    }
  }
}

TEST(ChunkCodec, SyntheticKrwMarketsRoundTripBitExact) {
  for (double price : {11'500'000.0, 310'000.0, 2'500.0, 320.0, 4.5}) {
    testing::KrwMarketShape shape;
    shape.start_price = price;
    shape.median_trade_volume = 200'000 / price;
    CandleSeries all = testing::synthetic_krw_minutes(shape, kDay, 2);
    for (const auto& [day, chunk] : by_day(all)) {
      EXPECT_TRUE(round_trips(chunk, day)) << "price " << price << " day " << format_timestamp(day);
    }
  }
}

TEST(ChunkCodec, RealDataIsCompact) {
  // The L3 goal is <= 12 bytes per candle after RocksDB compression; the codec alone meets it here.
  for (const auto& file : testing::real_minute_files()) {
    CandleSeries all = testing::load_real(file);
    size_t bytes = 0;
    for (const auto& [day, chunk] : by_day(all)) bytes += encode_chunk(chunk, day)->size();
    EXPECT_LE(double(bytes) / double(all.size()), 12.0) << file;
  }
}

TEST(ChunkCodec, ExtremeValuesRoundTrip) {
  const double tiny = 1e-8, huge = 1e15;
  const double inf = std::numeric_limits<double>::infinity();
  const double specials[] = {tiny,  huge, 0.0, -0.0, 1e-300, 5e-324, std::numeric_limits<double>::max(), -huge,
                             123456789.123456789, 0.1, inf, -inf};
  // Tiny and huge prices, zero volumes.
  EXPECT_TRUE(round_trips(make_day([&](int m, int c) { return c >= 4 ? 0.0 : tiny * (1 + m % 7); },
                                   [](int) { return true; }),
                          kDay));
  EXPECT_TRUE(round_trips(make_day([&](int m, int c) { return c >= 4 ? 0.0 : huge + m * 0.125; },
                                   [](int) { return true; }),
                          kDay));
  // Every special value in every column, mixed with ordinary ones.
  for (double special : specials) {
    auto s = make_day([&](int m, int c) { return (m + c) % 5 == 0 ? special : 100.25 + m; },
                      [](int m) { return m % 3 != 1; });
    EXPECT_TRUE(round_trips(s, kDay)) << special;
  }
}

TEST(ChunkCodec, NegativeZeroKeepsItsSign) {
  auto s = make_day([](int, int c) { return c == 4 ? -0.0 : 1.0; }, [](int m) { return m < 3; });
  auto back = decode_chunk(*encode_chunk(s, kDay));
  ASSERT_TRUE(back);
  EXPECT_TRUE(std::signbit(back->volume()[1]));
}

TEST(ChunkCodec, DerivedTimeframeChunksRoundTrip) {
  std::mt19937_64 rng(5);
  CandleSeries minutes = random_walk_day(rng, 5000, 2, 1.0);
  for (int64_t step : {15 * kMinuteMs, kHourMs, 4 * kHourMs}) {
    CandleSeries s;
    for (size_t i = 0; i < minutes.size(); ++i) {
      if ((minutes.time()[i] - kDay) % step == 0) s.push_back(minutes[i]);
    }
    EXPECT_TRUE(round_trips(s, kDay, step)) << step;
  }
  // A year of daily candles in one chunk.
  CandleSeries daily;
  for (int d = 0; d < 365; ++d) daily.push_back(Candle{kDay + d * kDayMs, 1.5 + d, 2.5 + d, 1.0 + d, 2.0 + d, d * 0.5, 0});
  EXPECT_TRUE(round_trips(daily, kDay, kDayMs));
}

TEST(ChunkCodec, HeaderDescribesTheChunk) {
  auto s = make_day([](int m, int) { return 10.0 + m; }, [](int m) { return m % 2 == 0; });
  auto bytes = encode_chunk(s, kDay);
  ASSERT_TRUE(bytes);
  auto h = read_chunk_header(*bytes);
  ASSERT_TRUE(h) << h.status().to_string();
  EXPECT_EQ(h->version, kChunkFormatVersion);
  EXPECT_EQ(h->count, 720u);
  EXPECT_EQ(h->base, kDay);
  EXPECT_EQ(h->step_ms, kMinuteMs);
}

TEST(ChunkCodec, RejectsTimesOffTheGrid) {
  CandleSeries s;
  s.push_back(Candle{kDay + 30'000, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(encode_chunk(s, kDay).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encode_chunk(s, kDay + kMinuteMs).status().code(), StatusCode::kInvalidArgument);  // before base
  EXPECT_EQ(encode_chunk(s, kDay, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(ChunkCodec, RejectsTimesNotIncreasing) {
  CandleSeries s;
  s.push_back(Candle{kDay + kMinuteMs, 1, 1, 1, 1, 1, 1});
  s.push_back(Candle{kDay + kMinuteMs, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(encode_chunk(s, kDay).status().code(), StatusCode::kInvalidArgument);
}

TEST(ChunkCodec, DecodeIntoAppendsAfterExistingCandles) {
  auto day1 = make_day([](int m, int) { return 1.0 + m; }, [](int m) { return m % 10 == 0; });
  auto day2 = make_day([](int m, int) { return 2.0 + m; }, [](int m) { return m % 10 == 0; }, kDay + kDayMs);
  CandleSeries out;
  ASSERT_TRUE(decode_chunk_into(*encode_chunk(day1, kDay), out).is_ok());
  ASSERT_TRUE(decode_chunk_into(*encode_chunk(day2, kDay + kDayMs), out).is_ok());
  CandleSeries expected = day1;
  expected.append(day2);
  EXPECT_TRUE(bit_identical(out, expected));
}

TEST(ChunkCodec, DecodeIntoRejectsAChunkThatDoesNotFollow) {
  auto day1 = make_day([](int m, int) { return 1.0 + m; }, [](int m) { return m % 10 == 0; });
  CandleSeries out;
  ASSERT_TRUE(decode_chunk_into(*encode_chunk(day1, kDay), out).is_ok());
  EXPECT_FALSE(decode_chunk_into(*encode_chunk(day1, kDay), out).is_ok());
}

class CorruptChunk : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(9);
    chunk_ = *encode_chunk(random_walk_day(rng, 250.5, 2, 0.8), kDay);
  }
  std::string chunk_;
};

TEST_F(CorruptChunk, EveryTruncationIsCorruption) {
  for (size_t len = 0; len < chunk_.size(); ++len) {
    auto r = decode_chunk(std::string_view(chunk_).substr(0, len));
    ASSERT_FALSE(r) << "prefix of " << len << " bytes decoded";
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << len;
  }
}

TEST_F(CorruptChunk, EveryByteChangeIsCorruption) {
  std::mt19937_64 rng(1);
  for (size_t pos = 0; pos < chunk_.size(); ++pos) {
    std::string bad = chunk_;
    bad[pos] = char(bad[pos] ^ (1 + rng() % 255));
    auto r = decode_chunk(bad);
    ASSERT_FALSE(r) << "byte " << pos << " changed, still decoded";
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
}

TEST_F(CorruptChunk, AppendedBytesAreCorruption) {
  EXPECT_EQ(decode_chunk(chunk_ + "x").status().code(), StatusCode::kCorruption);
}

TEST_F(CorruptChunk, UnknownVersionIsCorruption) {
  std::string bad = chunk_;
  bad[0] = char(kChunkFormatVersion + 1);
  auto r = decode_chunk(bad);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("version"), std::string::npos) << r.status().message();
}

// Re-seals damaged bytes with a valid checksum, so the decoder's own checks face them.
std::string reseal(std::string body) {
  uint32_t c = ~0u;
  for (unsigned char b : body) {
    c ^= b;
    for (int j = 0; j < 8; ++j) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  coding::put_fixed32_le(body, ~c);
  return body;
}

TEST_F(CorruptChunk, ResealedDamageNeverCrashes) {
  // Past the checksum, the parser itself must reject or survive anything: flips, cuts, garbage.
  std::mt19937_64 rng(2);
  const std::string body = chunk_.substr(0, chunk_.size() - 4);
  int decoded = 0, rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = body;
    switch (trial % 3) {
      case 0:
        for (int f = 0; f < 1 + int(rng() % 4); ++f) bad[1 + rng() % (bad.size() - 1)] ^= char(1 << (rng() % 8));
        break;
      case 1:
        bad.resize(1 + rng() % (bad.size() - 1));
        break;
      case 2:
        for (size_t i = 1; i < bad.size(); ++i) bad[i] = char(rng());
        bad.resize(1 + rng() % bad.size());
        break;
    }
    auto r = decode_chunk(reseal(bad));
    if (r) {
      ++decoded;
      EXPECT_LE(r->size(), kMaxChunkCandles);
    } else {
      ++rejected;
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
    }
  }
  EXPECT_GT(rejected, 0);
  RecordProperty("decoded", decoded);
}

TEST(ChunkCodecFuzz, RandomBytesAreCorruption) {
  std::mt19937_64 rng(4);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string junk(rng() % 64, '\0');
    for (auto& ch : junk) ch = char(rng());
    if (!junk.empty() && trial % 2 == 0) junk[0] = char(kChunkFormatVersion);
    auto r = decode_chunk(junk);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace ck
