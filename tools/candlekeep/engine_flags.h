#pragma once
// Flag handling shared by the commands that open an engine: --data, --exchange-url, --from/--to,
// --markets, and output of candles as CSV or JSON.
#include <memory>
#include <string>

#include "engine/engine.h"
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

// The candles as `candlekeep get` prints them.
std::string candles_to_json(const CandleSeries& candles, bool last_closed);

// Writes to stdout completely.
void print(const std::string& text);

}  // namespace ck::cli
