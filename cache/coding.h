#pragma once
// Byte helpers for on-disk formats: fixed-width integers (big-endian where byte order must sort,
// little-endian otherwise), LEB128 varints, and zigzag. Nothing else lives here.
//
// Decoding helpers read from a std::string_view cursor and return false (without advancing past
// the end) when the input is too short or malformed, so callers turn that into Corruption.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ck::coding {

// ---- fixed width ----------------------------------------------------------------------------

inline void put_fixed32_be(std::string& out, uint32_t v) {
  char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  out.append(b, 4);
}
inline void put_fixed64_be(std::string& out, uint64_t v) {
  put_fixed32_be(out, uint32_t(v >> 32));
  put_fixed32_be(out, uint32_t(v));
}
inline void put_fixed32_le(std::string& out, uint32_t v) {
  char b[4] = {char(v), char(v >> 8), char(v >> 16), char(v >> 24)};
  out.append(b, 4);
}
inline void put_fixed64_le(std::string& out, uint64_t v) {
  put_fixed32_le(out, uint32_t(v));
  put_fixed32_le(out, uint32_t(v >> 32));
}

// REQUIRES: p points at 4 (or 8) readable bytes.
inline uint32_t load_fixed32_be(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) << 24 | uint32_t(u[1]) << 16 | uint32_t(u[2]) << 8 | uint32_t(u[3]);
}
inline uint64_t load_fixed64_be(const char* p) {
  return uint64_t(load_fixed32_be(p)) << 32 | load_fixed32_be(p + 4);
}
inline uint32_t load_fixed32_le(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}
inline uint64_t load_fixed64_le(const char* p) {
  return uint64_t(load_fixed32_le(p)) | uint64_t(load_fixed32_le(p + 4)) << 32;
}

inline bool get_fixed32_be(std::string_view& in, uint32_t& v) {
  if (in.size() < 4) return false;
  v = load_fixed32_be(in.data());
  in.remove_prefix(4);
  return true;
}
inline bool get_fixed64_be(std::string_view& in, uint64_t& v) {
  if (in.size() < 8) return false;
  v = load_fixed64_be(in.data());
  in.remove_prefix(8);
  return true;
}
inline bool get_fixed64_le(std::string_view& in, uint64_t& v) {
  if (in.size() < 8) return false;
  v = load_fixed64_le(in.data());
  in.remove_prefix(8);
  return true;
}
inline bool get_byte(std::string_view& in, uint8_t& v) {
  if (in.empty()) return false;
  v = uint8_t(in[0]);
  in.remove_prefix(1);
  return true;
}

// ---- varints ----------------------------------------------------------------------------------

inline void put_varint64(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char(v | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

// Rejects encodings longer than 10 bytes or with bits beyond 64.
inline bool get_varint64(std::string_view& in, uint64_t& v) {
  uint64_t result = 0;
  for (size_t i = 0; i < in.size() && i < 10; ++i) {
    uint64_t byte = uint8_t(in[i]);
    if (i == 9 && byte > 1) return false;
    result |= (byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      v = result;
      in.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

// ---- zigzag: small magnitudes of either sign become small unsigned numbers ----------------

inline constexpr uint64_t zigzag(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
inline constexpr int64_t unzigzag(uint64_t u) { return int64_t(u >> 1) ^ -int64_t(u & 1); }

inline void put_varint_signed(std::string& out, int64_t v) { put_varint64(out, zigzag(v)); }
inline bool get_varint_signed(std::string_view& in, int64_t& v) {
  uint64_t u;
  if (!get_varint64(in, u)) return false;
  v = unzigzag(u);
  return true;
}

// ---- bit patterns of doubles ------------------------------------------------------------------

inline uint64_t double_bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}
inline double bits_double(uint64_t u) {
  double d;
  std::memcpy(&d, &u, 8);
  return d;
}

}  // namespace ck::coding
