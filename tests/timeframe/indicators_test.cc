#include "timeframe/indicators.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace ck::indicators {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- Naive references: each output computed from its own window, straight from the definition. ----

double window_mean(const std::vector<double>& x, size_t end, int n) {  // mean of x[end-n+1..end]
  double s = 0;
  for (size_t j = end + 1 - size_t(n); j <= end; ++j) s += x[j];
  return s / n;
}

std::vector<double> ref_sma(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), kNaN);
  for (size_t i = 0; i < x.size(); ++i) {
    if (i + 1 >= size_t(n)) out[i] = window_mean(x, i, n);
  }
  return out;
}

std::vector<double> ref_ema(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), kNaN);
  if (x.size() < size_t(n)) return out;
  double a = 2.0 / (n + 1);
  out[n - 1] = window_mean(x, n - 1, n);
  for (size_t i = n; i < x.size(); ++i) out[i] = a * x[i] + (1 - a) * out[i - 1];
  return out;
}

std::vector<double> ref_rsi(const std::vector<double>& c, int n) {
  std::vector<double> out(c.size(), kNaN);
  if (c.size() <= size_t(n)) return out;
  double g = 0, l = 0;
  for (int i = 1; i <= n; ++i) {
    double d = c[i] - c[i - 1];
    if (d > 0) g += d; else l -= d;
  }
  g /= n;
  l /= n;
  auto rsi = [](double g, double l) {
    if (l == 0) return g == 0 ? 50.0 : 100.0;
    return 100.0 - 100.0 / (1.0 + g / l);  // the textbook form, RS = gain / loss
  };
  out[n] = rsi(g, l);
  for (size_t i = n + 1; i < c.size(); ++i) {
    double d = c[i] - c[i - 1];
    g = (g * (n - 1) + std::max(d, 0.0)) / n;
    l = (l * (n - 1) + std::max(-d, 0.0)) / n;
    out[i] = rsi(g, l);
  }
  return out;
}

std::vector<double> ref_ret(const std::vector<double>& c, int n) {
  std::vector<double> out(c.size(), kNaN);
  for (size_t i = n; i < c.size(); ++i) out[i] = (c[i] - c[i - n]) / c[i - n];
  return out;
}

std::vector<double> ref_max_prev(const std::vector<double>& h, int n) {
  std::vector<double> out(h.size(), kNaN);
  for (size_t i = n; i < h.size(); ++i) out[i] = *std::max_element(h.begin() + long(i) - n, h.begin() + long(i));
  return out;
}

std::vector<double> ref_new_high(const std::vector<double>& c, const std::vector<double>& h, int n) {
  std::vector<double> out(c.size(), kNaN);
  for (size_t i = n; i < c.size(); ++i) {
    bool above = true;
    for (size_t j = i - n; j < i; ++j) above = above && c[i] > h[j];
    out[i] = above ? 1 : 0;
  }
  return out;
}

std::vector<double> ref_bb(const std::vector<double>& x, int n, double k, double side) {
  std::vector<double> out(x.size(), kNaN);
  for (size_t i = 0; i < x.size(); ++i) {
    if (i + 1 < size_t(n)) continue;
    double m = window_mean(x, i, n), ss = 0;
    for (size_t j = i + 1 - n; j <= i; ++j) ss += (x[j] - m) * (x[j] - m);
    out[i] = m + side * k * std::sqrt(ss / n);  // population standard deviation
  }
  return out;
}

// ---- Data: random walks shaped like prices (a long way from zero) and traded values. ----

struct Bars {
  std::vector<double> close, high, value;
};

Bars random_bars(uint64_t seed, size_t size, double start) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 0.01);
  std::uniform_real_distribution<double> wick(0, 0.005), vol(0, 3);
  Bars b;
  double p = start;
  for (size_t i = 0; i < size; ++i) {
    double prev = p;
    p *= 1 + step(rng);
    b.close.push_back(p);
    b.high.push_back(std::max(prev, p) * (1 + wick(rng)));
    b.value.push_back(vol(rng) * p);
  }
  return b;
}

void expect_same(const std::vector<double>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << " at " << i << ": " << got[i] << " (want NaN)";
    } else {
      EXPECT_NEAR(got[i], want[i], 1e-9 * std::max(1.0, std::fabs(want[i]))) << what << " at " << i;
    }
  }
}

struct Case {
  uint64_t seed;
  size_t size;
  double start;
  int n;
};
// Short series (shorter than n, exactly n, n + 1) as well as long ones; prices from 0.05 to 1e8.
const Case kCases[] = {{1, 720, 50'000'000, 20}, {2, 720, 4'000'000, 14}, {3, 500, 0.05, 5}, {4, 19, 100, 20},
                       {5, 20, 100, 20},         {6, 21, 100, 20},        {7, 3000, 1e8, 200}, {8, 50, 10, 1}};

TEST(IndicatorsTest, SmaMatchesTheWindowMean) {
  for (const Case& c : kCases) {
    Bars b = random_bars(c.seed, c.size, c.start);
    expect_same(sma(b.close, c.n), ref_sma(b.close, c.n), "sma");
  }
}

TEST(IndicatorsTest, EmaIsSeededWithTheSimpleMeanThenSmoothed) {
  for (const Case& c : kCases) {
    Bars b = random_bars(c.seed, c.size, c.start);
    expect_same(ema(b.close, c.n), ref_ema(b.close, c.n), "ema");
  }
}

TEST(IndicatorsTest, RsiMatchesWildersDefinition) {
  for (const Case& c : kCases) {
    Bars b = random_bars(c.seed, c.size, c.start);
    expect_same(rsi(b.close, c.n), ref_rsi(b.close, c.n), "rsi");
  }
}

