#include "timeframe/candle_series.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <string>

namespace ck {

CandleSeries CandleSeries::from_columns(std::vector<Timestamp> time, std::vector<double> open,
                                       std::vector<double> high, std::vector<double> low, std::vector<double> close,
                                       std::vector<double> volume, std::vector<double> value) {
  assert(open.size() == time.size() && high.size() == time.size() && low.size() == time.size() &&
         close.size() == time.size() && volume.size() == time.size() && value.size() == time.size());
  CandleSeries s;
  s.time_ = std::move(time);
  s.open_ = std::move(open);
  s.high_ = std::move(high);
  s.low_ = std::move(low);
  s.close_ = std::move(close);
  s.volume_ = std::move(volume);
  s.value_ = std::move(value);
  return s;
}

void CandleSeries::reserve(size_t n) {
  time_.reserve(n);
  for (auto* c : {&open_, &high_, &low_, &close_, &volume_, &value_}) c->reserve(n);
}

void CandleSeries::clear() {
  time_.clear();
  for (auto* c : {&open_, &high_, &low_, &close_, &volume_, &value_}) c->clear();
}

void CandleSeries::push_back(const Candle& c) {
  time_.push_back(c.time);
  open_.push_back(c.open);
  high_.push_back(c.high);
  low_.push_back(c.low);
  close_.push_back(c.close);
  volume_.push_back(c.volume);
  value_.push_back(c.value);
}

CandleSeries::RowsOut CandleSeries::append_rows(size_t n) {
  const size_t at = time_.size();
  time_.resize(at + n);
  for (auto* c : {&open_, &high_, &low_, &close_, &volume_, &value_}) c->resize(at + n);
  return RowsOut{time_.data() + at,  open_.data() + at,   high_.data() + at, low_.data() + at,
                 close_.data() + at, volume_.data() + at, value_.data() + at};
}

void CandleSeries::truncate(size_t n) {
  time_.resize(n);
  for (auto* c : {&open_, &high_, &low_, &close_, &volume_, &value_}) c->resize(n);
}

Candle CandleSeries::operator[](size_t i) const {
  return Candle{time_[i], open_[i], high_[i], low_[i], close_[i], volume_[i], value_[i]};
}

size_t CandleSeries::lower_bound(Timestamp t) const {
  return size_t(std::lower_bound(time_.begin(), time_.end(), t) - time_.begin());
}

CandleSeries CandleSeries::slice(const TimeRange& range) const {
  CandleSeries out;
  size_t b = lower_bound(range.from), e = std::max(b, lower_bound(range.to));
  auto copy = [&](const auto& src, auto& dst) { dst.assign(src.begin() + b, src.begin() + e); };
  copy(time_, out.time_);
  copy(open_, out.open_);
  copy(high_, out.high_);
  copy(low_, out.low_);
  copy(close_, out.close_);
  copy(volume_, out.volume_);
  copy(value_, out.value_);
  return out;
}

void CandleSeries::append(const CandleSeries& o) {
  auto cat = [](auto& dst, const auto& src) { dst.insert(dst.end(), src.begin(), src.end()); };
  cat(time_, o.time_);
  cat(open_, o.open_);
  cat(high_, o.high_);
  cat(low_, o.low_);
  cat(close_, o.close_);
  cat(volume_, o.volume_);
  cat(value_, o.value_);
}

namespace {

// Two doubles (GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64, scalar elsewhere).
typedef double Pair __attribute__((vector_size(16)));

inline Pair load_pair(const double* p) {
  Pair x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

inline Pair min_pair(Pair a, Pair b) { return b < a ? b : a; }

// A cheap, branch-free look at rows [begin, end) (begin >= 1): true when every row certainly obeys
// the rules validate() checks. A false answer only means "look closer": validate's detailed loop
// then finds the row and the reason (or nothing, if a huge but finite sum overflowed below).
// kAlign is the alignment as a constant (so `%` becomes a multiplication), or 0 to use `align_ms`.
template <int64_t kAlign>
bool rows_look_valid(const CandleSeries& s, size_t begin, size_t end, int64_t align_ms) {
  const int64_t align = kAlign != 0 ? kAlign : align_ms;
  const Timestamp* t = s.time().data();
  bool times_ok = true;
  for (size_t i = begin; i < end; ++i) times_ok &= (t[i] > t[i - 1]) & (align <= 0 || t[i] % align == 0);

  // Without branches or masks: `nonfinite` sums (x - x) over every field, which stays 0 unless a
  // field is NaN or infinite; the minima of high - low, volume and value must not be negative.
  const double *o = s.open().data(), *h = s.high().data(), *l = s.low().data(), *c = s.close().data(),
               *v = s.volume().data(), *q = s.value().data();
  Pair nonfinite = {0, 0}, spread = {0, 0}, volume = {0, 0}, value = {0, 0};
  size_t i = begin;
  for (; i + 2 <= end; i += 2) {
    const Pair hi = load_pair(h + i), lo = load_pair(l + i), vol = load_pair(v + i), val = load_pair(q + i);
    const Pair sum = load_pair(o + i) + hi + lo + load_pair(c + i) + vol + val;
    nonfinite += sum - sum;
    spread = min_pair(spread, hi - lo);
    volume = min_pair(volume, vol);
    value = min_pair(value, val);
  }
  double nonfinite_sum = nonfinite[0] + nonfinite[1];
  double min_spread = std::min(spread[0], spread[1]), min_volume = std::min(volume[0], volume[1]),
         min_value = std::min(value[0], value[1]);
  for (; i < end; ++i) {
    const double sum = o[i] + h[i] + l[i] + c[i] + v[i] + q[i];
    nonfinite_sum += sum - sum;
    min_spread = std::min(min_spread, h[i] - l[i]);
    min_volume = std::min(min_volume, v[i]);
    min_value = std::min(min_value, q[i]);
  }
  return times_ok && nonfinite_sum == 0.0 && min_spread >= 0.0 && min_volume >= 0.0 && min_value >= 0.0;
}

// The detailed, row-by-row check of rows [begin, end): the first broken rule, naming the row.
Status validate_rows(const CandleSeries& s, size_t begin, size_t end, int64_t align_ms) {
  auto fail = [](size_t row, const std::string& why) {
    return Status::invalid_argument("row " + std::to_string(row) + ": " + why);
  };
  const auto t = s.time();
  for (size_t i = begin; i < end; ++i) {
    if (i > 0 && t[i] <= t[i - 1]) {
      if (t[i] == t[i - 1]) return fail(i, "duplicate time " + format_timestamp(t[i]));
      return fail(i, "time " + format_timestamp(t[i]) + " is not after the previous row's " +
                         format_timestamp(t[i - 1]) + " (times must be strictly increasing)");
    }
    if (align_ms > 0 && t[i] % align_ms != 0) {
      return fail(i, "time " + format_timestamp(t[i]) + " is not on a " +
                         (align_ms == kMinuteMs ? std::string("minute") : std::to_string(align_ms) + " ms") +
                         " boundary");
    }
    const double fields[] = {s.open()[i], s.high()[i], s.low()[i], s.close()[i], s.volume()[i], s.value()[i]};
    static const char* names[] = {"open", "high", "low", "close", "volume", "value"};
    for (int f = 0; f < 6; ++f) {
      if (std::isnan(fields[f])) return fail(i, std::string(names[f]) + " is NaN");
      if (std::isinf(fields[f])) return fail(i, std::string(names[f]) + " is infinite");
    }
    if (fields[1] < fields[2]) {
      return fail(i, "high " + std::to_string(fields[1]) + " is below low " + std::to_string(fields[2]));
    }
    if (fields[4] < 0) return fail(i, "negative volume " + std::to_string(fields[4]));
    if (fields[5] < 0) return fail(i, "negative value " + std::to_string(fields[5]));
  }
  return Status::ok();
}

}  // namespace

Status CandleSeries::validate(int64_t align_ms) const { return validate(align_ms, 0, size()); }

Status CandleSeries::validate(int64_t align_ms, size_t begin, size_t end) const {
  // Blocks of rows are scanned cheaply first; only a block that looks wrong gets the detailed,
  // row-by-row check that names the first offending row and the rule it broke.
  constexpr size_t kBlock = 1024;
  for (size_t from = begin; from < end; from += kBlock) {
    const size_t to = std::min(end, from + kBlock);
    const size_t first = std::max<size_t>(from, 1);  // row 0 has no predecessor: always detailed
    const bool clean = from > 0 && (align_ms == kMinuteMs ? rows_look_valid<kMinuteMs>(*this, first, to, align_ms)
                                                          : rows_look_valid<0>(*this, first, to, align_ms));
    if (!clean) CK_RETURN_IF_ERROR(validate_rows(*this, from, to, align_ms));
  }
  return Status::ok();
}

}  // namespace ck
