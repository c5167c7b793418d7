#include "cache/chunk_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <initializer_list>
#include <numeric>
#include <span>
#include <vector>

#include "cache/coding.h"
#include "cache/crc32c.h"
#include "cache/rice_code.h"

// Layout (version 1) — docs/storage-format.md is the normative description:
//   u8 version | varint count | svarint base_ms | varint step_ms
//   price group:  u8 mode (0 scaled, 1 raw bits) | u8 flags (bit0: high/low residuals unsigned)
//                 [scaled: u8 k | varint gcd] | svarint first_open (predicts the first open)
//   volume, value: u8 mode (see ColumnMode) | mode parameters
//   bit stream: per candle, in order: time gap, open, close, high, low, volume, value
//               (adaptive Rice codes, LSB-first), zero-padded to a byte
//   u32le CRC32C of everything before it
namespace ck {
namespace {

using coding::double_bits;
using coding::unzigzag;
using coding::zigzag;
using u128 = unsigned __int128;
using rice::BitReader;
using rice::BitWriter;
using rice::RiceContext;

// ---- decimal scales ----------------------------------------------------------------------------

constexpr int kMaxScale = 18;
// Powers of ten up to 1e18 are exact doubles, so m / 10^k is one correctly rounded division.
constexpr double kPow10[kMaxScale + 1] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                          1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
constexpr double kExactIntLimit = 9007199254740992.0;  // 2^53: every integer up to it is a double

double unscale(int64_t m, int k) { return double(m) / kPow10[k]; }

// True when x is exactly the double that unscale(m, k) yields for some |m| <= 2^53 (set in m).
bool scaled_fits(double x, int k, int64_t& m) {
  double y = x * kPow10[k];
  if (!(std::fabs(y) <= kExactIntLimit)) return false;  // also rejects NaN and infinities
  m = std::llround(y);
  return double_bits(unscale(m, k)) == double_bits(x);  // -0.0 never fits: it stays raw
}

struct Scaled {
  int k = 0;
  uint64_t gcd = 1;
  std::vector<int64_t> q;  // the integers m / gcd, column after column
};

// Finds the smallest decimal scale at which every value of `cols` is an exact scaled integer,
// and divides out the common factor (a price tick, say). False when no scale up to 1e18 works.
bool find_scale(std::initializer_list<std::span<const double>> cols, Scaled& out) {
  int k = 0;
  int64_t m;
  for (auto col : cols) {
    for (double x : col) {
      while (!scaled_fits(x, k, m)) {
        if (++k > kMaxScale) return false;
      }
    }
  }
  // Verify at the final scale (a value that fit a smaller scale almost always fits a larger one).
  out.q.clear();
  uint64_t g = 0;
  for (auto col : cols) {
    for (double x : col) {
      if (!scaled_fits(x, k, m)) return false;
      out.q.push_back(m);
      g = std::gcd(g, uint64_t(m < 0 ? -m : m));
    }
  }
  out.k = k;
  out.gcd = g == 0 ? 1 : g;
  if (out.gcd > 1) {
    for (auto& v : out.q) v /= int64_t(out.gcd);
  }
  return true;
}

// Residuals between integers (scaled values or raw bit patterns) wrap modulo 2^64, so every
// pair of int64s has one and the decoder undoes it exactly.
int64_t wrap_sub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
int64_t wrap_add(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }
int64_t wrap_mul(int64_t a, uint64_t b) { return int64_t(uint64_t(a) * b); }

// The traded value predicted from volume × mid price, as an integer of the value column's scale
// and gcd. Integer arithmetic only, so encoder and decoder agree on every machine; returns 0
// where the scales are too far apart to compute it cheaply.
int64_t predict_value(int64_t volume_m, int64_t high_m, int64_t low_m, int volume_k, int price_k, int value_k,
                      uint64_t value_gcd) {
  __int128 num = __int128(volume_m) * (__int128(high_m) + low_m);
  int e = value_k - volume_k - price_k;
  u128 den = u128(value_gcd) * 2;
  if (e > 0) {
    u128 mag = num < 0 ? -(u128)num : (u128)num;
    int width = 128 - (uint64_t(mag >> 64) ? std::countl_zero(uint64_t(mag >> 64))
                                           : 64 + std::countl_zero(uint64_t(mag)));
    if (width + 4 * e > 125) return 0;
    for (int i = 0; i < e; ++i) num *= 10;
  } else if (e < 0) {
    if (-e > kMaxScale) return 0;
    for (int i = 0; i < -e; ++i) den *= 10;
  }
  bool neg = num < 0;
  u128 mag = neg ? -(u128)num : (u128)num;
  u128 q;
  if ((mag >> 64) == 0 && (den >> 64) == 0) {
    uint64_t m64 = uint64_t(mag), d64 = uint64_t(den);
    uint64_t rem = m64 % d64;
    q = m64 / d64 + (rem >= d64 - rem ? 1 : 0);  // round half away from zero
  } else {
    q = mag / den + ((mag % den) * 2 >= den ? 1 : 0);
  }
  if (q > uint64_t(INT64_MAX)) return 0;
  return neg ? -int64_t(q) : int64_t(q);
}

// ---- column plans ----------------------------------------------------------------------------

enum class PriceMode : uint8_t { kScaled = 0, kRaw = 1 };
enum class ColumnMode : uint8_t {
  kScaledUnsigned = 0,   // u8 k | varint gcd; symbol = m / gcd
  kScaledSigned = 1,     // u8 k | varint gcd; symbol = zigzag(m / gcd)
  kRaw = 2,              // u64le first bits; symbol = zigzag(bits - previous bits)
  kConstant = 3,         // u64le bits; no symbols
  kScaledPredicted = 4,  // u8 k | varint gcd; symbol = zigzag(m / gcd - predict_value(...)), value column only
};
constexpr uint8_t kHighLowUnsigned = 1;

struct ColumnPlan {
  ColumnMode mode = ColumnMode::kConstant;
  Scaled scaled;                // scaled modes
  std::vector<uint64_t> bits;   // raw mode
  uint64_t first_bits = 0;      // raw and constant modes
};

ColumnPlan plan_column(std::span<const double> col) {
  ColumnPlan plan;
  uint64_t first = col.empty() ? 0 : double_bits(col[0]);
  if (std::all_of(col.begin(), col.end(), [&](double x) { return double_bits(x) == first; })) {
    plan.first_bits = first;
    return plan;
  }
  if (find_scale({col}, plan.scaled)) {
    bool any_negative = std::any_of(plan.scaled.q.begin(), plan.scaled.q.end(), [](int64_t v) { return v < 0; });
    plan.mode = any_negative ? ColumnMode::kScaledSigned : ColumnMode::kScaledUnsigned;
    return plan;
  }
  plan.mode = ColumnMode::kRaw;
  plan.bits.reserve(col.size());
  for (double x : col) plan.bits.push_back(double_bits(x));
  plan.first_bits = first;
  return plan;
}

void put_column_header(std::string& out, const ColumnPlan& plan) {
  out.push_back(char(plan.mode));
  switch (plan.mode) {
    case ColumnMode::kScaledUnsigned:
    case ColumnMode::kScaledSigned:
    case ColumnMode::kScaledPredicted:
      out.push_back(char(plan.scaled.k));
      coding::put_varint64(out, plan.scaled.gcd);
      break;
    case ColumnMode::kRaw:
    case ColumnMode::kConstant:
      coding::put_fixed64_le(out, plan.first_bits);
      break;
  }
}

// What the decoder knows about one volume/value column.
struct ColumnSpec {
  ColumnMode mode = ColumnMode::kConstant;
  int k = 0;
  uint64_t gcd = 1;
  uint64_t first_bits = 0;
};

bool get_column_header(std::string_view& in, ColumnSpec& spec, bool allow_predicted) {
  uint8_t mode;
  if (!coding::get_byte(in, mode) || mode > uint8_t(ColumnMode::kScaledPredicted)) return false;
  spec.mode = ColumnMode(mode);
  if (spec.mode == ColumnMode::kScaledPredicted && !allow_predicted) return false;
  if (spec.mode == ColumnMode::kRaw || spec.mode == ColumnMode::kConstant) {
    return coding::get_fixed64_le(in, spec.first_bits);
  }
  uint8_t k;
  if (!coding::get_byte(in, k) || k > kMaxScale) return false;
  spec.k = k;
  return coding::get_varint64(in, spec.gcd) && spec.gcd != 0;
}

uint64_t total_bit_width(std::span<const int64_t> v, bool signed_symbols) {
  uint64_t total = 0;
  for (int64_t x : v) total += std::bit_width(signed_symbols ? zigzag(x) : uint64_t(x)) + 1;
  return total;
}

Status corrupt(std::string_view what) { return Status::corruption("candle chunk: " + std::string(what)); }

// Splits off and checks the CRC; returns the bytes it covers.
Result<std::string_view> checked_body(std::string_view bytes) {
  if (bytes.size() < 5) return corrupt("too short (" + std::to_string(bytes.size()) + " bytes)");
  if (uint8_t(bytes[0]) != kChunkFormatVersion) {
    return corrupt("unknown format version " + std::to_string(uint8_t(bytes[0])) + " (this build reads " +
                   std::to_string(kChunkFormatVersion) + ")");
  }
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  uint32_t stored = coding::load_fixed32_le(bytes.data() + body.size());
  if (crc32c(body) != stored) return corrupt("checksum mismatch (damaged or truncated)");
  return body;
}

}  // namespace

Result<std::string> encode_chunk(const CandleSeries& s, Timestamp base, int64_t step_ms) {
  if (step_ms <= 0) return Status::invalid_argument("encode_chunk: step must be positive");
  if (s.size() > kMaxChunkCandles) {
    return Status::invalid_argument("encode_chunk: " + std::to_string(s.size()) + " candles exceed the chunk limit of " +
                                    std::to_string(kMaxChunkCandles));
  }
  const size_t n = s.size();
  auto time = s.time();
  std::vector<uint64_t> gaps(n);
  for (size_t i = 0; i < n; ++i) {
    Timestamp from = i == 0 ? base : time[i - 1];
    int64_t diff;
    if (__builtin_sub_overflow(time[i], from, &diff) || diff < (i == 0 ? 0 : 1) || diff % step_ms != 0) {
      return Status::invalid_argument("encode_chunk: candle " + std::to_string(i) + " at " + format_timestamp(time[i]) +
                                      (i == 0 ? " is before the chunk start or off its grid"
                                              : " is not after the previous candle on the chunk's grid"));
    }
    gaps[i] = uint64_t(diff / step_ms) - (i == 0 ? 0 : 1);
  }

  std::string out;
  out.reserve(64 + n * 12);
  out.push_back(char(kChunkFormatVersion));
  coding::put_varint64(out, n);
  coding::put_varint_signed(out, base);
  coding::put_varint64(out, uint64_t(step_ms));

  // Prices: one scale for all four columns, so the residuals between them are exact integers.
  Scaled price;
  const bool price_scaled = find_scale({s.open(), s.high(), s.low(), s.close()}, price);
  std::vector<int64_t> raw_price;
  if (!price_scaled) {
    raw_price.reserve(4 * n);
    for (auto col : {s.open(), s.high(), s.low(), s.close()}) {
      for (double x : col) raw_price.push_back(int64_t(double_bits(x)));
    }
  }
  const int64_t* pv = price_scaled ? price.q.data() : raw_price.data();
  const int64_t *O = pv, *H = pv + n, *L = pv + 2 * n, *C = pv + 3 * n;
  uint8_t price_flags = kHighLowUnsigned;
  for (size_t i = 0; i < n; ++i) {
    if (H[i] < std::max(O[i], C[i]) || L[i] > std::min(O[i], C[i])) price_flags = 0;
  }
  out.push_back(char(price_scaled ? PriceMode::kScaled : PriceMode::kRaw));
  out.push_back(char(price_flags));
  if (price_scaled) {
    out.push_back(char(price.k));
    coding::put_varint64(out, price.gcd);
  }
  coding::put_varint_signed(out, n == 0 ? 0 : O[0]);

  ColumnPlan volume = plan_column(s.volume());
  ColumnPlan value = plan_column(s.value());
  // The traded value is close to volume × mid price: code the difference when that is cheaper.
  std::vector<int64_t> value_symbols;
  const bool volume_scaled = volume.mode == ColumnMode::kScaledUnsigned || volume.mode == ColumnMode::kScaledSigned;
  const bool value_scaled = value.mode == ColumnMode::kScaledUnsigned || value.mode == ColumnMode::kScaledSigned;
  if (price_scaled && volume_scaled && value_scaled) {
    std::vector<int64_t> residuals(n);
    for (size_t i = 0; i < n; ++i) {
      int64_t pred = predict_value(wrap_mul(volume.scaled.q[i], volume.scaled.gcd), wrap_mul(H[i], price.gcd),
                                   wrap_mul(L[i], price.gcd), volume.scaled.k, price.k, value.scaled.k,
                                   value.scaled.gcd);
      residuals[i] = wrap_sub(value.scaled.q[i], pred);
    }
    if (total_bit_width(residuals, true) <
        total_bit_width(value.scaled.q, value.mode == ColumnMode::kScaledSigned)) {
      value.mode = ColumnMode::kScaledPredicted;
      value_symbols = std::move(residuals);
    }
  }
  put_column_header(out, volume);
  put_column_header(out, value);

  BitWriter w(out);
  RiceContext ctx_time, ctx_open, ctx_close, ctx_high, ctx_low, ctx_volume, ctx_value;
  auto put_column = [&](RiceContext& ctx, const ColumnPlan& plan, size_t i, uint64_t& prev_bits) {
    switch (plan.mode) {
      case ColumnMode::kConstant:
        break;
      case ColumnMode::kScaledUnsigned:
        w.put_rice(ctx, uint64_t(plan.scaled.q[i]));
        break;
      case ColumnMode::kScaledSigned:
        w.put_rice(ctx, zigzag(plan.scaled.q[i]));
        break;
      case ColumnMode::kScaledPredicted:
        w.put_rice(ctx, zigzag(value_symbols[i]));
        break;
      case ColumnMode::kRaw:
        w.put_rice(ctx, zigzag(int64_t(plan.bits[i] - prev_bits)));
        prev_bits = plan.bits[i];
        break;
    }
  };
  int64_t prev_close = n == 0 ? 0 : O[0];
  uint64_t prev_volume = volume.first_bits, prev_value = value.first_bits;
  const bool hl_unsigned = price_flags & kHighLowUnsigned;
  for (size_t i = 0; i < n; ++i) {
    w.put_rice(ctx_time, gaps[i]);
    w.put_rice(ctx_open, zigzag(wrap_sub(O[i], prev_close)));
    w.put_rice(ctx_close, zigzag(wrap_sub(C[i], O[i])));
    int64_t hi_res = wrap_sub(H[i], std::max(O[i], C[i]));
    int64_t lo_res = wrap_sub(std::min(O[i], C[i]), L[i]);
    w.put_rice(ctx_high, hl_unsigned ? uint64_t(hi_res) : zigzag(hi_res));
    w.put_rice(ctx_low, hl_unsigned ? uint64_t(lo_res) : zigzag(lo_res));
    put_column(ctx_volume, volume, i, prev_volume);
    put_column(ctx_value, value, i, prev_value);
    prev_close = C[i];
  }
  w.finish();
  coding::put_fixed32_le(out, crc32c(out));
  return out;
}

namespace {
// Parses the header fields after the version byte, advancing `body` past them.
Result<ChunkHeader> parse_header(std::string_view& body) {
  body.remove_prefix(1);
  ChunkHeader h;
  uint64_t count, step;
  int64_t base;
  if (!coding::get_varint64(body, count) || !coding::get_varint_signed(body, base) ||
      !coding::get_varint64(body, step)) {
    return corrupt("bad header");
  }
  if (count > kMaxChunkCandles) return corrupt("candle count " + std::to_string(count) + " exceeds the limit");
  if (step == 0 || step > uint64_t(INT64_MAX)) return corrupt("bad step");
  h.count = uint32_t(count);
  h.base = base;
  h.step_ms = int64_t(step);
  return h;
}
}  // namespace

Result<ChunkHeader> read_chunk_header(std::string_view bytes) {
  CK_ASSIGN_OR_RETURN(std::string_view body, checked_body(bytes));
  return parse_header(body);
}

Result<CandleSeries> decode_chunk(std::string_view bytes) {
  CandleSeries out;
  CK_RETURN_IF_ERROR(decode_chunk_into(bytes, out));
  return out;
}

Status decode_chunk_into(std::string_view bytes, CandleSeries& out) {
  CK_ASSIGN_OR_RETURN(std::string_view in, checked_body(bytes));
  CK_ASSIGN_OR_RETURN(ChunkHeader h, parse_header(in));

  uint8_t price_mode, price_flags, price_k = 0;
  uint64_t price_gcd = 1;
  int64_t first_open;
  if (!coding::get_byte(in, price_mode) || price_mode > uint8_t(PriceMode::kRaw) ||
      !coding::get_byte(in, price_flags) || (price_flags & ~kHighLowUnsigned) != 0) {
    return corrupt("bad price header");
  }
  const bool price_scaled = price_mode == uint8_t(PriceMode::kScaled);
  if (price_scaled && (!coding::get_byte(in, price_k) || price_k > kMaxScale || !coding::get_varint64(in, price_gcd) ||
                       price_gcd == 0)) {
    return corrupt("bad price scale");
  }
  if (!coding::get_varint_signed(in, first_open)) return corrupt("bad first open");
  ColumnSpec volume, value;
  if (!get_column_header(in, volume, false)) return corrupt("bad volume header");
  const bool volume_scaled = volume.mode == ColumnMode::kScaledUnsigned || volume.mode == ColumnMode::kScaledSigned;
  if (!get_column_header(in, value, price_scaled && volume_scaled)) return corrupt("bad value header");
  if (h.count > in.size() * 8) return corrupt("candle count does not fit the payload");

  BitReader r(in.data(), in.data() + in.size());
  RiceContext ctx_time, ctx_open, ctx_close, ctx_high, ctx_low, ctx_volume, ctx_value;
  const bool hl_unsigned = price_flags & kHighLowUnsigned;
  const double price_scale = kPow10[price_k];
  auto price_double = [&](int64_t v) {
    return price_scaled ? double(wrap_mul(v, price_gcd)) / price_scale : coding::bits_double(uint64_t(v));
  };
  // Decodes one volume/value cell; `m` receives the scaled integer (for the value prediction).
  auto get_column = [&](RiceContext& ctx, const ColumnSpec& spec, uint64_t& prev_bits, int64_t& m,
                        int64_t predicted) -> double {
    switch (spec.mode) {
      case ColumnMode::kConstant:
        return coding::bits_double(spec.first_bits);
      case ColumnMode::kScaledUnsigned:
        m = wrap_mul(int64_t(r.get_rice(ctx)), spec.gcd);
        return double(m) / kPow10[spec.k];
      case ColumnMode::kScaledSigned:
        m = wrap_mul(unzigzag(r.get_rice(ctx)), spec.gcd);
        return double(m) / kPow10[spec.k];
      case ColumnMode::kScaledPredicted:
        m = wrap_mul(wrap_add(predicted, unzigzag(r.get_rice(ctx))), spec.gcd);
        return double(m) / kPow10[spec.k];
      case ColumnMode::kRaw:
        prev_bits += uint64_t(unzigzag(r.get_rice(ctx)));
        return coding::bits_double(prev_bits);
    }
    return 0;
  };

  const size_t old_size = out.size();
  const Timestamp last_before = out.empty() ? 0 : out.back().time;
  if (old_size == 0) out.reserve(h.count);  // appending relies on the vectors' geometric growth
  const CandleSeries::RowsOut rows = out.append_rows(h.count);
  uint64_t grid = 0;
  int64_t prev_close = first_open;
  uint64_t prev_volume = volume.first_bits, prev_value = value.first_bits;
  for (uint32_t i = 0; i < h.count; ++i) {
    grid += r.get_rice(ctx_time) + (i == 0 ? 0 : 1);
    rows.time[i] = Timestamp(uint64_t(h.base) + grid * uint64_t(h.step_ms));
    int64_t o = wrap_add(prev_close, unzigzag(r.get_rice(ctx_open)));
    int64_t cl = wrap_add(o, unzigzag(r.get_rice(ctx_close)));
    uint64_t hs = r.get_rice(ctx_high), ls = r.get_rice(ctx_low);
    int64_t hi = wrap_add(std::max(o, cl), hl_unsigned ? int64_t(hs) : unzigzag(hs));
    int64_t lo = wrap_sub(std::min(o, cl), hl_unsigned ? int64_t(ls) : unzigzag(ls));
    rows.open[i] = price_double(o);
    rows.high[i] = price_double(hi);
    rows.low[i] = price_double(lo);
    rows.close[i] = price_double(cl);
    int64_t volume_m = 0, value_m = 0;
    rows.volume[i] = get_column(ctx_volume, volume, prev_volume, volume_m, 0);
    int64_t predicted = 0;
    if (value.mode == ColumnMode::kScaledPredicted) {
      predicted = predict_value(volume_m, wrap_mul(hi, price_gcd), wrap_mul(lo, price_gcd), volume.k, price_k,
                                value.k, value.gcd);
    }
    rows.value[i] = get_column(ctx_value, value, prev_value, value_m, predicted);
    prev_close = cl;
  }
  if (h.count > 0 && old_size > 0 && rows.time[0] <= last_before) {
    Timestamp first = rows.time[0];
    out.truncate(old_size);
    return Status::invalid_argument("decode_chunk_into: chunk starts at " + format_timestamp(first) +
                                    ", not after the series it extends");
  }
  // Every bit accounted for: no reading past the end, at most 7 padding bits left.
  if (!r.ok() || (r.available_bits() - r.consumed_bits()) >= 8) {
    out.truncate(old_size);
    return corrupt("payload length does not match its candles");
  }
  return Status::ok();
}

}  // namespace ck