TEST(IndicatorsTest, RetIsTheNBarReturn) {
  for (const Case& c : kCases) {
    Bars b = random_bars(c.seed, c.size, c.start);
    expect_same(ret(b.close, c.n), ref_ret(b.close, c.n), "ret");
  }
}

TEST(IndicatorsTest, RollingMaxPrevIsTheHighestOfThePreviousNHighs) {
  for (const Case& c : kCases) {
    Bars b = random_bars(c.seed, c.size, c.start);
    expect_same(rolling_max_prev(b.high, c.n), ref_max_prev(b.high, c.n), "rolling_max_prev");
  }
}

TEST(IndicatorsTest, NewHighIsACloseAboveEveryPreviousNHigh) {
  for (const Case& c : kCases) {
    Bars b = random_bars(c.seed, c.size, c.start);
    // Highs of the bar itself only: closes do break the previous highs in a random walk.
    std::vector<double> got = new_high(b.close, b.high, c.n);
    expect_same(got, ref_new_high(b.close, b.high, c.n), "new_high");
  }
  // It fires at all on these walks (the comparison above would pass for an all-zero output otherwise).
  Bars b = random_bars(1, 720, 50'000'000);
  std::vector<double> got = new_high(b.close, b.high, 20);
  EXPECT_GT(std::count(got.begin(), got.end(), 1.0), 5);
}

TEST(IndicatorsTest, BollingerBandsUseThePopulationStandardDeviation) {
  for (const Case& c : kCases) {
    Bars b = random_bars(c.seed, c.size, c.start);
    expect_same(bb_upper(b.close, c.n, 2), ref_bb(b.close, c.n, 2, +1), "bb_upper");
    expect_same(bb_lower(b.close, c.n, 2.5), ref_bb(b.close, c.n, 2.5, -1), "bb_lower");
  }
}

TEST(IndicatorsTest, TvMaIsTheMovingAverageOfTradedValue) {
  for (const Case& c : kCases) {
    Bars b = random_bars(c.seed, c.size, c.start);
    expect_same(tv_ma(b.value, c.n), ref_sma(b.value, c.n), "tv_ma");
  }
}

TEST(IndicatorsTest, HandComputedValues) {
  const std::vector<double> x = {1, 2, 3, 4, 5};
  expect_same(sma(x, 3), {kNaN, kNaN, 2, 3, 4}, "sma");
  expect_same(ema(x, 3), {kNaN, kNaN, 2, 3, 4}, "ema");  // alpha 0.5 on a line keeps the lag of 1
  expect_same(ret(x, 2), {kNaN, kNaN, 2, 1, 2.0 / 3}, "ret");
  expect_same(rolling_max_prev(std::vector<double>{5, 1, 2, 6, 3}, 2), {kNaN, kNaN, 5, 2, 6}, "max_prev");
  expect_same(new_high(std::vector<double>{5, 1, 2, 6, 3}, std::vector<double>{5, 1, 2, 6, 3}, 2),
              {kNaN, kNaN, 0, 1, 0}, "new_high");
  // Up 1, down 1, up 2. Seed over the first n = 2 changes: gain 0.5, loss 0.5 -> 50; then
  // gain (0.5*1 + 2)/2 = 1.25, loss (0.5*1 + 0)/2 = 0.25 -> 100 * 1.25 / 1.5.
  expect_same(rsi(std::vector<double>{10, 11, 10, 12}, 2), {kNaN, kNaN, 50, 100 * 1.25 / 1.5}, "rsi");
  // Window {2, 4}: mean 3, population std 1.
  expect_same(bb_upper(std::vector<double>{2, 4}, 2, 2), {kNaN, 5}, "bb_upper");
  expect_same(bb_lower(std::vector<double>{2, 4}, 2, 2), {kNaN, 1}, "bb_lower");
}

TEST(IndicatorsTest, RsiIsHundredWithoutLossesAndFiftyWithoutMoves) {
  EXPECT_EQ(rsi(std::vector<double>{1, 2, 3, 4}, 2).back(), 100.0);
  EXPECT_EQ(rsi(std::vector<double>{3, 3, 3, 3}, 2).back(), 50.0);
  EXPECT_EQ(rsi(std::vector<double>{4, 3, 2, 1}, 2).back(), 0.0);
}

TEST(IndicatorsTest, ConstantSeriesHasBandsOnTheMean) {
  std::vector<double> flat(50, 123456789.0);
  std::vector<double> up = bb_upper(flat, 20, 2), mean = sma(flat, 20);
  EXPECT_EQ(up.back(), 123456789.0);
  EXPECT_EQ(mean.back(), 123456789.0);
}

TEST(IndicatorsTest, TooFewBarsGiveOnlyNaN) {
  const std::vector<double> x = {1, 2, 3};
  for (const auto& out : {sma(x, 4), ema(x, 4), rsi(x, 3), ret(x, 3), rolling_max_prev(x, 3), bb_upper(x, 4, 2),
                          tv_ma(x, 4), sma(x, 0), rsi(x, -1), sma(std::vector<double>{}, 3)}) {
    for (double v : out) EXPECT_TRUE(std::isnan(v));
  }
}

TEST(IndicatorsTest, AValueDependsOnlyOnBarsUpToIt) {
  Bars b = random_bars(11, 300, 1000);
  std::vector<double> prefix(b.close.begin(), b.close.begin() + 200);
  std::vector<double> full = rsi(b.close, 14), part = rsi(prefix, 14);
  for (size_t i = 0; i < part.size(); ++i) {
    if (std::isnan(part[i])) continue;
    EXPECT_EQ(full[i], part[i]) << i;
  }
}

}  // namespace
}  // namespace ck::indicators
