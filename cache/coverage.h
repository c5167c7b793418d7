#pragma once
// CoverageSet: the time ranges of one market that have been collected. Inside them a missing
// 1-minute candle means "nobody traded"; outside them it means "not collected yet" — the only
// ranges ever fetched again (design.md).
//
// Contract: ranges() is sorted, disjoint and never has two ranges that touch ([a, b) and [b, c)
// are merged into [a, c)); empty ranges are never stored. Not synchronized: the owner (RocksTier)
// serializes writers. The byte form is frozen and versioned (docs/storage-format.md).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "timeframe/result.h"
#include "timeframe/time_range.h"

namespace ck {

class CoverageSet {
 public:
  CoverageSet() = default;

  // Marks `range` covered, merging it with every range it overlaps or touches. Empty: no-op.
  void add(const TimeRange& range);
  void add(const CoverageSet& other);

  // True when every instant of `range` is covered (an empty range is).
  bool contains(const TimeRange& range) const;
  bool contains(Timestamp t) const;
  // The gaps inside `range`: the parts not covered, in order. Empty when contains(range).
  std::vector<TimeRange> missing(const TimeRange& range) const;
  // The covered parts of `range`, in order.
  std::vector<TimeRange> covered(const TimeRange& range) const;

  const std::vector<TimeRange>& ranges() const { return ranges_; }
  bool empty() const { return ranges_.empty(); }
  size_t size() const { return ranges_.size(); }
  // Milliseconds covered in total.
  int64_t covered_ms() const;

  // Version byte, then the ranges as varints (gaps and lengths). Stable across releases.
  std::string serialize() const;
  // Corruption when the bytes are truncated, of an unknown version, or describe ranges that break
  // the contract above.
  static Result<CoverageSet> deserialize(std::string_view bytes);

  friend bool operator==(const CoverageSet&, const CoverageSet&) = default;

 private:
  std::vector<TimeRange> ranges_;
};

inline constexpr uint8_t kCoverageFormatVersion = 1;

}  // namespace ck
