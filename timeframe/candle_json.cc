#include "timeframe/candle_json.h"

#include "timeframe/candle_csv.h"

namespace ck {

std::string candles_to_json(const CandleSeries& s, bool last_closed) {
  std::string out = "[";
  out.reserve(s.size() * 160 + 2);
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ',';
    out += "{\"time\":\"" + format_timestamp(s.time()[i]) + "\"";
    const char* names[] = {"open", "high", "low", "close", "volume", "value"};
    const double vals[] = {s.open()[i], s.high()[i], s.low()[i], s.close()[i], s.volume()[i], s.value()[i]};
    for (int f = 0; f < 6; ++f) {
      out += ",\"";
      out += names[f];
      out += "\":";
      append_number(out, vals[f]);
    }
    out += (i + 1 == s.size() && !last_closed) ? ",\"closed\":false}" : ",\"closed\":true}";
  }
  out += "]\n";
  return out;
}

}  // namespace ck
