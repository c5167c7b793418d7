#pragma once
// Timestamp: milliseconds since the Unix epoch, UTC. Every time in candlekeep is one of these;
// a candle is labelled by its open time.
#include <cstdint>
#include <string>
#include <string_view>

#include "timeframe/result.h"

namespace ck {

using Timestamp = int64_t;

inline constexpr int64_t kSecondMs = 1000;
inline constexpr int64_t kMinuteMs = 60 * kSecondMs;
inline constexpr int64_t kHourMs = 60 * kMinuteMs;
inline constexpr int64_t kDayMs = 24 * kHourMs;
inline constexpr int64_t kWeekMs = 7 * kDayMs;

// Parses ISO-8601: "2024-01-02T03:04:00Z", "+00:00"/"+09:00"/"-0500" offsets, a space instead of
// 'T', optional fractional seconds (".123"), optional seconds ("2024-01-02T03:04Z"), and a bare
// date ("2024-01-02" = midnight UTC). A time without a zone is UTC (as Upbit reads it).
Result<Timestamp> parse_timestamp(std::string_view text);

// Parses a time cell of an input file: ISO-8601 as above, or an epoch number in seconds or
// milliseconds, told apart by magnitude (below 1e11 is seconds, i.e. before year 5138).
Result<Timestamp> parse_time_value(std::string_view text);

// "2024-01-02T03:04:00Z"; milliseconds are shown (".123") only when non-zero.
std::string format_timestamp(Timestamp t);
// "2024-01-02T03:04:00" with no zone suffix, shifted by `offset_ms` (Upbit's candle_date_time_* form).
std::string format_naive(Timestamp t, int64_t offset_ms = 0);

// floor division that rounds toward negative infinity (times before 1970 stay correct).
constexpr int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace ck
