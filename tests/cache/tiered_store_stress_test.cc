// Stress test of TieredStore under concurrency: reader threads read 1m/15m/1h/4h/1d ranges across
// days and markets while two writer threads revise old days, add new days and append to today, with
// a tiny L1 (constant eviction) and a small L2 budget (recent days by a ManualClock). It also runs
// as tiered_store_tsan_test, built with ThreadSanitizer, where any data race fails the run. Two
// markets are unknown to the store until a writer adds them mid-run, so market creation races too.
//
// Why the checks cannot flake: every write replaces whole known "states" of a day. Each (market,
// day) has a fixed set of minutes and a short list of states the writers may leave it in (K full
// versions of an old or new day; the successive prefixes of today's append schedule). L3 writes a
// day atomically, so any read, whenever it runs, must show each day as exactly one of those states
// (or empty, for a day not written yet), in every timeframe. Stronger checks run only when nothing
// can legitimately differ: a 1m read and a derived read that no write overlapped (a seqlock over the
// writers' start/finish counters) must agree through ck::aggregate, and once the writers are done
// every tier — L1, then L2 after reopening the store — must give exactly what L3 holds.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "cache/tiered_store.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z
constexpr int kDays = 8;                    // day 7 is "today"
constexpr int kToday = kDays - 1;
constexpr int kFirstNewDay = 5;  // days [0, 5) exist before the run; 5 and 6 are added during it
constexpr int kVersions = 4;     // full-day versions of every old and new day
constexpr int kAppends = 12;     // today's minutes arrive in this many writes
constexpr int kRevisionsPerWriter = 45;
constexpr int kReaders = 3;

Timestamp day_start(int d) { return kDay0 + int64_t(d) * kDayMs; }
TimeRange day_range(int d) { return {day_start(d), day_start(d + 1)}; }

