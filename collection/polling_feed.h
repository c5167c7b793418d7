#pragma once
// PollingFeed: MinuteFeed for exchanges without a usable WebSocket. It asks the candle endpoint for
// the newest two minutes of each market in turn (the open one and the one just closed), within the
// RateGovernor's budget, and reports every candle that changed since the last poll.
#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include "collection/candle_source.h"
#include "collection/minute_feed.h"
#include "collection/rate_governor.h"

namespace ck {

struct PollingFeedOptions {
  std::shared_ptr<Clock> clock = SystemClock::shared();
  // Pause between rounds over all markets, on top of what the governor imposes.
  int64_t round_interval_ms = 1000;
};

class PollingFeed final : public MinuteFeed {
 public:
  // The source and governor must outlive the feed; the governor is shared with the collector so
  // that polling and backfills together stay under the exchange's limit.
  PollingFeed(CandleSource& source, RateGovernor& governor, PollingFeedOptions options = {});
  ~PollingFeed() override;
  Status start(const std::vector<std::string>& markets, MinuteFeedCallbacks callbacks) override;
  void stop() override;

 private:
  void run();

  CandleSource& source_;
  RateGovernor& governor_;
  PollingFeedOptions options_;
  std::vector<std::string> markets_;
  MinuteFeedCallbacks callbacks_;
  std::map<std::string, Candle> last_sent_;  // newest candle reported per market
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ck
