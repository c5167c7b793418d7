#include "timeframe/candle_csv.h"

#include <charconv>

namespace ck {

void append_number(std::string& out, double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, p);
}

std::string candles_to_csv(const CandleSeries& s, bool last_closed) {
  std::string out = "time,open,high,low,close,volume,value,closed\n";
  out.reserve(out.size() + s.size() * 96);
  for (size_t i = 0; i < s.size(); ++i) {
    out += format_timestamp(s.time()[i]);
    for (double v : {s.open()[i], s.high()[i], s.low()[i], s.close()[i], s.volume()[i], s.value()[i]}) {
      out += ',';
      append_number(out, v);
    }
    out += (i + 1 == s.size() && !last_closed) ? ",0\n" : ",1\n";
  }
  return out;
}

}  // namespace ck
