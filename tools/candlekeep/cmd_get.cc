// candlekeep get: reads candles of one market and timeframe from the store (fetching the shortfall
// first with --fetch).
#include "timeframe/candle_csv.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "get";

int run_get(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"data", "market", "timeframe", "from", "to", "fill", "format", "origin", "exchange-url"},
                            {"fetch", "closed-only"});
  if (!flags) return usage_error(kName, flags.status().message());
  auto market = flags->require("market");
  if (!market) return usage_error(kName, market.status().message());
  auto tf_text = flags->require("timeframe");
  if (!tf_text) return usage_error(kName, tf_text.status().message());
  auto tf = Timeframe::parse(*tf_text);
  if (!tf) return usage_error(kName, tf.status().message());
  auto range = parse_range_flags(*flags);
  if (!range) return usage_error(kName, range.status().message());
  auto fill = parse_fill(flags->get_or("fill", "none"));
  if (!fill) return usage_error(kName, fill.status().message());
  auto format = parse_format(*flags, {"csv", "json"});
  if (!format) return usage_error(kName, format.status().message());
  ReadOptions ro;
  ro.fill = *fill;
  ro.fetch_missing = flags->has("fetch");
  ro.closed_only = flags->has("closed-only");
  if (auto origin = flags->get("origin")) {
    auto o = parse_day_origin(*origin);
    if (!o) return usage_error(kName, o.status().message());
    ro.day_origin_ms = *o;
  }
  if (!flags->has("data")) return usage_error(kName, "missing required flag --data");

  auto engine = open_engine(*flags);
  if (!engine) return failure(kName, engine.status().message());
  auto read = (*engine)->get(*market, *tf, *range, ro);
  if (!read) {
    const Status& st = read.status();
    bool user_error = st.code() == StatusCode::kNotFound || st.code() == StatusCode::kInvalidArgument;
    return user_error ? usage_error(kName, st.message()) : failure(kName, st.message());
  }
  print(*format == "json" ? candles_to_json(read->candles, read->last_closed)
                          : candles_to_csv(read->candles, read->last_closed));
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(get, kName,
                    "get --data DIR --market NAME --timeframe TF --from T --to T [--fill none|ffill] "
                    "[--format csv|json] [--origin HH:MMZ] [--closed-only] [--fetch [--exchange-url URL]]",
                    run_get);

}  // namespace ck::cli
