#include "engine/npy_writer.h"

#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>

namespace ck {

// Records are copied from memory as they are; the file says little-endian.
static_assert(std::endian::native == std::endian::little, "npy_writer writes host-order records as '<' types");
static_assert(sizeof(Timestamp) == 8 && sizeof(double) == 8);

namespace {

constexpr char kMagic[] = "\x93NUMPY";  // 6 bytes + NUL
constexpr size_t kPreambleBytes = 10;   // magic, 2 version bytes, uint16 header length
constexpr size_t kAlignment = 64;       // numpy aligns the data start to 64 bytes

const char* type_code(NpyType t) { return t == NpyType::kInt64 ? "<i8" : "<f8"; }

}  // namespace

std::string npy_header(std::span<const NpyField> fields, size_t rows) {
  std::string dict = "{'descr': [";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) dict += ", ";
    dict += "('";
    dict += fields[i].name;
    dict += "', '";
    dict += type_code(fields[i].type);
    dict += "')";
  }
  dict += "], 'fortran_order': False, 'shape': (" + std::to_string(rows) + ",), }";
  // Pad with spaces so that preamble + dict + '\n' is a whole number of 64-byte blocks.
  size_t total = kPreambleBytes + dict.size() + 1;
  size_t padded = (total + kAlignment - 1) / kAlignment * kAlignment;
  dict.append(padded - total, ' ');
  dict += '\n';
  assert(dict.size() <= 0xFFFF);

  std::string out(kMagic, 6);
  out += char(1);  // major version
  out += char(0);  // minor version
  out += char(dict.size() & 0xFF);
  out += char((dict.size() >> 8) & 0xFF);
  out += dict;
  return out;
}

std::string candles_to_npy(const CandleSeries& s) {
  std::string out = npy_header(kCandleNpyFields, s.size());
  const size_t start = out.size();
  out.resize(start + s.size() * kCandleNpyRecordBytes);
  char* p = out.data() + start;
  const Timestamp* time = s.time().data();
  const double* cols[6] = {s.open().data(), s.high().data(), s.low().data(),
                           s.close().data(), s.volume().data(), s.value().data()};
  // Columns to records: one row of seven 8-byte words at a time.
  for (size_t i = 0; i < s.size(); ++i, p += kCandleNpyRecordBytes) {
    std::memcpy(p, &time[i], 8);
    for (int f = 0; f < 6; ++f) std::memcpy(p + 8 + 8 * f, &cols[f][i], 8);
  }
  return out;
}

}  // namespace ck
