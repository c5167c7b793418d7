#include "cache/coverage.h"

#include <algorithm>

#include "cache/coding.h"

namespace ck {
namespace {

// First range that ends at or after t (a range ending exactly at t touches it).
std::vector<TimeRange>::const_iterator first_reaching(const std::vector<TimeRange>& v, Timestamp t) {
  return std::lower_bound(v.begin(), v.end(), t, [](const TimeRange& r, Timestamp x) { return r.to < x; });
}

Status corrupt(const std::string& what) { return Status::corruption("coverage set: " + what); }

}  // namespace

void CoverageSet::add(const TimeRange& range) {
  if (range.empty()) return;
  auto first = first_reaching(ranges_, range.from);
  // Ranges [first, last) overlap or touch `range`.
  auto last = first;
  while (last != ranges_.end() && last->from <= range.to) ++last;
  TimeRange merged = range;
  if (first != last) {
    merged.from = std::min(merged.from, first->from);
    merged.to = std::max(merged.to, (last - 1)->to);
  }
  auto pos = ranges_.erase(first, last);
  ranges_.insert(pos, merged);
}

void CoverageSet::add(const CoverageSet& other) {
  for (const auto& r : other.ranges_) add(r);
}

bool CoverageSet::contains(const TimeRange& range) const {
  if (range.empty()) return true;
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), range.from,
                             [](Timestamp x, const TimeRange& r) { return x < r.from; });
  if (it == ranges_.begin()) return false;
  --it;  // the last range starting at or before range.from
  return it->to >= range.to;
}

bool CoverageSet::contains(Timestamp t) const {
  return t < INT64_MAX && contains(TimeRange{t, t + 1});
}

std::vector<TimeRange> CoverageSet::missing(const TimeRange& range) const {
  std::vector<TimeRange> gaps;
  if (range.empty()) return gaps;
  Timestamp cursor = range.from;
  for (auto it = first_reaching(ranges_, range.from); it != ranges_.end() && it->from < range.to; ++it) {
    if (it->from > cursor) gaps.push_back({cursor, it->from});
    cursor = std::max(cursor, it->to);
  }
  if (cursor < range.to) gaps.push_back({cursor, range.to});
  return gaps;
}

std::vector<TimeRange> CoverageSet::covered(const TimeRange& range) const {
  std::vector<TimeRange> parts;
  if (range.empty()) return parts;
  for (auto it = first_reaching(ranges_, range.from); it != ranges_.end() && it->from < range.to; ++it) {
    TimeRange part = it->intersect(range);
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

int64_t CoverageSet::covered_ms() const {
  int64_t total = 0;
  for (const auto& r : ranges_) total += r.length();
  return total;
}

// Layout: u8 version | varint count | per range: svarint (from - previous to, or from for the
// first) | varint (to - from).
std::string CoverageSet::serialize() const {
  std::string out;
  out.push_back(char(kCoverageFormatVersion));
  coding::put_varint64(out, ranges_.size());
  Timestamp prev_to = 0;
  for (size_t i = 0; i < ranges_.size(); ++i) {
    const auto& r = ranges_[i];
    coding::put_varint_signed(out, i == 0 ? r.from : r.from - prev_to);
    coding::put_varint64(out, uint64_t(r.to - r.from));
    prev_to = r.to;
  }
  return out;
}

Result<CoverageSet> CoverageSet::deserialize(std::string_view in) {
  uint8_t version;
  if (!coding::get_byte(in, version)) return corrupt("empty");
  if (version != kCoverageFormatVersion) {
    return corrupt("unknown format version " + std::to_string(version) + " (this build reads " +
                   std::to_string(kCoverageFormatVersion) + ")");
  }
  uint64_t count;
  if (!coding::get_varint64(in, count)) return corrupt("truncated count");
  if (count > in.size()) return corrupt("range count exceeds the payload");  // each range takes >= 2 bytes
  CoverageSet set;
  set.ranges_.reserve(count);
  Timestamp prev_to = 0;
  for (uint64_t i = 0; i < count; ++i) {
    int64_t gap;
    uint64_t length;
    if (!coding::get_varint_signed(in, gap) || !coding::get_varint64(in, length)) return corrupt("truncated range");
    TimeRange r;
    if (i == 0) {
      r.from = gap;
    } else if (gap <= 0 || __builtin_add_overflow(prev_to, gap, &r.from)) {
      return corrupt("ranges out of order or touching");
    }
    if (length == 0 || length > uint64_t(INT64_MAX) || __builtin_add_overflow(r.from, int64_t(length), &r.to)) {
      return corrupt("bad range length");
    }
    set.ranges_.push_back(r);
    prev_to = r.to;
  }
  if (!in.empty()) return corrupt("trailing bytes");
  return set;
}

}  // namespace ck
