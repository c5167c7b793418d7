#pragma once
// Timeframe: the length of a candle ("1m", "15m", "1h", "4h", "1d", "1w") and the grid its buckets
// sit on. Minute and hour buckets align to the UTC epoch; day buckets start at a day origin (default
// 00:00 UTC, which is Upbit's 09:00 KST day; 15:00Z gives days that start at KST midnight); week
// buckets start on Monday at the day origin.
#include <cstdint>
#include <string>
#include <string_view>

#include "timeframe/result.h"
#include "timeframe/timestamp.h"

namespace ck {

// The bucket grid of one timeframe: bucket starts are offset + k * length for integer k.
struct TimeGrid {
  int64_t length = kMinuteMs;
  int64_t offset = 0;  // in [0, length)

  Timestamp floor(Timestamp t) const { return floor_div(t - offset, length) * length + offset; }
  Timestamp ceil(Timestamp t) const { return floor(t + length - 1); }
  // True when every bucket of this grid is a whole number of buckets of `finer`.
  bool nests(const TimeGrid& finer) const {
    return length % finer.length == 0 && (offset - finer.offset) % finer.length == 0;
  }
};

class Timeframe {
 public:
  enum class Unit : uint8_t { kMinute, kDay, kWeek };

  // Accepted: "Nm" where N divides 1440 (1m 3m 5m 10m 15m 30m 60m 240m …), "Nh" where N divides
  // 24 (1h 4h …), "1d", "1w". Anything else is an error that names these forms.
  static Result<Timeframe> parse(std::string_view text);
  static Timeframe minutes(int n) { return Timeframe(Unit::kMinute, n); }
  static Timeframe hours(int n) { return Timeframe(Unit::kMinute, n * 60); }
  static Timeframe day() { return Timeframe(Unit::kDay, 1); }
  static Timeframe week() { return Timeframe(Unit::kWeek, 1); }

  Timeframe() = default;  // 1m
  Unit unit() const { return unit_; }
  int64_t length_ms() const;
  // Minutes in one bucket (1 for 1m, 1440 for 1d, 10080 for 1w).
  int64_t minutes_count() const { return length_ms() / kMinuteMs; }
  bool is_minute() const { return unit_ == Unit::kMinute && count_ == 1; }
  // Canonical name: "15m", "1h" (for 60m), "4h", "1d", "1w".
  std::string to_string() const;
  // The bucket grid for a day origin in milliseconds after 00:00 UTC (see parse_day_origin).
  TimeGrid grid(int64_t day_origin_ms = 0) const;

  friend bool operator==(const Timeframe& a, const Timeframe& b) {
    return a.unit_ == b.unit_ && a.count_ == b.count_;
  }

 private:
  Timeframe(Unit unit, int count) : unit_(unit), count_(count) {}
  Unit unit_ = Unit::kMinute;
  int count_ = 1;  // minutes for kMinute, 1 for day and week
};

// Parses a day origin "HH:MMZ" (or "HH:MM"; origins are always UTC) into milliseconds after 00:00 UTC.
Result<int64_t> parse_day_origin(std::string_view text);
// "HH:MMZ".
std::string format_day_origin(int64_t origin_ms);

}  // namespace ck
