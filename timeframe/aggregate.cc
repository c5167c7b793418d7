#include "timeframe/aggregate.h"

#include <algorithm>
#include <limits>

namespace ck {
namespace {

// The input columns, as raw pointers for the scan.
struct Columns {
  size_t n;
  const Timestamp* t;
  const double *o, *h, *l, *c, *v, *q;
};

// Up to four timeframes are aggregated in one pass, one per lane: lanes 0-1 and 2-3 are two 2-wide
// vectors (GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64, scalar code elsewhere).
constexpr int kLanes = 4;
typedef double Pair __attribute__((vector_size(2 * sizeof(double))));
typedef int64_t PairMask __attribute__((vector_size(2 * sizeof(int64_t))));

inline Pair pair(double x) { return Pair{x, x}; }
inline PairMask mask(bool first, bool second) { return PairMask{first ? -1 : 0, second ? -1 : 0}; }

// The high, low, volume and value of the bucket each lane is building. Lane k is element k % 2 of
// the k / 2 vector.
struct Lanes {
  Pair high01, high23, low01, low23, volume01, volume23, value01, value23;
};

// fold_minute's arithmetic (candle_merge.h) for every lane at once: high = std::max(high, h) and
// low = std::min(low, l) as the same comparisons (so the same result even for -0.0 and NaN),
// volume and value added one row at a time.
inline void fold_row(Lanes& a, double h, double l, double v, double q) {
  const Pair hi = pair(h), lo = pair(l), vol = pair(v), val = pair(q);
  a.high01 = a.high01 < hi ? hi : a.high01;
  a.high23 = a.high23 < hi ? hi : a.high23;
  a.low01 = lo < a.low01 ? lo : a.low01;
  a.low23 = lo < a.low23 ? lo : a.low23;
  a.volume01 += vol;
  a.volume23 += vol;
  a.value01 += val;
  a.value23 += val;
}

// One timeframe's result while it is built: columns written by index, so that emitting a candle
// calls nothing and the scan's lanes stay in registers; trimmed and moved into a series at the end.
class ColumnWriter {
 public:
  explicit ColumnWriter(size_t capacity) { resize(std::max<size_t>(capacity, 1)); }

  void put(Timestamp t, double o, double h, double l, double c, double v, double q) {
    if (count_ == time_.size()) [[unlikely]] grow();  // only if the input was not validated
    time_[count_] = t, open_[count_] = o, high_[count_] = h, low_[count_] = l;
    close_[count_] = c, volume_[count_] = v, value_[count_] = q;
    ++count_;
  }

  CandleSeries finish() {
    resize(count_);
    return CandleSeries::from_columns(std::move(time_), std::move(open_), std::move(high_), std::move(low_),
                                      std::move(close_), std::move(volume_), std::move(value_));
  }

 private:
  void resize(size_t n) {
    time_.resize(n);
    for (auto* col : {&open_, &high_, &low_, &close_, &volume_, &value_}) col->resize(n);
  }
  [[gnu::noinline, gnu::cold]] void grow() { resize(2 * time_.size()); }

