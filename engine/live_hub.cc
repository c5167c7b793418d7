#include "engine/live_hub.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <variant>

#include "engine/engine.h"
#include "timeframe/incremental.h"

namespace ck {

// One subscription. Events are queued by the feed and ticker threads and handled, in order, on the
// subscription's own thread, which owns the aggregators.
class LiveHub::Sub final : public Subscription {
 public:
  struct Replay {  // stored minutes fed before (or after a gap in) the live stream
    std::string market;
    CandleSeries minutes;
    bool deliver;
  };
  struct Tick {  // per market: buckets ending at or before this are final
    std::map<std::string, Timestamp> close_before;
  };
  using Event = std::variant<MinuteUpdate, Replay, Tick>;

  Sub(LiveHub& hub, std::vector<std::string> markets, std::vector<Timeframe> timeframes, LiveCallback cb,
      int64_t origin)
      : hub_(hub), markets_(markets.begin(), markets.end()), timeframes_(std::move(timeframes)), cb_(std::move(cb)) {
    for (const auto& m : markets_) {
      for (const auto& tf : timeframes_) aggregators_[m].emplace_back(tf, origin);
    }
    thread_ = std::thread([this] { run(); });
  }
  ~Sub() override {
    unsubscribe();
    if (thread_.joinable()) {
      // Destroyed from its own callback: the thread ends by itself once the callback returns.
      if (thread_.get_id() == std::this_thread::get_id()) {
        thread_.detach();
      } else {
        thread_.join();
      }
    }
  }

  bool wants(const std::string& market) const { return markets_.count(market) > 0; }
  const std::set<std::string>& markets() const { return markets_; }
  const std::vector<Timeframe>& timeframes() const { return timeframes_; }

  void push(Event e) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      queue_.push_back(std::move(e));
    }
    cv_.notify_one();
  }

  void unsubscribe() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
    hub_.remove(this);
  }

  uint64_t delivered() const override { return delivered_; }

 private:
  void deliver(const std::string& market, const Timeframe& tf, const Candle& c, bool closed, int64_t received,
               Timestamp last_trade = 0) {
    cb_(LiveUpdate{market, tf, c, closed, received, last_trade});
    ++delivered_;
  }

  void handle(const MinuteUpdate& u) {
    auto it = aggregators_.find(u.market);
    if (it == aggregators_.end()) return;
    for (IncrementalAggregator& agg : it->second) {
      auto r = agg.update(u.candle);
      if (!r) continue;  // a late revision of an older minute: the store gets it through the collector
      if (r->closed) deliver(u.market, agg.timeframe(), *r->closed, true, u.received_ns);
      deliver(u.market, agg.timeframe(), r->current, false, u.received_ns, u.last_trade_ms);
    }
  }

  void handle(const Replay& r) {
    auto it = aggregators_.find(r.market);
    if (it == aggregators_.end()) return;
    for (IncrementalAggregator& agg : it->second) {
      std::optional<Candle> current;
      for (size_t i = 0; i < r.minutes.size(); ++i) {
        auto u = agg.update(r.minutes[i]);
        if (!u) continue;
        if (u->closed && r.deliver) deliver(r.market, agg.timeframe(), *u->closed, true, 0);
        current = u->current;
      }
      if (current && r.deliver) deliver(r.market, agg.timeframe(), *current, false, 0);
    }
  }

  void handle(const Tick& t) {
    for (auto& [market, aggs] : aggregators_) {
      auto it = t.close_before.find(market);
      if (it == t.close_before.end()) continue;
      for (IncrementalAggregator& agg : aggs) {
        if (auto closed = agg.close_until(it->second)) deliver(market, agg.timeframe(), *closed, true, 0);
      }
    }
  }

  void run() {
    for (;;) {
      Event e;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopped_ || !queue_.empty(); });
        if (stopped_) return;
        e = std::move(queue_.front());
        queue_.pop_front();
      }
      std::visit([this](const auto& ev) { handle(ev); }, e);
    }
  }

  LiveHub& hub_;
  std::set<std::string> markets_;
  std::vector<Timeframe> timeframes_;
  LiveCallback cb_;
  std::map<std::string, std::vector<IncrementalAggregator>> aggregators_;  // owned by thread_
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> queue_;
  bool stopped_ = false;
  std::atomic<uint64_t> delivered_{0};
  std::thread thread_;
};

LiveHub::LiveHub(Engine& engine, FeedFactory feed_factory, LiveOptions options)
    : engine_(engine), feed_factory_(std::move(feed_factory)), options_(options) {
  ticker_ = std::thread([this] { tick_loop(); });
}

LiveHub::~LiveHub() {
  stop_ = true;
  tick_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::vector<std::shared_ptr<Sub>> subs;
  {
    std::lock_guard lock(mu_);
    subs = subs_;
  }
  for (auto& s : subs) s->unsubscribe();
  std::lock_guard lock(mu_);
  if (feed_) feed_->stop();
}

namespace {

// The handle given to the caller; the hub keeps the subscription itself.
class SubscriptionHandle final : public Subscription {
 public:
  explicit SubscriptionHandle(std::shared_ptr<LiveHub::Sub> sub) : sub_(std::move(sub)) {}
  ~SubscriptionHandle() override { unsubscribe(); }
  void unsubscribe() override { sub_->unsubscribe(); }
  uint64_t delivered() const override { return sub_->delivered(); }

