#pragma once
// Writing NumPy .npy files (format version 1.0), so Python reads exported candles with a plain
// `numpy.load(path)` — no pickle, no extra package.
//
// A .npy v1.0 file is: the magic "\x93NUMPY", the bytes 1 and 0 (version), a little-endian uint16
// header length, then an ASCII Python dict literal
//   {'descr': [('time', '<i8'), ...], 'fortran_order': False, 'shape': (N,), }
// padded with spaces and ended by '\n' so the data starts at a multiple of 64 bytes, then the N
// records back to back (C order, no padding between fields).
//
// Candles are written as a 1-D structured array, one record of 56 bytes per candle:
//   [('time', '<i8'), ('open', '<f8'), ('high', '<f8'), ('low', '<f8'), ('close', '<f8'),
//    ('volume', '<f8'), ('value', '<f8')]
// time = the candle's open time in milliseconds since the Unix epoch, UTC (numpy: .astype('M8[ms]'));
// value = traded value (quote currency) over the candle.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "timeframe/candle_series.h"

namespace ck {

enum class NpyType { kInt64, kFloat64 };  // '<i8' and '<f8'

struct NpyField {
  std::string_view name;
  NpyType type;
};

// The record layout candles_to_npy writes (see above).
inline constexpr NpyField kCandleNpyFields[] = {
    {"time", NpyType::kInt64},  {"open", NpyType::kFloat64},   {"high", NpyType::kFloat64},
    {"low", NpyType::kFloat64}, {"close", NpyType::kFloat64},  {"volume", NpyType::kFloat64},
    {"value", NpyType::kFloat64},
};
inline constexpr size_t kCandleNpyRecordBytes = 56;

// Everything of a .npy v1.0 file before its data: magic, version, header length and the padded
// header dict for a 1-D structured array of `rows` records.
// REQUIRES: field names are non-empty and contain neither quotes nor backslashes; the dict fits the
// v1.0 limit of 65535 bytes (a few thousand fields).
std::string npy_header(std::span<const NpyField> fields, size_t rows);

// A whole .npy file holding `candles` as the structured array described above.
std::string candles_to_npy(const CandleSeries& candles);

}  // namespace ck
