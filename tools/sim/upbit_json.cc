#include "tools/sim/upbit_json.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace ck::sim {
namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

constexpr double kTwo53 = 9007199254740992.0;
// Room one candle object can take (the longest, a day candle with converted_trade_price, stays
// well under this).
constexpr size_t kMaxCandleBytes = 640;

// A cursor writing into memory the caller sized: the formatting below never checks bounds and
// never reallocates, which is what makes a 200-candle answer cheap.
struct Cursor {
  explicit Cursor(char* at) : p(at) {}
  char* p;

  void put(char c) { *p++ = c; }
  void put(std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  // A string literal: the length is a constant, so the copy compiles to a few moves.
  template <size_t N>
  void lit(const char (&s)[N]) {
    std::memcpy(p, s, N - 1);
    p += N - 1;
  }
  void two(unsigned v) {
    std::memcpy(p, kDigitPairs + 2 * v, 2);
    p += 2;
  }
  void uint(uint64_t v) {
    // Count the digits, then fill them in backwards, two at a time.
    static constexpr uint64_t kPow10[] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
                                          10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
                                          100000000000ull, 1000000000000ull, 10000000000000ull,
                                          100000000000000ull, 1000000000000000ull, 10000000000000000ull,
                                          100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull};
    if (v < 10) {
      *p++ = char('0' + v);
      return;
    }
    int t = (std::bit_width(v) * 1233) >> 12;  // log10 estimate: floor(log10 v) or one more
    int n = t + 1 - (v < kPow10[t]);
    char* b = p + n;
    p = b;
    while (v >= 100) {
      b -= 2;
      std::memcpy(b, kDigitPairs + 2 * (v % 100), 2);
      v /= 100;
    }
    if (v >= 10) {
      std::memcpy(b - 2, kDigitPairs + 2 * v, 2);
    } else {
      b[-1] = char('0' + v);
    }
  }
  void integer(int64_t v) {
    if (v < 0) {
      put('-');
      uint(uint64_t(0) - uint64_t(v));
    } else {
      uint(uint64_t(v));
    }
  }
  void frac8(uint32_t f) {  // f < 10^8, zero-padded to 8 digits
    if (f == 0) {
      lit("00000000");
      return;
    }
    two(f / 1000000);
    two(f / 10000 % 100);
    two(f / 100 % 100);
    two(f % 100);
  }
  void quantum(int64_t q) {
    if (q < 0) {
      put('-');
      q = -q;
    }
    uint(uint64_t(q) >> 8);
    put('.');
    frac8(uint32_t((uint64_t(q) & 255u) * 390625u));
  }
  void fixed8(double v) {
    if (!std::isfinite(v)) {
      put("0.00000000");
      return;
    }
    double q = v * 256.0;
    if (std::fabs(q) < kTwo53 && q == std::floor(q)) {
      quantum(int64_t(q));
      return;
    }
    if (std::fabs(v) < 9e10) {
      int64_t n = std::llround(v * 1e8);
      if (n < 0) {
        put('-');
        n = -n;
      }
      uint(uint64_t(n) / 100000000u);
      put('.');
      frac8(uint32_t(uint64_t(n) % 100000000u));
      return;
    }
    p += std::snprintf(p, 64, "%.8f", v);
  }
  void rate10(double v) {
    if (!std::isfinite(v)) v = 0;
    int64_t n = std::llround(v * 1e10);
    if (n < 0) {
      put('-');
      n = -n;
    }
    uint(uint64_t(n) / 10000000000u);
    put('.');
    uint64_t f = uint64_t(n) % 10000000000u;
    two(unsigned(f / 100000000u));
    frac8(uint32_t(f % 100000000u));
  }
  void date(int64_t day, bool compact) {
    CivilDate c = civil_from_days(day);
    two(unsigned(c.year / 100));
    two(unsigned(c.year % 100));
    if (!compact) put('-');
    two(c.month);
    if (!compact) put('-');
    two(c.day);
  }
  void time_of_day(int64_t ms) {
    two(unsigned(ms / kHourMs));
    put(':');
    two(unsigned(ms / kMinuteMs % 60));
    put(':');
    two(unsigned(ms / kSecondMs % 60));
  }
  void date_time(Timestamp t) {
    int64_t day = floor_div(t, kDayMs);
    date(day, false);
    put('T');
    time_of_day(t - day * kDayMs);
  }
  // Same, remembering the last date written in `slot` (a page of candles shares a few dates).
  void date_time_cached(Timestamp t, int slot) {
    int64_t day = floor_div(t, kDayMs);
    if (day != cached_day[slot]) {
      cached_day[slot] = day;
      Cursor c{cached_date[slot]};
      c.date(day, false);
    }
    std::memcpy(p, cached_date[slot], 10);
    p += 10;
    put('T');
    time_of_day(t - day * kDayMs);
  }

