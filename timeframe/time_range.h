#pragma once
// TimeRange: the half-open interval [from, to) of UTC milliseconds.
#include <algorithm>
#include <string>

#include "timeframe/timestamp.h"

namespace ck {

struct TimeRange {
  Timestamp from = 0;
  Timestamp to = 0;

  bool empty() const { return to <= from; }
  int64_t length() const { return empty() ? 0 : to - from; }
  bool contains(Timestamp t) const { return t >= from && t < to; }
  bool contains(const TimeRange& r) const { return r.empty() || (r.from >= from && r.to <= to); }
  bool overlaps(const TimeRange& r) const { return std::max(from, r.from) < std::min(to, r.to); }
  TimeRange intersect(const TimeRange& r) const { return {std::max(from, r.from), std::min(to, r.to)}; }
  std::string to_string() const { return "[" + format_timestamp(from) + ", " + format_timestamp(to) + ")"; }
  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

}  // namespace ck
