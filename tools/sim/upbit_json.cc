#include "tools/sim/upbit_json.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace ck::sim {
namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void append_2(std::string& out, unsigned v) { out.append(kDigitPairs + 2 * v, 2); }

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  char* p = buf + sizeof buf;
  while (v >= 100) {
    unsigned r = unsigned(v % 100);
    v /= 100;
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * r, 2);
  }
  if (v >= 10) {
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * v, 2);
  } else {
    *--p = char('0' + v);
  }
  out.append(p, size_t(buf + sizeof buf - p));
}

// `digits` decimal digits of `frac`, zero-padded (frac < 10^digits).
void append_frac(std::string& out, uint64_t frac, int digits) {
  char buf[24];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = char('0' + frac % 10);
    frac /= 10;
  }
  out.append(buf, size_t(digits));
}

constexpr double kTwo53 = 9007199254740992.0;

}  // namespace

void append_int(std::string& out, int64_t v) {
  if (v < 0) {
    out += '-';
    append_uint(out, uint64_t(0) - uint64_t(v));
  } else {
    append_uint(out, uint64_t(v));
  }
}

void append_quantum(std::string& out, int64_t q) {
  if (q < 0) {
    out += '-';
    q = -q;
  }
  append_uint(out, uint64_t(q) >> 8);
  out += '.';
  append_frac(out, (uint64_t(q) & 255u) * 390625u, 8);
}

void append_fixed8(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "0.00000000";
    return;
  }
  double q = v * 256.0;
  if (std::fabs(q) < kTwo53 && q == std::floor(q)) {
    append_quantum(out, int64_t(q));
    return;
  }
  if (std::fabs(v) < 9e10) {
    int64_t n = std::llround(v * 1e8);
    if (n < 0) {
      out += '-';
      n = -n;
    }
    append_uint(out, uint64_t(n) / 100000000u);
    out += '.';
    append_frac(out, uint64_t(n) % 100000000u, 8);
    return;
  }
  char buf[64];
  int len = std::snprintf(buf, sizeof buf, "%.8f", v);
  out.append(buf, size_t(len));
}

void append_rate(std::string& out, double v) {
  if (!std::isfinite(v)) v = 0;
  int64_t n = std::llround(v * 1e10);
  if (n < 0) {
    out += '-';
    n = -n;
  }
  append_uint(out, uint64_t(n) / 10000000000u);
  out += '.';
  append_frac(out, uint64_t(n) % 10000000000u, 10);
}

void append_date(std::string& out, int64_t day, bool compact) {
  CivilDate c = civil_from_days(day);
  append_2(out, unsigned(c.year / 100));
  append_2(out, unsigned(c.year % 100));
  if (!compact) out += '-';
  append_2(out, c.month);
  if (!compact) out += '-';
  append_2(out, c.day);
}

void append_date_time(std::string& out, Timestamp t, int64_t offset_ms) {
  t += offset_ms;
  int64_t day = floor_div(t, kDayMs);
  int64_t ms = t - day * kDayMs;
  append_date(out, day);
  out += 'T';
  append_2(out, unsigned(ms / kHourMs));
  out += ':';
  append_2(out, unsigned(ms / kMinuteMs % 60));
  out += ':';
  append_2(out, unsigned(ms / kSecondMs % 60));
}

void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

void append_candle(std::string& out, const MarketSpec& market, CandleUnit unit, const SimCandle& c, bool converted) {
  out += "{\"market\":\"";
  out += market.code;
  out += "\",\"candle_date_time_utc\":\"";
  append_date_time(out, c.start);
  out += "\",\"candle_date_time_kst\":\"";
  append_date_time(out, c.start, kKstOffsetMs);
  out += "\",\"opening_price\":";
  append_fixed8(out, c.open);
  out += ",\"high_price\":";
  append_fixed8(out, c.high);
  out += ",\"low_price\":";
  append_fixed8(out, c.low);
  out += ",\"trade_price\":";
  append_fixed8(out, c.close);
  out += ",\"timestamp\":";
  append_int(out, c.last_trade);
  out += ",\"candle_acc_trade_price\":";
  append_quantum(out, c.value_q);
  out += ",\"candle_acc_trade_volume\":";
  append_quantum(out, c.volume_q);
  switch (unit.kind) {
    case CandleKind::kMinutes:
      out += ",\"unit\":";
      append_int(out, unit.minutes);
      break;
    case CandleKind::kDays: {
      double change = c.close - c.prev_close;
      out += ",\"prev_closing_price\":";
      append_fixed8(out, c.prev_close);
      out += ",\"change_price\":";
      append_fixed8(out, change);
      out += ",\"change_rate\":";
      append_rate(out, c.prev_close != 0 ? change / c.prev_close : 0.0);
      if (converted) {
        out += ",\"converted_trade_price\":";
        append_fixed8(out, c.close);
      }
      break;
    }
    case CandleKind::kWeeks:
    case CandleKind::kMonths:
    case CandleKind::kYears:
      out += ",\"first_day_of_period\":\"";
      append_date(out, floor_div(c.start, kDayMs));
      out += '"';
      break;
    case CandleKind::kSeconds:
      break;
  }
  out += '}';
}

