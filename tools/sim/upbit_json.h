#pragma once
// The simulator's JSON output in Upbit's exact shape: field names and order as captured on the wire
// (upbit-api.md §3, §7), prices and sizes with Upbit's fixed 8 decimals, change_rate with 10.
// Hand-written appends into a pre-sized string: this is the hot path of every candle request, and
// a generic JSON library would spend more time building trees than the rest of the request.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tools/sim/candle_unit.h"
#include "tools/sim/exchange.h"
#include "tools/sim/market.h"
#include "tools/sim/sim_candle.h"

namespace ck::sim {

void append_int(std::string& out, int64_t v);
// Fixed 8 decimals ("47108000.00000000"). Exact for multiples of 1/256 and for ladder prices.
void append_fixed8(std::string& out, double v);
// q / 256 with 8 decimals, exactly (1/256 = 0.00390625).
void append_quantum(std::string& out, int64_t q);
// Rounded to 10 decimals ("0.0041542808"), as Upbit prints change_rate.
void append_rate(std::string& out, double v);
// "2023-10-30T12:32:00" (no zone suffix) for t + offset_ms.
void append_date_time(std::string& out, Timestamp t, int64_t offset_ms = 0);
// "2023-10-30" for a day number; with compact = true "20231030".
void append_date(std::string& out, int64_t day, bool compact = false);
// JSON string with the escapes JSON requires.
void append_string(std::string& out, std::string_view s);

inline constexpr int64_t kKstOffsetMs = 9 * kHourMs;

// One candle object of `unit`'s endpoint. `converted` adds converted_trade_price (days only, when
// the request carried converting_price_unit=KRW).
void append_candle(std::string& out, const MarketSpec& market, CandleUnit unit, const SimCandle& c,
                   bool converted = false);
// A JSON array of candle objects, in the order given.
std::string candles_json(const MarketSpec& market, CandleUnit unit, std::span<const SimCandle> candles,
                         bool converted = false);

// One /v1/ticker row.
void append_ticker(std::string& out, const MarketSpec& market, const Ticker& t);

// {"error":{"name":<status>,"message":"…"}} — quotation errors carry the integer status as name.
std::string error_json(int status, std::string_view message);
// {"error":{"name":"<name>","message":"…"}} — e.g. the unknown-route body and WebSocket errors.
std::string error_json(std::string_view name, std::string_view message);

}  // namespace ck::sim
