#pragma once
// The bit-level coder behind chunk_codec.cc (internal to cache/): an adaptive Rice code whose
// parameter follows the running mean of recent symbols, as in LOCO-I / JPEG-LS, so it adapts
// within a day without side information; escapes keep rare huge symbols cheap. Bits are written
// LSB-first. The code is part of the frozen chunk format (docs/storage-format.md).
#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>

#include "cache/coding.h"

namespace ck::rice {

inline constexpr int kEscape = 24;       // a unary quotient this long switches to an explicit bit width
inline constexpr uint32_t kWindow = 16;  // sum and count halve every 8 symbols: a short memory
inline constexpr uint64_t kContributionCap = uint64_t(1) << 56;

// Per-column state.
struct RiceContext {
  uint64_t sum = 0;
  uint32_t count = 0;
  int k = 0;  // the Rice parameter for the next symbol

  void update(uint64_t v) {
    sum += std::min(v, kContributionCap);
    if (++count == kWindow) {
      sum = (sum + 1) >> 1;
      count >>= 1;
    }
    if (sum <= count) {
      k = 0;
      return;
    }
    int j = std::bit_width(sum) - std::bit_width(uint64_t(count));
    if ((uint64_t(count) << j) < sum) ++j;  // j: the smallest with count * 2^j >= sum (JPEG-LS)
    // One less than JPEG-LS's choice: measured 2-3% smaller on the real and KRW sets.
    k = j > 1 ? j - 1 : 0;
  }
};

inline uint64_t low_mask(int bits) { return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1; }

class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}

  // REQUIRES: v < 2^bits.
  void put(uint64_t v, int bits) {
    if (bits > 32) {
      put_short(v & 0xFFFFFFFFu, 32);
      put_short(v >> 32, bits - 32);
    } else {
      put_short(v, bits);
    }
  }
  void put_rice(RiceContext& ctx, uint64_t v) {
    const int k = ctx.k;
    uint64_t q = v >> k;
    if (q < uint64_t(kEscape)) {
      put_short(uint64_t(1) << q, int(q) + 1);  // q zeros, then a one
      put(v & low_mask(k), k);
    } else {
      put_short(0, kEscape);
      int w = std::bit_width(v);
      put_short(uint64_t(w), 7);
      put(v, w);
    }
    ctx.update(v);
  }
  void finish() {
    if (bits_ > 0) out_.push_back(char(acc_));
    acc_ = 0;
    bits_ = 0;
  }

 private:
  void put_short(uint64_t v, int bits) {  // bits <= 32
    acc_ |= v << bits_;
    bits_ += bits;
    while (bits_ >= 8) {
      out_.push_back(char(acc_));
      acc_ >>= 8;
      bits_ -= 8;
    }
  }
  std::string& out_;
  uint64_t acc_ = 0;
  int bits_ = 0;
};

class BitReader {
 public:
  BitReader(const char* begin, const char* end)
      : begin_(reinterpret_cast<const uint8_t*>(begin)), p_(begin_), end_(reinterpret_cast<const uint8_t*>(end)) {}

  uint64_t get(int bits) {  // bits <= 64
    if (bits > 32) {
      uint64_t lo = get_short(32);
      return lo | get_short(bits - 32) << 32;
    }
    return get_short(bits);
  }
  uint64_t get_rice(RiceContext& ctx) {
    refill();
    const int k = ctx.k;
    const int zeros = buf_ == 0 ? 64 : std::countr_zero(buf_);
    uint64_t v;
    if (zeros < kEscape && k <= 32) {
      // Fast path: the quotient, its stop bit and the k remainder bits are all in the buffer
      // (refill() keeps at least 56 bits: 23 + 1 + 32).
      v = (uint64_t(zeros) << k) | ((buf_ >> (zeros + 1)) & low_mask(k));
      consume(zeros + 1 + k);
    } else if (zeros < kEscape) {
      consume(zeros + 1);
      v = (uint64_t(zeros) << k) | get(k);
    } else {
      consume(kEscape);
      int w = int(get_short(7));
      if (w > 64) bad_ = true;
      v = get(std::min(w, 64));
    }
    ctx.update(v);
    return v;
  }
  // Bits consumed so far, counting the zero padding read past the end.
  uint64_t consumed_bits() const { return uint64_t(p_ - begin_ + padding_) * 8 - uint64_t(bits_); }
  uint64_t available_bits() const { return uint64_t(end_ - begin_) * 8; }
  // False after reading past the end or an impossible escape width.
  bool ok() const { return !bad_ && consumed_bits() <= available_bits(); }

 private:
  // Keeps at least 56 bits buffered; past the end, zeros are fed (and counted as padding).
  void refill() {
    if (bits_ >= 56) return;
    if (end_ - p_ >= 8) {
      buf_ |= coding::load_fixed64_le(reinterpret_cast<const char*>(p_)) << bits_;
      p_ += (63 - bits_) >> 3;
      bits_ |= 56;
      return;
    }
    while (bits_ <= 56) {
      uint64_t b = 0;
      if (p_ < end_) {
        b = *p_++;
      } else {
        ++padding_;
      }
      buf_ |= b << bits_;
      bits_ += 8;
    }
  }
  void consume(int bits) {
    buf_ = bits >= 64 ? 0 : buf_ >> bits;
    bits_ -= bits;
  }
  uint64_t get_short(int bits) {  // bits <= 32
    if (bits_ < bits) refill();
    uint64_t v = buf_ & low_mask(bits);
    consume(bits);
    return v;
  }

  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  uint64_t buf_ = 0;
  int bits_ = 0;
  uint64_t padding_ = 0;
  bool bad_ = false;
};

}  // namespace ck::rice
