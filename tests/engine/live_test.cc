#include "engine/live.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/engine.h"
#include "tests/support/fake_candle_source.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

using testing::FakeCandleSource;
using testing::make_minutes;

constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z

// A feed the test drives by hand.
class FakeFeed final : public MinuteFeed {
 public:
  Status start(const std::vector<std::string>& markets, MinuteFeedCallbacks cb) override {
    std::lock_guard lock(mu);
    this->markets = markets;
    callbacks = std::move(cb);
    return Status::ok();
  }
  void stop() override {}
  void push(const std::string& market, const Candle& c) {
    std::lock_guard lock(mu);
    callbacks.on_update(MinuteUpdate{market, c, 1});
  }
  void reconnect() {
    std::lock_guard lock(mu);
    callbacks.on_reconnect();
  }
  std::mutex mu;
  std::vector<std::string> markets;
  MinuteFeedCallbacks callbacks;
};

// Collects deliveries; waits for a count.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<LiveUpdate> got;
  LiveCallback callback() {
    return [this](const LiveUpdate& u) {
      std::lock_guard lock(mu);
      got.push_back(u);
      cv.notify_all();
    };
  }
  bool wait_for(const std::function<bool(const std::vector<LiveUpdate>&)>& pred) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return pred(got); });
  }
  std::vector<LiveUpdate> snapshot() {
    std::lock_guard lock(mu);
    return got;
  }
};

struct LiveTest : ::testing::Test {
  testing::TempDir dir;
  // 10:00:30 on day 0: the 10:00 minute is open.
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kDay0 + 10 * kHourMs + 30 * kSecondMs);
  std::shared_ptr<FakeCandleSource> source = std::make_shared<FakeCandleSource>();
  CandleSeries truth = make_minutes({kDay0, kDay0 + kDayMs}, 1.0, 7);
  FakeFeed* feed = nullptr;
  std::unique_ptr<Engine> engine;

  void SetUp() override {
    source->add_market("KRW-BTC", truth);
    source->add_market("KRW-ETH", make_minutes({kDay0, kDay0 + kDayMs}, 1.0, 8));
    EngineOptions o;
    o.data_dir = dir.path();
    o.clock = clock;
    o.source = source;
    o.requests_per_second = 0;
    o.live_feed_factory = [this] {
      auto f = std::make_unique<FakeFeed>();
      feed = f.get();
      return f;
    };
    engine = std::move(Engine::open(o)).value();
  }
  Candle minute(Timestamp t) { return truth[truth.lower_bound(t)]; }
};

TEST_F(LiveTest, OpenCandlesAreBuiltFromHistoryAndTheLiveMinutes) {
  Inbox inbox;
  auto sub = engine->subscribe({"KRW-BTC"}, {Timeframe::minutes(15), Timeframe::hours(4)}, inbox.callback());
  ASSERT_TRUE(sub) << sub.status().to_string();
  ASSERT_NE(feed, nullptr);
  EXPECT_EQ(feed->markets, std::vector<std::string>{"KRW-BTC"});
  // The open 10:00 minute, revised twice, arrives live.
  Candle m = minute(kDay0 + 10 * kHourMs);
  Candle early = m;
  early.close = early.open;
  early.high = std::max(early.open, early.low);
  early.volume /= 2;
  early.value /= 2;
  feed->push("KRW-BTC", early);
  feed->push("KRW-BTC", m);
  // Two 4h updates (one per revision); the 15m bucket of 09:45 also closes on the way.
  ASSERT_TRUE(inbox.wait_for([](auto& g) {
    return std::count_if(g.begin(), g.end(), [](auto& u) { return u.timeframe == Timeframe::hours(4); }) >= 2;
  }));
  auto got = inbox.snapshot();
  // The last 4h update must equal the batch aggregation of 08:00..10:00 inclusive.
  CandleSeries upto = truth.slice({kDay0 + 8 * kHourMs, kDay0 + 10 * kHourMs + kMinuteMs});
  auto batch = aggregate(upto, Timeframe::hours(4));
  const LiveUpdate& last = got.back();
  EXPECT_EQ(last.timeframe, Timeframe::hours(4));
  EXPECT_FALSE(last.closed);
  EXPECT_EQ(last.candle, batch->candles[0]);
  const LiveUpdate& q = got[got.size() - 2];
  EXPECT_EQ(q.timeframe, Timeframe::minutes(15));
  EXPECT_EQ(q.candle, m);  // 10:00 opens a 15m bucket: the bucket is that minute, revised
}

