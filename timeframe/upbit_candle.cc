#include "timeframe/upbit_candle.h"

#include <nlohmann/json.hpp>

#include "timeframe/timestamp.h"

namespace ck {

Result<Candle> candle_from_upbit_json(const nlohmann::json& j) {
  if (!j.is_object()) return Status::invalid_argument("candle is not a JSON object");
  auto time_it = j.find("candle_date_time_utc");
  if (time_it == j.end() || !time_it->is_string()) {
    return Status::invalid_argument("missing string field 'candle_date_time_utc'");
  }
  CK_ASSIGN_OR_RETURN(Timestamp t, parse_timestamp(time_it->get_ref<const std::string&>()));
  Candle c;
  c.time = t;
  struct Field { const char* name; double* dst; };
  const Field fields[] = {{"opening_price", &c.open},           {"high_price", &c.high},
                          {"low_price", &c.low},                {"trade_price", &c.close},
                          {"candle_acc_trade_volume", &c.volume}, {"candle_acc_trade_price", &c.value}};
  for (const Field& f : fields) {
    auto it = j.find(f.name);
    if (it == j.end() || !it->is_number()) {
      return Status::invalid_argument(std::string("missing numeric field '") + f.name + "'");
    }
    *f.dst = it->get<double>();
  }
  return c;
}

}  // namespace ck
