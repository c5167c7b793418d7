#pragma once
// The JSON body of POST /v1/exports, read into an ExportRequest:
//
//   {"markets": ["KRW-BTC", "KRW-ETH"] | "KRW-*" | "all",   required
//    "timeframes": ["15m", "1h"] | "15m,1h",                required
//    "from": "2024-01-01" | 1704067200000, "to": ...,        required, as /v1/candles takes them
//    "format": "csv" | "npy",                                optional, csv
//    "origin": "HH:MMZ",                                     optional, 00:00Z (for 1d, 1w)
//    "fetch": false}                                         optional: collect missing minutes first
//
// Markets are resolved like `candlekeep export --markets` (globs against the store, or against the
// exchange with fetch). out_dir is not the client's to choose: ExportJobs sets it.
// Errors: malformed JSON, a missing/unknown/mistyped key, a bad timeframe, time or format, `from`
// not before `to`: InvalidArgument; a market the store does not hold (without fetch): NotFound.
#include <string_view>

#include "engine/export.h"

namespace ck::http {

Result<ExportRequest> parse_export_body(std::string_view body, Engine& engine);

}  // namespace ck::http