 private:
  std::shared_ptr<LiveHub::Sub> sub_;
};

}  // namespace

Result<std::unique_ptr<Subscription>> LiveHub::subscribe(const std::vector<std::string>& markets,
                                                         const std::vector<Timeframe>& timeframes,
                                                         LiveCallback callback) {
  if (markets.empty()) return Status::invalid_argument("no markets to subscribe to");
  if (timeframes.empty()) return Status::invalid_argument("no timeframes to subscribe to");
  if (!callback) return Status::invalid_argument("no callback");
  const int64_t origin = 0;
  auto sub = std::make_shared<Sub>(*this, markets, timeframes, std::move(callback), origin);

  // Warm up: the minutes of every open bucket so far, so the first candles delivered are whole.
  Timestamp now = engine_.options().clock->now_ms();
  Timestamp closed_end = floor_div(now, kMinuteMs) * kMinuteMs;
  Timestamp start = closed_end;
  for (const Timeframe& tf : timeframes) start = std::min(start, tf.grid(origin).floor(closed_end));
  if (start < closed_end) {
    SyncOptions quiet;
    quiet.record = false;
    auto run = engine_.sync(markets, {start, closed_end}, quiet);
    if (!run) return run.status();
    for (const auto& m : markets) {
      auto got = engine_.get(m, Timeframe::minutes(1), {start, closed_end});
      if (!got) return got.status();
      sub->push(Sub::Replay{m, std::move(got->candles), false});
    }
  }

  std::lock_guard lock(mu_);
  for (const auto& m : markets) {
    auto& to = persisted_to_[m];
    to = std::max(to, closed_end);
  }
  subs_.push_back(sub);
  bool new_market = false;
  for (const auto& m : markets) new_market |= feed_markets_.insert(m).second;
  if (new_market || !feed_) restart_feed_locked();
  return std::unique_ptr<Subscription>(new SubscriptionHandle(sub));
}

void LiveHub::restart_feed_locked() {
  if (feed_) feed_->stop();
  feed_ = feed_factory_();
  MinuteFeedCallbacks cb;
  cb.on_update = [this](const MinuteUpdate& u) { on_update(u); };
  cb.on_reconnect = [this] {
    reconnected_ = true;
    tick_cv_.notify_all();
  };
  cb.on_error = [](const Status& st) { spdlog::warn("live feed: {}", st.message()); };
  Status st = feed_->start(std::vector<std::string>(feed_markets_.begin(), feed_markets_.end()), cb);
  if (!st) spdlog::error("live feed did not start: {}", st.message());
}

void LiveHub::on_update(const MinuteUpdate& update) {
  std::lock_guard lock(mu_);
  for (auto& s : subs_) {
    if (s->wants(update.market)) s->push(update);
  }
}

void LiveHub::remove(Sub* sub) {
  std::lock_guard lock(mu_);
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [&](auto& s) { return s.get() == sub; }), subs_.end());
  // Stop storing markets nobody watches any more (the feed keeps them until it next restarts).
  for (auto it = persisted_to_.begin(); it != persisted_to_.end();) {
    bool wanted = false;
    for (auto& s : subs_) wanted |= s->wants(it->first);
    it = wanted ? std::next(it) : persisted_to_.erase(it);
  }
}

void LiveHub::persist() {
  Timestamp now = engine_.options().clock->now_ms();
  Timestamp closed_end = floor_div(now - options_.persist_grace_ms, kMinuteMs) * kMinuteMs;
  std::map<std::string, Timestamp> todo;
  {
    std::lock_guard lock(mu_);
    for (auto& [m, to] : persisted_to_) {
      if (to < closed_end) todo[m] = to;
    }
  }
  for (auto& [market, from] : todo) {
    SyncOptions quiet;
    quiet.record = false;
    auto run = engine_.sync({market}, {from, closed_end}, quiet);
    if (!run || run->status == RunStatus::kFailed) {
      spdlog::warn("live: storing closed minutes of {} failed: {}", market,
                   run ? run->error : run.status().message());
      continue;
    }
    {
      std::lock_guard lock(mu_);
      persisted_to_[market] = std::max(persisted_to_[market], closed_end);
    }
    {
      // Minutes the stream missed (e.g. while it was down) reach the aggregators from the store;
      // minutes they already have are ignored or are the same revision again.
      auto got = engine_.get(market, Timeframe::minutes(1), {from, closed_end});
      if (!got) continue;
      std::lock_guard lock(mu_);
      for (auto& s : subs_) {
        if (s->wants(market)) s->push(Sub::Replay{market, got->candles, true});
      }
    }
  }
}

void LiveHub::tick_loop() {
  while (!stop_) {
    {
      std::unique_lock lock(tick_mu_);
      tick_cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stop_.load() || reconnected_.load(); });
    }
    if (stop_) return;
    reconnected_ = false;
    // Store (and replay) the closed minutes first, so that no bucket is closed by the clock before
    // every one of its minutes has reached the aggregators.
    persist();
    Timestamp now = engine_.options().clock->now_ms();
    std::lock_guard lock(mu_);
    Sub::Tick tick;
    for (auto& [market, stored_to] : persisted_to_) {
      tick.close_before[market] = std::min(now - options_.close_grace_ms, stored_to);
    }
    for (auto& s : subs_) s->push(tick);
  }
}

}  // namespace ck
