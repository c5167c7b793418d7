#include "timeframe/timestamp.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace ck {
namespace {

// Reads exactly `width` digits at text[pos]; advances pos.
bool read_digits(std::string_view text, size_t& pos, int width, int& out) {
  if (pos + width > text.size()) return false;
  int v = 0;
  for (int i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += width;
  return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

Status bad_timestamp(std::string_view text, std::string_view why) {
  return Status::invalid_argument("bad timestamp '" + std::string(text) + "' (" + std::string(why) +
                                  "); expected ISO-8601 like 2024-01-02T03:04:00Z");
}

}  // namespace

Result<Timestamp> parse_timestamp(std::string_view text) {
  size_t pos = 0;
  int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
  if (!read_digits(text, pos, 4, y) || !expect(text, pos, '-') || !read_digits(text, pos, 2, mo) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, d)) {
    return bad_timestamp(text, "date must be YYYY-MM-DD");
  }
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                  std::chrono::day{unsigned(d)}};
  if (!ymd.ok()) return bad_timestamp(text, "no such date");
  int64_t offset_ms = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') {
      return bad_timestamp(text, "date and time must be separated by 'T' or a space");
    }
    ++pos;
    if (!read_digits(text, pos, 2, h) || !expect(text, pos, ':') || !read_digits(text, pos, 2, mi)) {
      return bad_timestamp(text, "time must be HH:MM[:SS]");
    }
    if (expect(text, pos, ':') && !read_digits(text, pos, 2, s)) return bad_timestamp(text, "bad seconds");
    if (expect(text, pos, '.') || expect(text, pos, ',')) {
      // Fractional seconds: keep millisecond precision, ignore further digits.
      size_t start = pos;
      int scale = 100;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (scale > 0) ms += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return bad_timestamp(text, "empty fraction");
    }
    if (h > 23 || mi > 59 || s > 60) return bad_timestamp(text, "time out of range");
    if (pos < text.size()) {
      char z = text[pos];
      if (z == 'Z' || z == 'z') {
        ++pos;
      } else if (z == '+' || z == '-') {
        ++pos;
        int oh, om = 0;
        if (!read_digits(text, pos, 2, oh)) return bad_timestamp(text, "bad zone offset");
        expect(text, pos, ':');
        if (pos < text.size() && !read_digits(text, pos, 2, om)) return bad_timestamp(text, "bad zone offset");
        if (oh > 23 || om > 59) return bad_timestamp(text, "zone offset out of range");
        offset_ms = (oh * kHourMs + om * kMinuteMs) * (z == '-' ? -1 : 1);
      }
    }
  }
  if (pos != text.size()) return bad_timestamp(text, "unexpected trailing characters");
  int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return days * kDayMs + h * kHourMs + mi * kMinuteMs + s * kSecondMs + ms - offset_ms;
}

Result<Timestamp> parse_time_value(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '"')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '"' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) return Status::invalid_argument("empty time value");
  bool numeric = true;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-')) numeric = false;
  }
  // A bare "2024-01-02" has dashes too; numbers never have a dash after the first character.
  if (numeric && text.find('-', 1) == std::string_view::npos) {
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) {
      return Status::invalid_argument("bad epoch time '" + std::string(text) + "'");
    }
    if (std::fabs(v) < 1e11) return static_cast<Timestamp>(std::llround(v * 1000.0));
    return static_cast<Timestamp>(std::llround(v));
  }
  return parse_timestamp(text);
}

std::string format_naive(Timestamp t, int64_t offset_ms) {
  t += offset_ms;
  int64_t days = floor_div(t, kDayMs);
  int64_t rem = t - days * kDayMs;
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(rem / kHourMs), int(rem / kMinuteMs % 60), int(rem / kSecondMs % 60));
  return buf;
}

std::string format_timestamp(Timestamp t) {
  std::string out = format_naive(t);
  int ms = int(t - floor_div(t, kSecondMs) * kSecondMs);
  if (ms != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", ms);
    out += buf;
  }
  out += 'Z';
  return out;
}

}  // namespace ck