std::string candles_json(const MarketSpec& market, CandleUnit unit, std::span<const SimCandle> candles,
                         bool converted) {
  std::string out;
  out.reserve(2 + candles.size() * 360);
  out += '[';
  for (size_t i = 0; i < candles.size(); ++i) {
    if (i) out += ',';
    append_candle(out, market, unit, candles[i], converted);
  }
  out += ']';
  return out;
}

void append_ticker(std::string& out, const MarketSpec& market, const Ticker& t) {
  const Trade& last = t.last;
  double change = t.last.price - t.prev_close;
  double rate = t.prev_close != 0 ? change / t.prev_close : 0.0;
  const char* dir = change > 0 ? "RISE" : change < 0 ? "FALL" : "EVEN";
  int64_t utc_day = floor_div(last.time, kDayMs);
  int64_t kst_day = floor_div(last.time + kKstOffsetMs, kDayMs);
  auto hhmmss = [&](Timestamp ms_of_day) {
    append_2(out, unsigned(ms_of_day / kHourMs));
    append_2(out, unsigned(ms_of_day / kMinuteMs % 60));
    append_2(out, unsigned(ms_of_day / kSecondMs % 60));
  };
  out += "{\"market\":\"";
  out += market.code;
  out += "\",\"trade_date\":\"";
  append_date(out, utc_day, true);
  out += "\",\"trade_time\":\"";
  hhmmss(last.time - utc_day * kDayMs);
  out += "\",\"trade_date_kst\":\"";
  append_date(out, kst_day, true);
  out += "\",\"trade_time_kst\":\"";
  hhmmss(last.time + kKstOffsetMs - kst_day * kDayMs);
  out += "\",\"trade_timestamp\":";
  append_int(out, last.time);
  out += ",\"opening_price\":";
  append_fixed8(out, t.today.open);
  out += ",\"high_price\":";
  append_fixed8(out, t.today.high);
  out += ",\"low_price\":";
  append_fixed8(out, t.today.low);
  out += ",\"trade_price\":";
  append_fixed8(out, last.price);
  out += ",\"prev_closing_price\":";
  append_fixed8(out, t.prev_close);
  out += ",\"change\":\"";
  out += dir;
  out += "\",\"change_price\":";
  append_fixed8(out, std::fabs(change));
  out += ",\"change_rate\":";
  append_rate(out, std::fabs(rate));
  out += ",\"signed_change_price\":";
  append_fixed8(out, change);
  out += ",\"signed_change_rate\":";
  append_rate(out, rate);
  out += ",\"trade_volume\":";
  append_quantum(out, last.volume_q);
  out += ",\"acc_trade_price\":";
  append_quantum(out, t.today.value_q);
  out += ",\"acc_trade_price_24h\":";
  append_quantum(out, t.value_24h_q);
  out += ",\"acc_trade_volume\":";
  append_quantum(out, t.today.volume_q);
  out += ",\"acc_trade_volume_24h\":";
  append_quantum(out, t.volume_24h_q);
  out += ",\"highest_52_week_price\":";
  append_fixed8(out, t.high_52w);
  out += ",\"highest_52_week_date\":\"";
  append_date(out, t.high_52w_day);
  out += "\",\"lowest_52_week_price\":";
  append_fixed8(out, t.low_52w);
  out += ",\"lowest_52_week_date\":\"";
  append_date(out, t.low_52w_day);
  out += "\",\"timestamp\":";
  append_int(out, last.time);
  out += '}';
}

std::string error_json(int status, std::string_view message) {
  std::string out = "{\"error\":{\"name\":";
  append_int(out, status);
  out += ",\"message\":";
  append_string(out, message);
  out += "}}";
  return out;
}

std::string error_json(std::string_view name, std::string_view message) {
  std::string out = "{\"error\":{\"name\":";
  append_string(out, name);
  out += ",\"message\":";
  append_string(out, message);
  out += "}}";
  return out;
}

}  // namespace ck::sim
