#include "collection/polling_feed.h"

#include <algorithm>

namespace ck {

PollingFeed::PollingFeed(CandleSource& source, RateGovernor& governor, PollingFeedOptions options)
    : source_(source), governor_(governor), options_(std::move(options)) {}

PollingFeed::~PollingFeed() { stop(); }

Status PollingFeed::start(const std::vector<std::string>& markets, MinuteFeedCallbacks callbacks) {
  if (thread_.joinable()) return Status::failed_precondition("feed already started");
  markets_ = markets;
  callbacks_ = std::move(callbacks);
  stop_ = false;
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

void PollingFeed::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void PollingFeed::run() {
  bool failing = false;
  while (!stop_) {
    for (const std::string& market : markets_) {
      if (stop_) return;
      governor_.acquire();
      Timestamp next_minute = floor_div(options_.clock->now_ms(), kMinuteMs) * kMinuteMs + kMinuteMs;
      auto page = source_.minutes(market, next_minute, 2);
      if (!page) {
        if (page.status().code() == StatusCode::kResourceExhausted) governor_.on_too_many_requests();
        if (callbacks_.on_error) callbacks_.on_error(page.status());
        failing = true;
        continue;
      }
      if (failing) {
        failing = false;
        if (callbacks_.on_reconnect) callbacks_.on_reconnect();
      }
      governor_.observe_remaining(page->remaining_in_second);
      std::vector<Candle>& candles = page->candles;
      std::sort(candles.begin(), candles.end(), [](const Candle& a, const Candle& b) { return a.time < b.time; });
      int64_t received = options_.clock->monotonic_ns();
      for (const Candle& c : candles) {
        auto it = last_sent_.find(market);
        if (it != last_sent_.end() && (c.time < it->second.time || c == it->second)) continue;
        last_sent_[market] = c;
        if (callbacks_.on_update) callbacks_.on_update(MinuteUpdate{market, c, received});
      }
    }
    // Sleep in small steps so stop() is prompt.
    for (int64_t slept = 0; slept < options_.round_interval_ms && !stop_; slept += 50) {
      options_.clock->sleep_for_ns(50'000'000);
    }
  }
}

}  // namespace ck
