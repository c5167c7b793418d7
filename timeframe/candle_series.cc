#include "timeframe/candle_series.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ck {

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

Status CandleSeries::validate(int64_t align_ms) const {
  auto fail = [](size_t row, const std::string& why) {
    return Status::invalid_argument("row " + std::to_string(row) + ": " + why);
  };
  for (size_t i = 0; i < size(); ++i) {
    if (i > 0 && time_[i] <= time_[i - 1]) {
      if (time_[i] == time_[i - 1]) return fail(i, "duplicate time " + format_timestamp(time_[i]));
      return fail(i, "time " + format_timestamp(time_[i]) + " is not after the previous row's " +
                         format_timestamp(time_[i - 1]) + " (times must be strictly increasing)");
    }
    if (align_ms > 0 && time_[i] % align_ms != 0) {
      return fail(i, "time " + format_timestamp(time_[i]) + " is not on a " +
                         (align_ms == kMinuteMs ? std::string("minute") : std::to_string(align_ms) + " ms") +
                         " boundary");
    }
    const double fields[] = {open_[i], high_[i], low_[i], close_[i], volume_[i], value_[i]};
    static const char* names[] = {"open", "high", "low", "close", "volume", "value"};
    for (int f = 0; f < 6; ++f) {
      if (std::isnan(fields[f])) return fail(i, std::string(names[f]) + " is NaN");
      if (std::isinf(fields[f])) return fail(i, std::string(names[f]) + " is infinite");
    }
    if (high_[i] < low_[i]) {
      return fail(i, "high " + std::to_string(high_[i]) + " is below low " + std::to_string(low_[i]));
    }
    if (volume_[i] < 0) return fail(i, "negative volume " + std::to_string(volume_[i]));
    if (value_[i] < 0) return fail(i, "negative value " + std::to_string(value_[i]));
  }
  return Status::ok();
}

}  // namespace ck
