#include "tests/cache/sample_data.h"

#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "timeframe/candle_file.h"

namespace ck::testing {

std::string real_data_dir() { return std::string(CK_SOURCE_DIR) + "/tests/data/real/"; }

CandleSeries load_real(const std::string& file) {
  gzFile f = gzopen((real_data_dir() + file).c_str(), "rb");  // zlib reads plain files as they are
  if (f == nullptr) return {};
  std::string content;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) content.append(buf, size_t(n));
  gzclose(f);
  auto s = parse_candles(content, file, kMinuteMs);
  return s ? *s : CandleSeries();
}

std::vector<std::string> real_minute_files() {
  return {"bybit_BTCUSDT_1m.csv.gz", "bybit_DOGEUSDT_1m.csv.gz", "kraken_XBTUSDC_1.csv.gz",
          "upbit_1m_20200220_170000-20200220_202000.json"};
}

double krw_tick(double price) {
  if (price >= 2'000'000) return 1000;
  if (price >= 1'000'000) return 500;
  if (price >= 500'000) return 100;
  if (price >= 100'000) return 50;
  if (price >= 10'000) return 10;
  if (price >= 1'000) return 5;
  if (price >= 100) return 1;
  if (price >= 10) return 0.1;
  return 0.01;
}

namespace {

constexpr int64_t kPriceUnit = 10'000;      // prices in 1e-4 KRW: every tick is a whole number of units
constexpr int64_t kVolumeUnit = 100'000'000;  // volumes have 8 decimals

// The double a JSON reader makes of the exact decimal `units` × 10^-decimals.
double parse_decimal(__int128 units, int decimals) {
  bool neg = units < 0;
  if (neg) units = -units;
  std::string digits;
  do {
    digits.insert(digits.begin(), char('0' + int(units % 10)));
    units /= 10;
  } while (units > 0);
  while (int(digits.size()) <= decimals) digits.insert(digits.begin(), '0');
  std::string text = (neg ? "-" : "") + digits.substr(0, digits.size() - decimals) + "." +
                     digits.substr(digits.size() - decimals);
  return std::strtod(text.c_str(), nullptr);
}

}  // namespace

KrwMarketShape screener_market_shape(int i) {
  std::mt19937_64 rng(1000 + uint64_t(i));
  KrwMarketShape s;
  s.start_price = std::exp(std::uniform_real_distribution<double>(std::log(5.0), std::log(1e8))(rng));
  s.trades_per_minute = i % 5 == 0 ? 0.3 : 8 + double(rng() % 40);
  s.median_trade_volume = 200'000 / s.start_price;
  s.seed = 7 + uint64_t(i);
  return s;
}

CandleSeries synthetic_krw_minutes(const KrwMarketShape& shape, int64_t first_day, int days) {
  std::mt19937_64 rng(shape.seed);
  std::normal_distribution<double> normal(0, 1);
  int64_t price = int64_t(std::llround(shape.start_price / krw_tick(shape.start_price))) *
                  int64_t(std::llround(krw_tick(shape.start_price) * kPriceUnit));
  CandleSeries out;
  const int minutes = days * 1440;
  out.reserve(size_t(minutes));
  for (int m = 0; m < minutes; ++m) {
    // Activity follows the day: busiest around the KRX/Upbit evening, quietest at dawn.
    double phase = 2 * M_PI * (m % 1440) / 1440.0;
    double lambda = shape.trades_per_minute * (1.0 + 0.7 * std::sin(phase)) * std::exp(0.5 * normal(rng) - 0.125);
    int trades = std::poisson_distribution<int>(std::max(lambda, 0.0))(rng);
    if (trades == 0) continue;
    int64_t open = 0, high = 0, low = 0, close = 0, volume = 0;
    __int128 value = 0;
    for (int t = 0; t < trades; ++t) {
      double p = double(price) / kPriceUnit;
      int64_t tick = int64_t(std::llround(krw_tick(p) * kPriceUnit));
      double sd_ticks = std::max(0.6, p * 0.00012 / krw_tick(p));
      int64_t step = int64_t(std::llround(normal(rng) * sd_ticks));
      price = std::max<int64_t>(tick, (price / tick + step) * tick);
      int64_t vol = std::max<int64_t>(
          1, std::llround(shape.median_trade_volume * std::exp(1.5 * normal(rng)) * double(kVolumeUnit)));
      if (t == 0) open = high = low = price;
      high = std::max(high, price);
      low = std::min(low, price);
      close = price;
      volume += vol;
      value += __int128(price) * vol;
    }
    Candle c;
    c.time = first_day + int64_t(m) * kMinuteMs;
    c.open = parse_decimal(open, 4);
    c.high = parse_decimal(high, 4);
    c.low = parse_decimal(low, 4);
    c.close = parse_decimal(close, 4);
    c.volume = parse_decimal(volume, 8);
    c.value = parse_decimal(value, 12);
    out.push_back(c);
  }
  return out;
}

}  // namespace ck::testing