  size_t count_ = 0;
  std::vector<Timestamp> time_;
  std::vector<double> open_, high_, low_, close_, volume_, value_;
};

// Where each lane's bucket starts and ends, and the open of its first row.
struct Buckets {
  Timestamp start[kLanes];
  Timestamp end[kLanes];
  double open[kLanes];
  Timestamp next_end;  // the earliest end: rows before it fold into every lane
};

// Writes lane k's bucket, whose last row closed at `close`.
template <int k>
void put_lane(ColumnWriter& out, const Buckets& b, const Lanes& a, double close) {
  if constexpr (k < 2) {
    out.put(b.start[k], b.open[k], a.high01[k], a.low01[k], close, a.volume01[k], a.value01[k]);
  } else {
    out.put(b.start[k], b.open[k], a.high23[k - 2], a.low23[k - 2], close, a.volume23[k - 2], a.value23[k - 2]);
  }
}

// Row i ends lane k's bucket: emits it (its close is the previous row's) and starts the next.
template <int k>
void end_bucket(const Columns& in, size_t i, const TimeGrid& grid, ColumnWriter& out, Buckets& b, const Lanes& a) {
  put_lane<k>(out, b, a, in.c[i - 1]);
  const Timestamp t = in.t[i];
  // Usually the very next bucket; floor() (a 64-bit division) only after a gap.
  b.start[k] = t < b.end[k] + grid.length ? b.end[k] : grid.floor(t);
  b.end[k] = b.start[k] + grid.length;
  b.open[k] = in.o[i];
}

// Aggregates up to kLanes timeframes at once (`count` of them; the other lanes never reach a
// bucket end, their sums are computed and ignored), over the rows in order, in as many steps as
// the caller likes. Lane k builds the current bucket of timeframe k with fold_minute's arithmetic,
// one row at a time in time order, so every lane agrees bit for bit with the incremental
// aggregator. Open and close need no per-row work: they are the bucket's first and last row.
class LaneScan {
 public:
  // Starts with row 0. REQUIRES: in.n > 0; 1 <= count <= kLanes; outs[k] for k < count.
  LaneScan(const Columns& in, const TimeGrid* grids, ColumnWriter* outs, int count)
      : in_(in), grids_(grids), count_(count) {
    for (int k = 0; k < kLanes; ++k) {
      out_[k] = &outs[std::min(k, count - 1)];  // idle lanes never end a bucket, never write
      b_.start[k] = k < count ? grids[k].floor(in.t[0]) : 0;
      b_.end[k] = k < count ? b_.start[k] + grids[k].length : std::numeric_limits<Timestamp>::max();
      b_.open[k] = in.o[0];
    }
    b_.next_end = std::min(std::min(b_.end[0], b_.end[1]), std::min(b_.end[2], b_.end[3]));
    const Pair h0 = pair(in.h[0]), l0 = pair(in.l[0]), v0 = pair(in.v[0]), q0 = pair(in.q[0]);
    lanes_ = Lanes{h0, h0, l0, l0, v0, v0, q0, q0};
  }

  // Folds in the rows up to (not including) `end`.
  void run(size_t end) {
    const Timestamp* const t = in_.t;
    const double *const h = in_.h, *const l = in_.l, *const v = in_.v, *const q = in_.q;
    Lanes lanes = lanes_;  // a local, so that the row loop keeps it in registers
    size_t i = next_;
    for (;;) {
      // The hot loop: rows inside every lane's bucket.
      const Timestamp next_end = b_.next_end;
      while (i < end && t[i] < next_end) {
        fold_row(lanes, h[i], l[i], v[i], q[i]);
        ++i;
      }
      if (i == end) break;
      // Row i opens a new bucket for at least one timeframe: emit those lanes' buckets, fold row
      // i into the others, and start the emitted lanes afresh from row i (whole-vector selects: a
      // store to one lane followed by a load of the vector would stall the CPU).
      const bool e0 = t[i] >= b_.end[0], e1 = t[i] >= b_.end[1], e2 = t[i] >= b_.end[2], e3 = t[i] >= b_.end[3];
      if (e0) end_bucket<0>(in_, i, grids_[0], *out_[0], b_, lanes);
      if (e1) end_bucket<1>(in_, i, grids_[1], *out_[1], b_, lanes);
      if (e2) end_bucket<2>(in_, i, grids_[2], *out_[2], b_, lanes);
      if (e3) end_bucket<3>(in_, i, grids_[3], *out_[3], b_, lanes);
      Lanes folded = lanes;
      fold_row(folded, h[i], l[i], v[i], q[i]);
      const PairMask m01 = mask(e0, e1), m23 = mask(e2, e3);
      const Pair hi = pair(h[i]), lo = pair(l[i]), vol = pair(v[i]), val = pair(q[i]);
      lanes = Lanes{m01 ? hi : folded.high01,    m23 ? hi : folded.high23,    m01 ? lo : folded.low01,
                    m23 ? lo : folded.low23,     m01 ? vol : folded.volume01, m23 ? vol : folded.volume23,
                    m01 ? val : folded.value01, m23 ? val : folded.value23};
      b_.next_end = std::min(std::min(b_.end[0], b_.end[1]), std::min(b_.end[2], b_.end[3]));
      ++i;
    }
    lanes_ = lanes;
    next_ = i;
  }

  // The last bucket of every lane ends with the input. REQUIRES: run(in.n) was called.
  void finish() {
    const double close = in_.c[in_.n - 1];
    if (count_ > 0) put_lane<0>(*out_[0], b_, lanes_, close);
    if (count_ > 1) put_lane<1>(*out_[1], b_, lanes_, close);
    if (count_ > 2) put_lane<2>(*out_[2], b_, lanes_, close);
    if (count_ > 3) put_lane<3>(*out_[3], b_, lanes_, close);
  }

