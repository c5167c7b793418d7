#pragma once
// Flag handling shared by the commands that open an engine: --data, --exchange-url, --from/--to,
// --markets, and output of candles as CSV or JSON.
#include <memory>
#include <string>

#include "engine/engine.h"
#include "timeframe/candle_json.h"  // candles_to_json: the JSON of `get` (shared with GET /v1/candles)
#include "tools/candlekeep/flags.h"

namespace ck::cli {

// --from / --to: ISO-8601 UTC, a date (its 00:00Z), or epoch milliseconds (seconds if < 1e11).
Result<Timestamp> parse_time_flag(const Flags& flags, const char* name);
// [--from, --to), both required unless `to_default` is given (then --to is optional).
Result<TimeRange> parse_range_flags(const Flags& flags, std::optional<Timestamp> to_default = std::nullopt);

// Opens the engine over --data (required) with --exchange-url (optional).
Result<std::unique_ptr<Engine>> open_engine(const Flags& flags, EngineOptions base = {});

// "csv" (default) or "json"; anything else is an error naming the accepted values.
Result<std::string> parse_format(const Flags& flags, std::initializer_list<const char*> accepted);

// Writes to stdout completely.
void print(const std::string& text);

}  // namespace ck::cli