TEST_F(LiveTest, ACandleClosesWhenTheNextBucketStarts) {
  Inbox inbox;
  auto sub = engine->subscribe({"KRW-BTC"}, {Timeframe::minutes(15)}, inbox.callback());
  ASSERT_TRUE(sub);
  for (Timestamp t = kDay0 + 10 * kHourMs; t <= kDay0 + 10 * kHourMs + 15 * kMinuteMs; t += kMinuteMs) {
    feed->push("KRW-BTC", minute(t));
  }
  ASSERT_TRUE(inbox.wait_for([](auto& g) {
    for (auto& u : g) if (u.closed) return true;
    return false;
  }));
  auto got = inbox.snapshot();
  auto batch = aggregate(truth.slice({kDay0 + 10 * kHourMs, kDay0 + 10 * kHourMs + 15 * kMinuteMs}), Timeframe::minutes(15));
  for (auto& u : got) {
    if (u.closed) {
      EXPECT_EQ(u.candle, batch->candles[0]);
    }
  }
}

TEST_F(LiveTest, UnsubscribingStopsDelivery) {
  Inbox inbox;
  auto sub = engine->subscribe({"KRW-BTC"}, {Timeframe::minutes(1)}, inbox.callback());
  ASSERT_TRUE(sub);
  feed->push("KRW-BTC", minute(kDay0 + 10 * kHourMs));
  ASSERT_TRUE(inbox.wait_for([](auto& g) { return !g.empty(); }));
  (*sub)->unsubscribe();
  size_t before = inbox.snapshot().size();
  feed->push("KRW-BTC", minute(kDay0 + 10 * kHourMs + kMinuteMs));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(inbox.snapshot().size(), before);
}

TEST_F(LiveTest, ASlowSubscriberDoesNotHoldUpAnother) {
  std::mutex gate;
  gate.lock();  // the slow subscriber blocks in its first callback until the end of the test
  auto slow = engine->subscribe({"KRW-BTC"}, {Timeframe::minutes(1)}, [&](const LiveUpdate&) {
    std::lock_guard wait(gate);
  });
  Inbox fast;
  auto quick = engine->subscribe({"KRW-BTC"}, {Timeframe::minutes(1)}, fast.callback());
  ASSERT_TRUE(slow && quick);
  for (int i = 0; i < 5; ++i) feed->push("KRW-BTC", minute(kDay0 + 10 * kHourMs + i * kMinuteMs));
  EXPECT_TRUE(fast.wait_for([](auto& g) { return g.size() >= 9; }));  // 5 current + 4 closed
  gate.unlock();
}

TEST_F(LiveTest, ClosedMinutesAreStoredAsTheyClose) {
  Inbox inbox;
  auto sub = engine->subscribe({"KRW-ETH"}, {Timeframe::minutes(1)}, inbox.callback());
  ASSERT_TRUE(sub);
  clock->advance_ms(5 * kMinuteMs);
  auto stored = [&] {
    auto cov = engine->store().coverage("KRW-ETH");
    return cov && cov->contains(TimeRange{kDay0 + 10 * kHourMs, kDay0 + 10 * kHourMs + 4 * kMinuteMs});
  };
  for (int i = 0; i < 100 && !stored(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(stored());
  EXPECT_TRUE(engine->runs()->empty());  // the minute-by-minute syncs leave no run records
}

TEST_F(LiveTest, MinutesMissedWhileTheFeedWasDownAreReplayed) {
  Inbox inbox;
  auto sub = engine->subscribe({"KRW-BTC"}, {Timeframe::minutes(15)}, inbox.callback());
  ASSERT_TRUE(sub);
  feed->push("KRW-BTC", minute(kDay0 + 10 * kHourMs));
  // The feed drops; 20 minutes pass; it comes back.
  clock->advance_ms(20 * kMinuteMs);
  feed->reconnect();
  ASSERT_TRUE(inbox.wait_for([](auto& g) {
    for (auto& u : g) if (u.closed) return true;
    return false;
  }));
  auto batch = aggregate(truth.slice({kDay0 + 10 * kHourMs, kDay0 + 10 * kHourMs + 15 * kMinuteMs}), Timeframe::minutes(15));
  for (auto& u : inbox.snapshot()) {
    if (u.closed) {
      EXPECT_EQ(u.candle, batch->candles[0]);
    }
  }
}

}  // namespace
}  // namespace ck
