#pragma once
// CandleSeries: candles of one market and timeframe in columnar form (one vector per field), so
// that aggregation and indicators run over contiguous arrays. Times are strictly increasing; the
// series does not enforce it on append (hot path) — validate() checks it and the candle rules.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "timeframe/candle.h"
#include "timeframe/status.h"
#include "timeframe/time_range.h"

namespace ck {

class CandleSeries {
 public:
  CandleSeries() = default;
  // A series made of whole columns, moved in (no copy), e.g. by a calculator that wrote them by
  // index. REQUIRES: all seven have the same length.
  static CandleSeries from_columns(std::vector<Timestamp> time, std::vector<double> open, std::vector<double> high,
                                   std::vector<double> low, std::vector<double> close, std::vector<double> volume,
                                   std::vector<double> value);

  size_t size() const { return time_.size(); }
  bool empty() const { return time_.empty(); }
  void reserve(size_t n);
  void clear();
  void push_back(const Candle& c);
  // Writable views of rows appended in bulk: a decoder fills them column by column, without the
  // seven capacity checks of push_back per row.
  struct RowsOut {
    Timestamp* time;
    double *open, *high, *low, *close, *volume, *value;
  };
  // Appends n zero rows and returns pointers to them (valid until the series changes size).
  RowsOut append_rows(size_t n);
  // Drops the rows from index n on (n <= size()).
  void truncate(size_t n);
  Candle operator[](size_t i) const;
  Candle back() const { return (*this)[size() - 1]; }

  std::span<const Timestamp> time() const { return time_; }
  std::span<const double> open() const { return open_; }
  std::span<const double> high() const { return high_; }
  std::span<const double> low() const { return low_; }
  std::span<const double> close() const { return close_; }
  std::span<const double> volume() const { return volume_; }
  std::span<const double> value() const { return value_; }

  // Candles with from <= time < to (binary search; the series must be sorted).
  CandleSeries slice(const TimeRange& range) const;
  // Index of the first candle with time >= t.
  size_t lower_bound(Timestamp t) const;
  // Appends `other`, whose first time must be after this series' last time.
  void append(const CandleSeries& other);

  // Checks the rules every stored or aggregated series obeys: times strictly increasing (no
  // duplicates), no NaN or infinite field, high >= low, volume and value >= 0. The error names
  // the row (0-based index) and the rule it broke. With `align_ms` > 0, every time must also be a
  // multiple of it (kMinuteMs for 1-minute input).
  Status validate(int64_t align_ms = 0) const;
  // The same checks for rows [begin, end) only (the first against its predecessor, when there is
  // one), so that a long series can be checked block by block. REQUIRES: begin <= end <= size().
  Status validate(int64_t align_ms, size_t begin, size_t end) const;

  friend bool operator==(const CandleSeries&, const CandleSeries&) = default;

 private:
  std::vector<Timestamp> time_;
  std::vector<double> open_, high_, low_, close_, volume_, value_;
};

}  // namespace ck
