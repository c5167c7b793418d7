#include "timeframe/incremental.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "timeframe/candle_merge.h"

namespace ck {
namespace {

Status check_minute(const Candle& m) {
  std::string at = " at " + format_timestamp(m.time);
  if (m.time % kMinuteMs != 0) return Status::invalid_argument("time is not on a minute boundary" + at);
  for (double f : {m.open, m.high, m.low, m.close, m.volume, m.value}) {
    if (!std::isfinite(f)) return Status::invalid_argument("NaN or infinite field" + at);
  }
  if (m.high < m.low) return Status::invalid_argument("high is below low" + at);
  if (m.volume < 0 || m.value < 0) return Status::invalid_argument("negative volume or value" + at);
  return Status::ok();
}

}  // namespace

IncrementalAggregator::IncrementalAggregator(Timeframe timeframe, int64_t day_origin_ms)
    : timeframe_(timeframe), grid_(timeframe.grid(day_origin_ms)) {}

std::optional<Candle> IncrementalAggregator::current() const {
  if (!active_) return std::nullopt;
  if (!has_prefix_) return Candle{bucket_start_, last_.open, last_.high, last_.low, last_.close, last_.volume, last_.value};
  Candle c = prefix_;
  fold_minute(c, last_);
  return c;
}

Result<BucketUpdate> IncrementalAggregator::update(const Candle& minute) {
  CK_RETURN_IF_ERROR(check_minute(minute));
  BucketUpdate out;
  if (minute.time < closed_before_) {
    return Status::invalid_argument("minute " + format_timestamp(minute.time) + " belongs to a bucket already closed");
  }
  if (active_ && minute.time < last_.time) {
    if (minute.time < bucket_start_) {
      return Status::invalid_argument("minute " + format_timestamp(minute.time) + " is older than the open bucket " +
                                      format_timestamp(bucket_start_));
    }
    // A late revision (or a late first report) of an earlier minute of the open bucket: rare, so
    // the bucket is rebuilt from its minutes, in time order, as the batch calculator would.
    auto it = std::lower_bound(minutes_.begin(), minutes_.end(), minute.time,
                               [](const Candle& c, Timestamp t) { return c.time < t; });
    if (it != minutes_.end() && it->time == minute.time) {
      *it = minute;
    } else {
      minutes_.insert(it, minute);
    }
    rebuild();
    out.current = *current();
    return out;
  }
  if (active_ && minute.time == last_.time) {
    last_ = minute;  // revision of the open minute
    minutes_.back() = minute;
  } else if (active_ && minute.time < bucket_start_ + grid_.length) {
    // A new minute in the same bucket: the previous last minute is now final.
    if (has_prefix_) {
      fold_minute(prefix_, last_);
    } else {
      prefix_ = Candle{bucket_start_, last_.open, last_.high, last_.low, last_.close, last_.volume, last_.value};
      has_prefix_ = true;
    }
    last_ = minute;
    minutes_.push_back(minute);
  } else {
    if (active_) out.closed = current();
    active_ = true;
    bucket_start_ = grid_.floor(minute.time);
    has_prefix_ = false;
    last_ = minute;
    minutes_.assign(1, minute);
  }
  out.current = *current();
  return out;
}

std::optional<Candle> IncrementalAggregator::close_until(Timestamp now) {
  if (!active_ || now < bucket_start_ + grid_.length) return std::nullopt;
  std::optional<Candle> closed = current();
  closed_before_ = bucket_start_ + grid_.length;
  active_ = false;
  has_prefix_ = false;
  minutes_.clear();
  return closed;
}

void IncrementalAggregator::rebuild() {
  has_prefix_ = minutes_.size() > 1;
  if (has_prefix_) {
    const Candle& f = minutes_.front();
    prefix_ = Candle{bucket_start_, f.open, f.high, f.low, f.close, f.volume, f.value};
    for (size_t i = 1; i + 1 < minutes_.size(); ++i) fold_minute(prefix_, minutes_[i]);
  }
  last_ = minutes_.back();
}

}  // namespace ck