  int64_t cached_day[2] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min()};
  char cached_date[2][10] = {};
};

// Runs `write` on a cursor over `room` spare bytes at the end of `out`, then trims to what it wrote.
template <typename F>
void write_into(std::string& out, size_t room, F&& write) {
  size_t old = out.size();
  out.resize(old + room);
  Cursor c{out.data() + old};
  write(c);
  out.resize(size_t(c.p - out.data()));
}

void write_candle(Cursor& o, const MarketSpec& market, CandleUnit unit, const SimCandle& c, bool converted) {
  o.lit("{\"market\":\"");
  o.put(market.code);
  o.lit("\",\"candle_date_time_utc\":\"");
  o.date_time_cached(c.start, 0);
  o.lit("\",\"candle_date_time_kst\":\"");
  o.date_time_cached(c.start + kKstOffsetMs, 1);
  o.lit("\",\"opening_price\":");
  o.fixed8(c.open);
  o.lit(",\"high_price\":");
  o.fixed8(c.high);
  o.lit(",\"low_price\":");
  o.fixed8(c.low);
  o.lit(",\"trade_price\":");
  o.fixed8(c.close);
  o.lit(",\"timestamp\":");
  o.integer(c.last_trade);
  o.lit(",\"candle_acc_trade_price\":");
  o.quantum(c.value_q);
  o.lit(",\"candle_acc_trade_volume\":");
  o.quantum(c.volume_q);
  switch (unit.kind) {
    case CandleKind::kMinutes:
      o.lit(",\"unit\":");
      o.integer(unit.minutes);
      break;
    case CandleKind::kDays: {
      double change = c.close - c.prev_close;
      o.lit(",\"prev_closing_price\":");
      o.fixed8(c.prev_close);
      o.lit(",\"change_price\":");
      o.fixed8(change);
      o.lit(",\"change_rate\":");
      o.rate10(c.prev_close != 0 ? change / c.prev_close : 0.0);
      if (converted) {
        o.lit(",\"converted_trade_price\":");
        o.fixed8(c.close);
      }
      break;
    }
    case CandleKind::kWeeks:
    case CandleKind::kMonths:
    case CandleKind::kYears:
      o.lit(",\"first_day_of_period\":\"");
      o.date(floor_div(c.start, kDayMs), false);
      o.put('"');
      break;
    case CandleKind::kSeconds:
      break;
  }
  o.put('}');
}

}  // namespace

void append_int(std::string& out, int64_t v) {
  write_into(out, 24, [&](Cursor& c) { c.integer(v); });
}

void append_quantum(std::string& out, int64_t q) {
  write_into(out, 32, [&](Cursor& c) { c.quantum(q); });
}

void append_fixed8(std::string& out, double v) {
  write_into(out, 400, [&](Cursor& c) { c.fixed8(v); });
}

void append_rate(std::string& out, double v) {
  write_into(out, 40, [&](Cursor& c) { c.rate10(v); });
}

void append_date(std::string& out, int64_t day, bool compact) {
  write_into(out, 16, [&](Cursor& c) { c.date(day, compact); });
}

void append_date_time(std::string& out, Timestamp t, int64_t offset_ms) {
  write_into(out, 24, [&](Cursor& c) { c.date_time(t + offset_ms); });
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
  write_into(out, kMaxCandleBytes + market.code.size(), [&](Cursor& o) { write_candle(o, market, unit, c, converted); });
}

std::string candles_json(const MarketSpec& market, CandleUnit unit, std::span<const SimCandle> candles,
                         bool converted) {
  // Candles are written in chunks into a reused per-thread buffer and appended to an answer sized
  // from the first chunk: sizing the answer for the worst case instead would touch fresh pages on
  // every request, and a year of /sim/truth would need a worst-case buffer of hundreds of MB.
  constexpr size_t kChunk = 256;
  thread_local std::string scratch;
  const size_t room = kChunk * (kMaxCandleBytes + market.code.size());
  if (scratch.size() < room) scratch.resize(room);
  std::string out;
  out += '[';
  for (size_t begin = 0; begin < candles.size(); begin += kChunk) {
    Cursor o{scratch.data()};
    size_t end = std::min(candles.size(), begin + kChunk);
    for (size_t i = begin; i < end; ++i) {
      if (i) o.put(',');
      write_candle(o, market, unit, candles[i], converted);
    }
    size_t written = size_t(o.p - scratch.data());
    if (begin == 0) out.reserve(2 + written * ((candles.size() + end - 1) / end) + written / 8);
    out.append(scratch.data(), written);
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
    write_into(out, 8, [&](Cursor& c) {
      c.two(unsigned(ms_of_day / kHourMs));
      c.two(unsigned(ms_of_day / kMinuteMs % 60));
      c.two(unsigned(ms_of_day / kSecondMs % 60));
    });
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
