#pragma once
// IncrementalAggregator: live aggregation of one timeframe. Feed 1-minute candles as they arrive,
// including repeated revisions of the still-open minute; the bucket it reports is exactly what
// the batch calculator would produce from the same minutes, with O(1) work per update.
#include <cstdint>
#include <optional>
#include <vector>

#include "timeframe/candle.h"
#include "timeframe/result.h"
#include "timeframe/timeframe.h"

namespace ck {

struct BucketUpdate {
  // The previous bucket, when this minute was the first of a new bucket: it is final.
  std::optional<Candle> closed;
  // The bucket this minute belongs to, as it stands now (still open).
  Candle current;
};

class IncrementalAggregator {
 public:
  explicit IncrementalAggregator(Timeframe timeframe, int64_t day_origin_ms = 0);

  // Folds in a 1-minute candle. Its time must be on a minute boundary and inside the open bucket
  // or later; the same time as a minute already fed replaces that minute (a revision). Revising
  // the newest minute or adding a later one is O(1); a late revision of an earlier minute of the
  // open bucket rebuilds the bucket from its minutes. Rejects candles that break the rules (NaN,
  // high < low, negative volume) and minutes of buckets already closed or left behind.
  Result<BucketUpdate> update(const Candle& minute);

  // Closes the open bucket if `now` is at or past its end, returning it (a bucket can end
  // without a trade in the following minute).
  std::optional<Candle> close_until(Timestamp now);

  // The open bucket, if any.
  std::optional<Candle> current() const;
  const Timeframe& timeframe() const { return timeframe_; }

 private:
  Timeframe timeframe_;
  TimeGrid grid_;
  bool active_ = false;
  Timestamp bucket_start_ = 0;
  Timestamp closed_before_ = INT64_MIN;  // minutes before this belong to buckets already closed
  // The bucket built from every minute before the last one, and the last minute itself; the last
  // minute stays separate because it may still be revised.
  bool has_prefix_ = false;
  Candle prefix_;
  Candle last_;
  std::vector<Candle> minutes_;  // every minute of the open bucket, for late revisions

  void rebuild();
};

}  // namespace ck
