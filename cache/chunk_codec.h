#pragma once
// Chunk codec: the compact, bit-exact byte form of one chunk of candles — normally one market's
// 1-minute candles of one UTC day (at most 1,440), but any series whose times sit on a grid
// `base + n * step` works, so derived-timeframe chunks (15m, 1h, 4h, 1d, 1w) use it too.
//
// Contract:
// - decode(encode(x)) == x with every double bit-identical (also -0.0, NaN payloads, infinities,
//   subnormals: values that cannot be represented compactly are stored as raw bit patterns).
// - Compact on market data: prices that are decimals of a few places become scaled integers coded
//   as small residuals (open vs previous close, close vs open, high/low vs the body), volumes and
//   traded values as scaled integers (the value predicted from volume × mid price). Residuals go
//   through an adaptive Rice coder. The layout is frozen and versioned: docs/storage-format.md.
// - Every chunk starts with a version byte and ends with a CRC32C; any damaged, truncated or
//   foreign input decodes to a Corruption status, never a crash and never a wrong candle that
//   passes the checksum by accident short of a 1-in-2^32 collision.
#include <cstdint>
#include <string>
#include <string_view>

#include "timeframe/candle_series.h"
#include "timeframe/result.h"
#include "timeframe/timestamp.h"

namespace ck {

inline constexpr uint8_t kChunkFormatVersion = 1;
// A chunk holds at most this many candles (a year of 15-minute candles fits; 1-minute day chunks
// hold at most 1,440).
inline constexpr uint32_t kMaxChunkCandles = 1u << 20;

// What a chunk says about itself, readable without decoding the candles.
struct ChunkHeader {
  uint8_t version = kChunkFormatVersion;
  uint32_t count = 0;           // candles in the chunk
  Timestamp base = 0;           // every time is base + n * step_ms, n >= 0
  int64_t step_ms = kMinuteMs;  // > 0
};

// Encodes `candles`. REQUIRES (else InvalidArgument): times strictly increasing, each time
// >= base and a whole number of `step_ms` after it, step_ms > 0, at most kMaxChunkCandles candles.
// Any double (NaN, infinities, -0.0 included) is stored bit-exactly.
Result<std::string> encode_chunk(const CandleSeries& candles, Timestamp base, int64_t step_ms = kMinuteMs);

// Decodes a chunk made by encode_chunk. Corruption on any damaged or truncated input.
Result<CandleSeries> decode_chunk(std::string_view bytes);
// Appends the chunk's candles to `out`. REQUIRES: out is empty or ends before the chunk's first
// candle. On error `out` is left as it was.
Status decode_chunk_into(std::string_view bytes, CandleSeries& out);
// Checks version, length and checksum and returns the header, without decoding the candles.
Result<ChunkHeader> read_chunk_header(std::string_view bytes);

}  // namespace ck
