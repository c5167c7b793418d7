#include "timeframe/indicators.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ck::indicators {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> nans(size_t size) { return std::vector<double>(size, kNaN); }

// A running sum with Neumaier's compensation: sliding windows add and subtract every value once,
// and the compensation keeps the result as exact as a fresh sum of the window (prices near 1e8
// over thousands of bars would otherwise drift in the last digits).
class RunningSum {
 public:
  void add(double v) {
    double t = sum_ + v;
    comp_ += std::fabs(sum_) >= std::fabs(v) ? (sum_ - t) + v : (v - t) + sum_;
    sum_ = t;
  }
  double value() const { return sum_ + comp_; }

 private:
  double sum_ = 0, comp_ = 0;
};

// Mean and population variance of every n-window. The sums run over x - x[0], so that the variance
// (E[d^2] - E[d]^2) does not cancel away: prices sit far from zero, their spread does not.
void window_moments(std::span<const double> x, int n, std::vector<double>* mean, std::vector<double>* var) {
  const size_t w = size_t(n);
  const double shift = x.empty() ? 0.0 : x[0];
  RunningSum s1, s2;
  for (size_t i = 0; i < x.size(); ++i) {
    double d = x[i] - shift;
    s1.add(d);
    s2.add(d * d);
    if (i >= w) {
      double old = x[i - w] - shift;
      s1.add(-old);
      s2.add(-old * old);
    }
    if (i + 1 < w) continue;
    double m = s1.value() / double(n);
    (*mean)[i] = m + shift;
    if (var) (*var)[i] = std::max(0.0, s2.value() / double(n) - m * m);
  }
}

std::vector<double> bollinger(std::span<const double> x, int n, double k, double side) {
  std::vector<double> mean = nans(x.size()), var = nans(x.size());
  if (n < 1) return mean;
  window_moments(x, n, &mean, &var);
  for (size_t i = 0; i < x.size(); ++i) mean[i] += side * k * std::sqrt(var[i]);  // NaN stays NaN
  return mean;
}

}  // namespace

std::vector<double> sma(std::span<const double> x, int n) {
  std::vector<double> out = nans(x.size());
  if (n < 1) return out;
  window_moments(x, n, &out, nullptr);
  return out;
}

std::vector<double> ema(std::span<const double> x, int n) {
  std::vector<double> out = nans(x.size());
  const size_t w = size_t(n);
  if (n < 1 || x.size() < w) return out;
  RunningSum seed;
  for (size_t i = 0; i < w; ++i) seed.add(x[i]);
  const double alpha = 2.0 / (double(n) + 1.0);
  double e = seed.value() / double(n);
  out[w - 1] = e;
  for (size_t i = w; i < x.size(); ++i) {
    e += alpha * (x[i] - e);
    out[i] = e;
  }
  return out;
}

std::vector<double> rsi(std::span<const double> close, int n) {
  std::vector<double> out = nans(close.size());
  const size_t w = size_t(n);
  if (n < 1 || close.size() <= w) return out;
  auto value = [](double gain, double loss) { return gain + loss > 0 ? 100.0 * gain / (gain + loss) : 50.0; };
  double gain = 0, loss = 0;
  for (size_t i = 1; i <= w; ++i) {
    double d = close[i] - close[i - 1];
    gain += std::max(d, 0.0);
    loss += std::max(-d, 0.0);
  }
  // Wilder: avg = (avg * (n-1) + x) / n, as two multiplications (one division per bar, not three).
  const double inv = 1.0 / double(n), keep = double(n - 1) * inv;
  gain *= inv;
  loss *= inv;
  out[w] = value(gain, loss);
  for (size_t i = w + 1; i < close.size(); ++i) {
    double d = close[i] - close[i - 1];
    gain = gain * keep + std::max(d, 0.0) * inv;
    loss = loss * keep + std::max(-d, 0.0) * inv;
    out[i] = value(gain, loss);
  }
  return out;
}

std::vector<double> ret(std::span<const double> close, int n) {
  std::vector<double> out = nans(close.size());
  if (n < 1) return out;
  for (size_t i = size_t(n); i < close.size(); ++i) out[i] = close[i] / close[i - size_t(n)] - 1.0;
  return out;
}

std::vector<double> rolling_max_prev(std::span<const double> high, int n) {
  std::vector<double> out = nans(high.size());
  if (n < 1) return out;
  const size_t w = size_t(n);
  // Indices of the window high[i-n..i-1] whose values decrease from front to back: the front is
  // the window's maximum; a value below a later one can never be a maximum again.
  std::vector<size_t> queue(high.size());
  size_t head = 0, tail = 0;
  for (size_t i = 1; i < high.size(); ++i) {
    const size_t j = i - 1;
    while (tail > head && high[queue[tail - 1]] <= high[j]) --tail;
    queue[tail++] = j;
    if (queue[head] + w < i) ++head;  // fell out of [i-n, i-1]
    if (i >= w) out[i] = high[queue[head]];
  }
  return out;
}

std::vector<double> new_high(std::span<const double> close, std::span<const double> high, int n) {
  std::vector<double> out = rolling_max_prev(high, n);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isnan(out[i])) out[i] = close[i] > out[i] ? 1.0 : 0.0;
  }
  return out;
}

std::vector<double> bb_upper(std::span<const double> x, int n, double k) { return bollinger(x, n, k, +1.0); }
std::vector<double> bb_lower(std::span<const double> x, int n, double k) { return bollinger(x, n, k, -1.0); }

std::vector<double> tv_ma(std::span<const double> value, int n) { return sma(value, n); }

}  // namespace ck::indicators
