#include "timeframe/aggregate.h"

#include <algorithm>
#include <limits>

#include "timeframe/candle_merge.h"

namespace ck {
namespace {

// The bucket being built for one timeframe while the input is scanned.
struct BucketBuilder {
  TimeGrid grid;
  Timestamp end = std::numeric_limits<Timestamp>::min();
  Candle acc;
  bool active = false;
  CandleSeries out;
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
  if (options.validate) CK_RETURN_IF_ERROR(minutes.validate(kMinuteMs));

  std::vector<BucketBuilder> builders(timeframes.size());
  for (size_t k = 0; k < timeframes.size(); ++k) {
    builders[k].grid = timeframes[k].grid(options.day_origin_ms);
    builders[k].out.reserve(minutes.size() / size_t(timeframes[k].minutes_count()) + 2);
  }

  // One pass over the columns; every builder folds each row in time order, so sums are added in
  // exactly the order the incremental aggregator adds them.
  const size_t n = minutes.size();
  const Timestamp* t = minutes.time().data();
  const double* o = minutes.open().data();
  const double* h = minutes.high().data();
  const double* l = minutes.low().data();
  const double* c = minutes.close().data();
  const double* v = minutes.volume().data();
  const double* q = minutes.value().data();
  for (BucketBuilder& b : builders) {
    for (size_t i = 0; i < n; ++i) {
      if (t[i] >= b.end) {
        if (b.active) b.out.push_back(b.acc);
        b.acc = Candle{b.grid.floor(t[i]), o[i], h[i], l[i], c[i], v[i], q[i]};
        b.end = b.acc.time + b.grid.length;
        b.active = true;
        continue;
      }
      fold_minute(b.acc, h[i], l[i], c[i], v[i], q[i]);
    }
    if (b.active) b.out.push_back(b.acc);
  }

  TimeRange covered = options.covered.value_or(
      n == 0 ? TimeRange{} : TimeRange{t[0], t[n - 1] + kMinuteMs});
  std::vector<Aggregated> results;
  results.reserve(builders.size());
  for (size_t k = 0; k < builders.size(); ++k) {
    Aggregated a;
    a.timeframe = timeframes[k];
    a.candles = options.fill == Fill::kForward ? fill_forward(builders[k].out, builders[k].grid, covered.to)
                                               : std::move(builders[k].out);
    if (!a.candles.empty()) a.last_closed = a.candles.time().back() + builders[k].grid.length <= covered.to;
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