 private:
  const Columns in_;
  const TimeGrid* const grids_;
  const int count_;
  ColumnWriter* out_[kLanes];
  Buckets b_;
  Lanes lanes_;
  size_t next_ = 1;  // the next row to fold
};

}  // namespace

Result<Fill> parse_fill(std::string_view text) {
  if (text == "none") return Fill::kNone;
  if (text == "ffill") return Fill::kForward;
  return Status::invalid_argument("bad fill '" + std::string(text) + "'; accepted: none, ffill");
}

std::string_view fill_name(Fill fill) { return fill == Fill::kForward ? "ffill" : "none"; }

Result<std::vector<Aggregated>> aggregate_many(const CandleSeries& minutes, std::span<const Timeframe> timeframes,
                                               const AggregateOptions& options) {
  const size_t n = minutes.size();
  const Columns in{n, minutes.time().data(), minutes.open().data(), minutes.high().data(), minutes.low().data(),
                   minutes.close().data(), minutes.volume().data(), minutes.value().data()};
  std::vector<TimeGrid> grids(timeframes.size());
  std::vector<ColumnWriter> writers;
  writers.reserve(timeframes.size());
  for (size_t k = 0; k < timeframes.size(); ++k) {
    grids[k] = timeframes[k].grid(options.day_origin_ms);
    // Sorted input has at most this many buckets: the writer never grows.
    size_t span = n == 0 ? 0 : size_t((minutes.time().back() - minutes.time().front()) / grids[k].length);
    writers.emplace_back(std::min(n, span + 2));
  }
  // Timeframes in groups of up to kLanes, one scan of the columns per group. The input is taken
  // in blocks small enough to stay in the CPU cache between its validation and its scans.
  constexpr size_t kBlock = 16 * 1024;  // rows: 7 columns of 8 bytes, under 1 MB
  std::vector<LaneScan> scans;
  if (n > 0) {
    scans.reserve((timeframes.size() + kLanes - 1) / kLanes);
    for (size_t k = 0; k < timeframes.size(); k += kLanes) {
      scans.emplace_back(in, &grids[k], &writers[k], int(std::min<size_t>(kLanes, timeframes.size() - k)));
    }
  }
  for (size_t begin = 0; begin < n; begin += kBlock) {
    const size_t end = std::min(n, begin + kBlock);
    if (options.validate) CK_RETURN_IF_ERROR(minutes.validate(kMinuteMs, begin, end));
    for (LaneScan& scan : scans) scan.run(end);
  }
  for (LaneScan& scan : scans) scan.finish();
  std::vector<CandleSeries> outs;
  outs.reserve(timeframes.size());
  for (ColumnWriter& w : writers) outs.push_back(w.finish());

  TimeRange covered = options.covered.value_or(
      n == 0 ? TimeRange{} : TimeRange{in.t[0], in.t[n - 1] + kMinuteMs});
  std::vector<Aggregated> results;
  results.reserve(timeframes.size());
  for (size_t k = 0; k < timeframes.size(); ++k) {
    Aggregated a;
    a.timeframe = timeframes[k];
    a.candles = options.fill == Fill::kForward ? fill_forward(outs[k], grids[k], covered.to) : std::move(outs[k]);
    if (!a.candles.empty()) a.last_closed = a.candles.time().back() + grids[k].length <= covered.to;
    results.push_back(std::move(a));
  }
  return results;
}

Result<Aggregated> aggregate(const CandleSeries& minutes, Timeframe timeframe, const AggregateOptions& options) {
  CK_ASSIGN_OR_RETURN(auto many, aggregate_many(minutes, std::span<const Timeframe>(&timeframe, 1), options));
  return std::move(many.front());
}

CandleSeries fill_forward(const CandleSeries& sparse, const TimeGrid& grid, Timestamp until) {
  if (sparse.empty()) return sparse;
  CandleSeries out;
  Timestamp last = std::max(sparse.time().back(), grid.floor(until - 1));
  out.reserve(size_t((last - sparse.time().front()) / grid.length) + 1);
  size_t i = 0;
  double prev_close = sparse.close()[0];
  for (Timestamp b = sparse.time().front(); b <= last; b += grid.length) {
    if (i < sparse.size() && sparse.time()[i] == b) {
      out.push_back(sparse[i]);
      prev_close = sparse.close()[i];
      ++i;
    } else {
      out.push_back(Candle{b, prev_close, prev_close, prev_close, prev_close, 0.0, 0.0});
    }
  }
  return out;
}

}  // namespace ck