struct MarketSpec {
  const char* name;
  double density;  // share of minutes with a trade
  double price, tick;
  bool late = false;  // unknown to the store until a writer adds its first day during the run
};
const MarketSpec kMarkets[] = {
    {"KRW-BTC", 0.97, 90'000'000, 1000}, {"KRW-ETH", 0.8, 4'500'000, 1000},
    {"KRW-XRP", 0.55, 800, 1},           {"KRW-ILLIQ", 0.03, 4'500, 5},  // a few trades an hour
    {"KRW-LATE", 0.5, 12'000, 10, true},     {"KRW-LATE2", 0.2, 150, 1, true},  // one per writer
};
// The first day the writers add during the run (days before it are written before the readers start).
int first_new_day(int m) { return kMarkets[m].late ? 0 : kFirstNewDay; }
constexpr int kMarketCount = int(std::size(kMarkets));

const Timeframe kFrames[] = {Timeframe::minutes(1), Timeframe::minutes(15), Timeframe::hours(1), Timeframe::hours(4),
                             Timeframe::day()};
constexpr int kFrameCount = int(std::size(kFrames));

// One state of a day: its minutes and their aggregates in every frame.
struct DayState {
  std::vector<CandleSeries> frames;  // index as kFrames; [0] = the minutes
};

DayState make_state(CandleSeries minutes) {
  DayState s;
  s.frames.push_back(std::move(minutes));
  for (int f = 1; f < kFrameCount; ++f) {
    auto a = aggregate(s.frames[0], kFrames[f]);
    EXPECT_TRUE(a) << a.status().to_string();
    s.frames.push_back(a ? a->candles : CandleSeries{});
  }
  return s;
}

// KRW-like minutes at `times`: integer prices on the market's tick, volumes with 8 decimals.
CandleSeries version_of(const MarketSpec& m, const std::vector<Timestamp>& times, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  CandleSeries s;
  double p = m.price;
  for (Timestamp t : times) {
    double o = p;
    p = std::max(m.tick, p + std::round((u(rng) - 0.5) * 20) * m.tick);
    double hi = std::max(o, p) + std::floor(u(rng) * 3) * m.tick;
    double lo = std::max(m.tick, std::min(o, p) - std::floor(u(rng) * 3) * m.tick);
    double v = std::round(u(rng) * 5e8) / 1e8;
    s.push_back(Candle{t, o, hi, lo, p, v, std::round(v * p * 1e4) / 1e4});
  }
  return s;
}

struct Truth {
  // states[market][day]: the states a reader may see that day in (besides empty before its first write).
  std::vector<std::vector<std::vector<DayState>>> states;
  std::vector<Timestamp> append_ends;  // today's prefix j holds the minutes before append_ends[j]

  Truth() {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0, 1);
    for (int a = 1; a <= kAppends; ++a) {  // uneven steps, the last one closing the day
      append_ends.push_back(a == kAppends ? day_start(kToday + 1)
                                          : day_start(kToday) + (a * 1440 / kAppends - int64_t(u(rng) * 60)) * kMinuteMs);
    }
    states.resize(kMarketCount);
    for (int m = 0; m < kMarketCount; ++m) {
      states[m].resize(kDays);
      for (int d = 0; d < kDays; ++d) {
        std::vector<Timestamp> times;
        for (Timestamp t = day_start(d); t < day_start(d + 1); t += kMinuteMs)
          if (u(rng) < kMarkets[m].density) times.push_back(t);
        if (times.empty()) times.push_back(day_start(d) + 777 * kMinuteMs);
        if (d == kToday) {
          CandleSeries full = version_of(kMarkets[m], times, uint64_t(m * 1000 + d * 10));
          for (Timestamp end : append_ends) states[m][d].push_back(make_state(full.slice({day_start(d), end})));
        } else {
          for (int v = 0; v < kVersions; ++v)
            states[m][d].push_back(make_state(version_of(kMarkets[m], times, uint64_t(m * 1000 + d * 10 + v))));
        }
      }
    }
  }
  // The minutes a write moving today from prefix j-1 to prefix j upserts.
  CandleSeries append(int m, int j) const {
    const CandleSeries& full = states[m][kToday][j].frames[0];
    return full.slice({j == 0 ? day_start(kToday) : append_ends[size_t(j - 1)], append_ends[size_t(j)]});
  }
};

const Truth& truth() {
  static const Truth t;
  return t;
}

// What the readers know about finished writes, published only after write_minutes returned.
struct Published {
  std::atomic<bool> day[kMarketCount][kDays] = {};
  std::atomic<bool> created[kMarketCount] = {};  // the market is known to the store
  std::atomic<Timestamp> covered_to[kMarketCount] = {};  // coverage is [kDay0, covered_to) at least
  std::atomic<int> last_version[kMarketCount][kDays] = {};  // a hint, so revisions change the day
  // Seqlock over writes: started is bumped before a write, finished after it.
  std::atomic<uint64_t> started{0}, finished{0};
};

// Writers pause after every kWritesPerRound writes until the test opens the next round, so that
// there are quiet windows in which readers' 1m/derived pairs are checked (not only hoped for).
constexpr int kWritesPerRound = 8;
constexpr int kFinished = 1 << 30;
struct Rounds {
  std::mutex mu;
  std::condition_variable cv;
  int open = 0;                // writers may write in rounds <= open
  int done[2] = {0, 0};        // rounds each writer has finished (kFinished when it has no more)
};

struct StressTest : ::testing::Test {
  testing::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(day_start(kToday) + 23 * kHourMs);
  std::unique_ptr<TieredStore> store;
  Published pub;
  Rounds rounds;
  std::atomic<int> failures{0};
  std::atomic<uint64_t> reads{0}, consistent_pairs{0};

  void open_store() {
    store.reset();
    TieredStoreOptions o;
    o.data_dir = dir.path();
    o.clock = clock;
    o.l1_capacity_bytes = 640 << 10;  // ~10 full minute chunks: constant eviction
    o.l2_retention_days = 5;           // days 3..7 are recent, 0..2 come from L3 only
    o.l2_budget_bytes = 256 << 10;  // below what the recent days take: L2 evicts too
    auto s = TieredStore::open(o);
    ASSERT_TRUE(s) << s.status().to_string();
    store = std::move(s).value();
  }

  // Records a failure (the first 20 in full); ADD_FAILURE is thread-safe in GoogleTest.
  void fail(const std::string& what) {
    if (failures++ < 20) ADD_FAILURE() << what;
  }

  Status write(int m, const CandleSeries& minutes, const std::vector<TimeRange>& covered) {
#ifdef __SANITIZE_THREAD__
    // Under TSAN the two writers take turns. RocksDB (uninstrumented) merges concurrent writes into
    // one group commit, handing one writer's WriteBatch to the other through atomics TSAN cannot
    // see; and since the batch's bytes are copied by (instrumented) std::string code called from
    // RocksDB, no RocksDB frame shows in the report: the only suppression that would match names
    // write_minutes itself and would hide real races. Readers still race the writers freely.
    std::lock_guard turn(tsan_writer_turns);
#endif
    pub.started++;
    Status s = store->write_minutes(kMarkets[m].name, minutes, covered);
    pub.finished++;
    return s;
  }
#ifdef __SANITIZE_THREAD__
  std::mutex tsan_writer_turns;
#endif

  // Each day of `got` (a read of `range` in frame f) must be exactly one state of that day, or
  // empty if the day might not have been written yet.
  void check_days(int m, int f, TimeRange range, const CandleSeries& got, const bool published[kDays]) {
    for (int d = 0; d < kDays; ++d) {
      TimeRange part = day_range(d).intersect(range);
      if (part.empty()) continue;
      CandleSeries mine = got.slice(part);
      bool ok = mine.empty() && !published[d];
      for (const DayState& st : truth().states[m][d]) ok = ok || mine == st.frames[f].slice(part);
      if (!ok) {
        fail(std::string(kMarkets[m].name) + " day " + std::to_string(d) + " " + kFrames[f].to_string() +
             ": a read matches no written state (" + std::to_string(mine.size()) + " candles)");
      }
    }
    Timestamp first = day_start(0), last = day_start(kDays);
    if (!got.empty() && (got.time().front() < std::max(first, range.from) || got.time().back() >= std::min(last, range.to)))
      fail("a read returned candles outside its range");
  }

  void reader(uint64_t seed, const std::atomic<bool>& stop) {
    std::mt19937_64 rng(seed);
    auto pick = [&](int n) { return int(rng() % uint64_t(n)); };
    while (!stop.load()) {
      int m = pick(kMarketCount);
      // Half the time, a late market that is not there yet: its creation then races with lookups.
      const int late = kMarketCount - 1 - pick(2);
      if (!pub.created[late].load() && pick(2) == 0) m = late;
      const std::string& name = kMarkets[m].name;
      const int kind = pick(10);
      // Published state before the read: what the read must at least show.
      bool published[kDays];
      for (int d = 0; d < kDays; ++d) published[d] = pub.day[m][d].load();
      const Timestamp covered_to = pub.covered_to[m].load();
      const bool created = pub.created[m].load();
      // A market not added yet is NotFound; once added, never.
      auto ok = [&](const Status& st) {
        if (st.is_ok()) return true;
        if (st.code() != StatusCode::kNotFound || created) fail(name + ": read failed: " + st.to_string());
        return false;
      };
      if (kind < 6) {
        // A range of 1 minute to 3 days anywhere, in any frame.
        const int f = pick(kFrameCount);
        Timestamp from = kDay0 + int64_t(rng() % uint64_t(kDays * 1440)) * kMinuteMs;
        TimeRange range{from, from + int64_t(1 + rng() % (3 * 1440)) * kMinuteMs};
        auto r = store->read(name, kFrames[f], range);
        if (!ok(r.status())) continue;
        check_days(m, f, range, r->candles, published);
        // Coverage: every minute covered before the read began is reported covered.
        TimeRange must{std::max(range.from, kDay0), std::min(range.to, covered_to)};
        if (!must.empty() && kFrames[f].is_minute()) {
          bool in = false;
          for (const auto& c : r->covered) in = in || (c.from <= must.from && must.to <= c.to);
          if (!in) fail(name + ": a range covered before the read is not reported covered");
        }
      } else if (kind < 9) {
        // A derived read and the 1m read of the same minutes: equal through the calculator when no
        // write overlapped the pair.
        const int f = 1 + pick(kFrameCount - 1);
        const int64_t step = kFrames[f].length_ms();
        Timestamp from = kDay0 + int64_t(rng() % uint64_t(kDays * kDayMs / step)) * step;
        TimeRange range{from, std::min(day_start(kDays), from + int64_t(1 + rng() % 12) * step)};
        const uint64_t f0 = pub.finished.load(), s0 = pub.started.load();
        auto mins = store->read(name, kFrames[0], range);
        auto derived = store->read(name, kFrames[f], range);
        const uint64_t s1 = pub.started.load();
        const bool quiet = s0 == f0 && s1 == s0;
        if (quiet) consistent_pairs++;  // counted even if it fails: conduct_rounds waits for these
        if (!ok(mins.status()) || !ok(derived.status())) continue;
        check_days(m, 0, range, mins->candles, published);
        check_days(m, f, range, derived->candles, published);
        if (quiet) {
          auto expected = aggregate(mins->candles, kFrames[f]);
          if (!expected || expected->candles != derived->candles)
            fail(name + " " + kFrames[f].to_string() + ": derived read differs from the calculator on the 1m read");
        }
      } else {
        // The rest of the surface, for the race detector: forward fill, coverage, missing, stats.
        StoreReadOptions o;
        o.fill = Fill::kForward;
        auto r = store->read(name, Timeframe::hours(1), {day_start(pick(kDays)), day_start(kDays)}, o);
        if (ok(r.status()) && !r->candles.validate(kMinuteMs).is_ok()) fail("ffill read is invalid");
        auto miss = store->missing(name, {kDay0, day_start(kDays)});
        if (!miss) fail("missing() failed");
        (void)store->stats();
      }
      reads++;
    }
  }

  void writer(int w, uint64_t seed) {
    std::mt19937_64 rng(seed);
    // This writer adds the new days and today's appends of its own markets, in order, and revises
    // any day already published, sometimes two adjacent days in one write.
    // Steps of market m: its new days from first_new_day(m) to yesterday, then today's appends.
    auto steps = [](int m) { return kToday - first_new_day(m) + kAppends; };
    std::vector<int> mine, next(kMarketCount, 0);
    int growth = 0;
    for (int m = w; m < kMarketCount; m += 2) {
      mine.push_back(m);
      growth += steps(m);
    }
    int revisions = 0, writes = 0, grown = 0;
    while (grown < growth || revisions < kRevisionsPerWriter) {
      if (writes > 0 && writes % kWritesPerRound == 0) end_round(w);
      ++writes;
      bool grow = grown < growth && (revisions >= kRevisionsPerWriter || rng() % 3 == 0);
      if (grow) {
        // One of this writer's markets with steps left.
        int m = mine[rng() % mine.size()];
        while (next[size_t(m)] >= steps(m)) m = mine[rng() % mine.size()];
        int s = next[size_t(m)]++;
        ++grown;
        Status st;
        if (s < kToday - first_new_day(m)) {
          int d = first_new_day(m) + s;
          st = write(m, truth().states[m][d][0].frames[0], {day_range(d)});
          if (st) pub.created[m] = true;
          if (st) pub.day[m][d] = true;
          if (st) pub.covered_to[m] = day_start(d + 1);
        } else {
          int j = s - (kToday - first_new_day(m));
          st = write(m, truth().append(m, j), {{day_start(kToday), truth().append_ends[size_t(j)]}});
          if (st) pub.day[m][kToday] = true;
          if (st) pub.covered_to[m] = truth().append_ends[size_t(j)];
        }
        if (!st) fail("write failed: " + st.to_string());
      } else {
        const int m = int(rng() % kMarketCount);
        std::vector<int> written;
        for (int d = 0; d < kToday; ++d)
          if (pub.day[m][d].load()) written.push_back(d);
        if (written.empty()) continue;  // a late market not added yet
        const int d = written[rng() % written.size()];
        auto next_version = [&](int day) { return (pub.last_version[m][day].load() + 1 + int(rng() % (kVersions - 1))) % kVersions; };
        const int v = next_version(d);
        CandleSeries minutes = truth().states[m][d][size_t(v)].frames[0];
        std::vector<TimeRange> covered;
        int v2 = -1;
        if (d + 1 < kToday && pub.day[m][d + 1].load() && rng() % 4 == 0) {  // two days in one batch
          v2 = next_version(d + 1);
          minutes.append(truth().states[m][d + 1][size_t(v2)].frames[0]);
        }
        if (rng() % 2) covered.push_back(day_range(d));  // re-covering changes nothing
        Status st = write(m, minutes, covered);
        if (!st) fail("write failed: " + st.to_string());
        pub.last_version[m][d] = v;
        if (v2 >= 0) pub.last_version[m][d + 1] = v2;
        ++revisions;
      }
    }
    std::lock_guard lock(rounds.mu);
    rounds.done[w] = kFinished;
    rounds.cv.notify_all();
  }

  void end_round(int w) {
    std::unique_lock lock(rounds.mu);
    int finished = ++rounds.done[w];
    rounds.cv.notify_all();
    rounds.cv.wait(lock, [&] { return rounds.open >= finished; });
  }

  // Runs the rounds: whenever both writers are paused, waits for the readers to check a few
  // 1m/derived pairs that no write overlapped, checks every tier against L3, then lets the writers
  // go on.
  void conduct_rounds() {
    for (int r = 1;; ++r) {
      {
        std::unique_lock lock(rounds.mu);
        rounds.cv.wait(lock, [&] { return rounds.done[0] >= r && rounds.done[1] >= r; });
        if (rounds.done[0] == kFinished && rounds.done[1] == kFinished) return;
      }
      const uint64_t target = consistent_pairs.load() + kReaders;
      while (consistent_pairs.load() < target) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      check_all_tiers_equal_l3("after round " + std::to_string(r), false);
      std::lock_guard lock(rounds.mu);
      rounds.open = r;
      rounds.cv.notify_all();
    }
  }

  // With no write in flight: every read, from whatever tier, equals what L3 holds, which is a
  // written state; at the end, today is complete and everything is covered.
  void check_all_tiers_equal_l3(const std::string& when, bool at_end) {
    for (int m = 0; m < kMarketCount; ++m) {
      auto id_or = store->market_id(kMarkets[m].name, false);
      if (!id_or) {
        EXPECT_FALSE(pub.created[m].load()) << kMarkets[m].name << ": " << id_or.status().to_string();
        continue;
      }
      const uint32_t id = *id_or;
      for (int d = 0; d < kDays; ++d) {
        auto l3 = store->l3().read_day(id, day_start(d));
        ASSERT_TRUE(l3);
        DayState held = make_state(*l3);
        bool known = held.frames[0].empty() && !pub.day[m][d].load();  // not written yet
        for (const DayState& st : truth().states[m][d]) known = known || st.frames[0] == held.frames[0];
        EXPECT_TRUE(known) << kMarkets[m].name << " day " << d << ": L3 holds no written state";
        if (at_end && d == kToday) {
          EXPECT_EQ(held.frames[0], truth().states[m][d].back().frames[0]);
        }
        // The first pass shows what the caches held; at the end, a second one reads what it cached.
        for (int pass = 0; pass < (at_end ? 2 : 1); ++pass) {
          for (int f = 0; f < kFrameCount; ++f) {
            auto r = store->read(kMarkets[m].name, kFrames[f], day_range(d));
            ASSERT_TRUE(r);
            EXPECT_EQ(r->candles, held.frames[f])
                << when << ": " << kMarkets[m].name << " day " << d << " " << kFrames[f].to_string() << " pass " << pass;
          }
        }
      }
      if (!at_end) continue;
      auto cov = store->coverage(kMarkets[m].name);
      ASSERT_TRUE(cov);
      EXPECT_EQ(cov->ranges(), std::vector<TimeRange>{TimeRange(kDay0, day_start(kDays))}) << kMarkets[m].name;
    }
  }
};

TEST_F(StressTest, ReadersRacingWritersSeeOnlyWholeWrittenDaysAndCachesEndEqualToL3) {
  open_store();
  for (int m = 0; m < kMarketCount; ++m) {
    for (int d = 0; d < first_new_day(m); ++d) {
      ASSERT_TRUE(write(m, truth().states[m][d][0].frames[0], {day_range(d)}));
      pub.day[m][d] = true;
      pub.created[m] = true;
      pub.covered_to[m] = day_start(d + 1);
    }
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) readers.emplace_back([&, i] { reader(100 + uint64_t(i), stop); });
  std::thread w0([&] { writer(0, 7); }), w1([&] { writer(1, 8); });
  conduct_rounds();
  w0.join();
  w1.join();
  stop = true;
  for (auto& t : readers) t.join();

  StoreStats s = store->stats();
  std::printf("reads %llu (%llu consistent 1m/derived pairs), writes %llu; L1 hits %llu evictions %llu rejected %llu; "
              "L2 hits %llu evictions %llu entries %llu bytes %llu; L3 hits %llu\n",
              (unsigned long long)reads.load(), (unsigned long long)consistent_pairs.load(),
              (unsigned long long)pub.finished.load(), (unsigned long long)s.l1.hits,
              (unsigned long long)s.l1.evictions, (unsigned long long)s.l1_rejected_inserts,
              (unsigned long long)s.l2.hits, (unsigned long long)s.l2.evictions, (unsigned long long)s.l2.entries,
              (unsigned long long)s.l2.bytes, (unsigned long long)s.l3.hits);
  EXPECT_EQ(failures.load(), 0);
  // The run exercised what it claims to: checked pairs (kReaders per round at least) and eviction.
  EXPECT_GT(consistent_pairs.load(), 10u);
  EXPECT_GT(s.l1.evictions, 0u);

  check_all_tiers_equal_l3("at the end", true);
  open_store();  // a fresh L1 over the same L2 files: a stale L2 file would show now
  check_all_tiers_equal_l3("at the end, reopened", true);
  EXPECT_GT(store->stats().l2.hits, 0u);  // ...and the recent days did come from L2
}

}  // namespace
}  // namespace ck
