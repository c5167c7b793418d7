#include "timeframe/timeframe.h"

#include <charconv>
#include <cstdio>

namespace ck {
namespace {

constexpr int64_t kEpochToMondayMs = 4 * kDayMs;  // 1970-01-01 was a Thursday; 1970-01-05 a Monday.

Status bad_timeframe(std::string_view text, std::string_view why) {
  return Status::invalid_argument("bad timeframe '" + std::string(text) + "' (" + std::string(why) +
                                  "); accepted: 1m 3m 5m 10m 15m 30m 1h 4h 1d 1w, or any Nm / Nh that "
                                  "divides a day (e.g. 2m, 20m, 2h, 12h)");
}

}  // namespace

Result<Timeframe> Timeframe::parse(std::string_view text) {
  if (text.size() < 2) return bad_timeframe(text, "too short");
  char unit = text.back();
  std::string_view digits = text.substr(0, text.size() - 1);
  int n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size() || n <= 0 || digits.front() == '+') {
    return bad_timeframe(text, "expected a positive number followed by m, h, d or w");
  }
  switch (unit) {
    case 'm':
      if (1440 % n != 0) return bad_timeframe(text, "minutes must divide 1440");
      return Timeframe(Unit::kMinute, n);
    case 'h':
      if (24 % n != 0) return bad_timeframe(text, "hours must divide 24");
      return Timeframe(Unit::kMinute, n * 60);
    case 'd':
      if (n != 1) return bad_timeframe(text, "only 1d is supported");
      return day();
    case 'w':
      if (n != 1) return bad_timeframe(text, "only 1w is supported");
      return week();
    default:
      return bad_timeframe(text, "unknown unit");
  }
}

int64_t Timeframe::length_ms() const {
  switch (unit_) {
    case Unit::kMinute: return count_ * kMinuteMs;
    case Unit::kDay: return kDayMs;
    case Unit::kWeek: return kWeekMs;
  }
  return kMinuteMs;
}

std::string Timeframe::to_string() const {
  switch (unit_) {
    case Unit::kMinute:
      if (count_ % 60 == 0) return std::to_string(count_ / 60) + "h";
      return std::to_string(count_) + "m";
    case Unit::kDay: return "1d";
    case Unit::kWeek: return "1w";
  }
  return "?";
}

TimeGrid Timeframe::grid(int64_t day_origin_ms) const {
  switch (unit_) {
    case Unit::kMinute: return TimeGrid{length_ms(), 0};
    case Unit::kDay: return TimeGrid{kDayMs, day_origin_ms % kDayMs};
    case Unit::kWeek: return TimeGrid{kWeekMs, (kEpochToMondayMs + day_origin_ms) % kWeekMs};
  }
  return TimeGrid{};
}

Result<int64_t> parse_day_origin(std::string_view text) {
  auto bad = [&] {
    return Status::invalid_argument("bad origin '" + std::string(text) +
                                    "'; expected HH:MMZ in UTC, e.g. 00:00Z (Upbit's 09:00 KST day) or "
                                    "15:00Z (KST midnight)");
  };
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) text.remove_suffix(1);
  if (text.size() != 5 || text[2] != ':') return bad();
  int h = 0, m = 0;
  for (int i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return bad();
  }
  h = (text[0] - '0') * 10 + (text[1] - '0');
  m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return bad();
  return h * kHourMs + m * kMinuteMs;
}

std::string format_day_origin(int64_t origin_ms) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02dZ", int(origin_ms / kHourMs), int(origin_ms / kMinuteMs % 60));
  return buf;
}

}  // namespace ck
