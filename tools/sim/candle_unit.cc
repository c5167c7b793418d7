#include "tools/sim/candle_unit.h"

#include <charconv>

namespace ck::sim {
namespace {

constexpr int64_t kEpochToMondayMs = 4 * kDayMs;  // 1970-01-05 was a Monday

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms).
int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{int(y + (m <= 2)), m, d};
}

bool CandleUnit::is_upbit_minutes(int n) {
  switch (n) {
    case 1: case 3: case 5: case 10: case 15: case 30: case 60: case 240: return true;
    default: return false;
  }
}

Result<CandleUnit> CandleUnit::parse(std::string_view text) {
  if (text == "seconds" || text == "1s") return seconds();
  if (text == "days" || text == "1d") return days();
  if (text == "weeks" || text == "1w") return weeks();
  if (text == "months" || text == "1M") return months();
  if (text == "years" || text == "1y") return years();
  std::string_view digits = text;
  int factor = 1;
  if (!digits.empty() && digits.back() == 'm') digits.remove_suffix(1);
  else if (!digits.empty() && digits.back() == 'h') { digits.remove_suffix(1); factor = 60; }
  int n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec == std::errc() && p == digits.data() + digits.size() && is_upbit_minutes(n * factor)) {
    return minute(n * factor);
  }
  return Status::invalid_argument("bad unit '" + std::string(text) +
                                  "'; expected 1 3 5 10 15 30 60 240 (minutes), seconds, days, weeks, months "
                                  "or years");
}

std::string CandleUnit::name() const {
  switch (kind) {
    case CandleKind::kSeconds: return "seconds";
    case CandleKind::kMinutes: return std::to_string(minutes);
    case CandleKind::kDays: return "days";
    case CandleKind::kWeeks: return "weeks";
    case CandleKind::kMonths: return "months";
    case CandleKind::kYears: return "years";
  }
  return "?";
}

Timestamp CandleUnit::floor(Timestamp t) const {
  switch (kind) {
    case CandleKind::kSeconds: return floor_div(t, kSecondMs) * kSecondMs;
    case CandleKind::kMinutes: return floor_div(t, minutes * kMinuteMs) * (minutes * kMinuteMs);
    case CandleKind::kDays: return floor_div(t, kDayMs) * kDayMs;
    case CandleKind::kWeeks:
      return floor_div(t - kEpochToMondayMs, kWeekMs) * kWeekMs + kEpochToMondayMs;
    case CandleKind::kMonths: {
      CivilDate c = civil_from_days(floor_div(t, kDayMs));
      return days_from_civil(c.year, c.month, 1) * kDayMs;
    }
    case CandleKind::kYears: {
      CivilDate c = civil_from_days(floor_div(t, kDayMs));
      return days_from_civil(c.year, 1, 1) * kDayMs;
    }
  }
  return t;
}

Timestamp CandleUnit::next(Timestamp start) const {
  switch (kind) {
    case CandleKind::kSeconds: return start + kSecondMs;
    case CandleKind::kMinutes: return start + minutes * kMinuteMs;
    case CandleKind::kDays: return start + kDayMs;
    case CandleKind::kWeeks: return start + kWeekMs;
    case CandleKind::kMonths: {
      CivilDate c = civil_from_days(floor_div(start, kDayMs));
      return (c.month == 12 ? days_from_civil(c.year + 1, 1, 1) : days_from_civil(c.year, c.month + 1, 1)) * kDayMs;
    }
    case CandleKind::kYears: {
      CivilDate c = civil_from_days(floor_div(start, kDayMs));
      return days_from_civil(c.year + 1, 1, 1) * kDayMs;
    }
  }
  return start;
}

}  // namespace ck::sim
