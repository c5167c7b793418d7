#pragma once
// LiveHub: the engine's side of live monitoring (see live.h). One MinuteFeed serves the union of
// every subscription's markets; its updates fan out to the subscriptions' own queues and threads.
// A ticker thread closes buckets whose time has passed and has the collector store each minute
// once it has closed (and the minutes missed while the feed was down).
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "collection/minute_feed.h"
#include "engine/live.h"
#include "timeframe/result.h"

namespace ck {

class Engine;

class LiveHub {
 public:
  using FeedFactory = std::function<std::unique_ptr<MinuteFeed>()>;
  LiveHub(Engine& engine, FeedFactory feed_factory, LiveOptions options);
  ~LiveHub();

  Result<std::unique_ptr<Subscription>> subscribe(const std::vector<std::string>& markets,
                                                  const std::vector<Timeframe>& timeframes, LiveCallback callback);

  class Sub;  // one subscription: its aggregators, queue and delivery thread

 private:
  void on_update(const MinuteUpdate& update);
  void remove(Sub* sub);
  // (Re)starts the feed for the current union of markets. REQUIRES: mu_ held.
  void restart_feed_locked();
  void tick_loop();
  // Has the collector store every closed minute not yet stored, then replays them to the subscribers.
  void persist();

  Engine& engine_;
  FeedFactory feed_factory_;
  LiveOptions options_;
  std::mutex mu_;  // guards subs_, feed_, feed_markets_, persisted_to_
  std::vector<std::shared_ptr<Sub>> subs_;
  std::unique_ptr<MinuteFeed> feed_;
  std::set<std::string> feed_markets_;
  std::map<std::string, Timestamp> persisted_to_;  // per market: minutes before this are stored
  std::atomic<bool> reconnected_{false};
  std::atomic<bool> stop_{false};
  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  std::thread ticker_;
};

}  // namespace ck
