#pragma once
// The `to` parameter of Upbit's candle endpoints, after URL decoding. Accepted (upbit-api.md §2.1,
// §11): "2025-06-24T04:56:53Z", "2025-06-24T04:56:53.000Z", "2025-06-24 04:56:53",
// "2025-06-24T04:56:53", "2025-06-24T13:56:53+09:00" (any ±HH:MM offset; fractions of a second
// with any number of digits). A time without a zone is UTC. Anything else — a bare date, a
// missing seconds field, " 09:00" from an unencoded '+', garbage — is rejected (the caller answers
// 400 "Invalid parameter"; Upbit's reaction to these is UNVERIFIED, see docs/simulator.md).
#include <string_view>

#include "timeframe/result.h"
#include "timeframe/timestamp.h"

namespace ck::sim {

Result<Timestamp> parse_to_param(std::string_view text);

}  // namespace ck::sim
