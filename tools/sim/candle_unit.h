#pragma once
// CandleUnit: the bucket kinds Upbit serves — seconds, minutes/{1,3,5,10,15,30,60,240}, days,
// weeks, months, years — and their grids. All align to UTC: minutes to the hour (240m to
// 00/04/08/12/16/20 UTC), days to 00:00 UTC (09:00 KST), weeks to Monday 00:00 UTC, months and
// years to the 1st at 00:00 UTC (upbit-api.md §4).
#include <cstdint>
#include <string>
#include <string_view>

#include "timeframe/result.h"
#include "timeframe/timestamp.h"

namespace ck::sim {

enum class CandleKind : uint8_t { kSeconds, kMinutes, kDays, kWeeks, kMonths, kYears };

struct CandleUnit {
  CandleKind kind = CandleKind::kMinutes;
  int minutes = 1;  // for kMinutes only

  static CandleUnit seconds() { return {CandleKind::kSeconds, 0}; }
  static CandleUnit minute(int n) { return {CandleKind::kMinutes, n}; }
  static CandleUnit days() { return {CandleKind::kDays, 0}; }
  static CandleUnit weeks() { return {CandleKind::kWeeks, 0}; }
  static CandleUnit months() { return {CandleKind::kMonths, 0}; }
  static CandleUnit years() { return {CandleKind::kYears, 0}; }

  // True for the minute units Upbit serves: 1 3 5 10 15 30 60 240.
  static bool is_upbit_minutes(int n);
  // For /sim/truth: "1" … "240" (minutes), "seconds", "days", "weeks", "months", "years"; also
  // candlekeep's "15m", "1h", "4h", "1d", "1w".
  static Result<CandleUnit> parse(std::string_view text);
  // "1" … "240", "seconds", "days", "weeks", "months", "years".
  std::string name() const;

  // Start of the bucket that contains t.
  Timestamp floor(Timestamp t) const;
  // Start of the bucket after the one starting at `start`.
  Timestamp next(Timestamp start) const;
  // True when the bucket kind fits inside one UTC day (seconds, minutes).
  bool within_day() const { return kind == CandleKind::kSeconds || kind == CandleKind::kMinutes; }

  friend bool operator==(const CandleUnit&, const CandleUnit&) = default;
};

// Civil helpers shared by the JSON writer: days since 1970-01-01 <-> year/month/day.
struct CivilDate {
  int year;
  unsigned month, day;
};
CivilDate civil_from_days(int64_t days);
int64_t days_from_civil(int year, unsigned month, unsigned day);

}  // namespace ck::sim
