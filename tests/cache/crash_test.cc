// L3 durability under kill -9: a writer process (cache_crash_writer) upserts batches into a
// RocksTier and reports each acknowledged batch on a pipe; this test kills it with SIGKILL at
// random points, many times over the same database, reopens the database each time and checks
// that it holds exactly every acknowledged batch — plus, at most, the one batch in flight, whole
// or not at all (a WriteBatch is atomic).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "cache/rocks_tier.h"
#include "tests/cache/crash_workload.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace ck {
namespace {

// What the database must hold: per market, the last written candle of every minute, and coverage.
struct Model {
  std::map<int, std::map<Timestamp, Candle>> candles;
  std::map<int, CoverageSet> coverage;

  void apply(const crash::Batch& b) {
    for (size_t i = 0; i < b.minutes.size(); ++i) candles[b.market][b.minutes.time()[i]] = b.minutes[i];
    coverage[b.market].add(b.covered);
  }
  CandleSeries series(int market) const {
    CandleSeries s;
    auto it = candles.find(market);
    if (it != candles.end()) {
      for (const auto& [t, c] : it->second) s.push_back(c);
    }
    return s;
  }
  CoverageSet cover(int market) const {
    auto it = coverage.find(market);
    return it == coverage.end() ? CoverageSet() : it->second;
  }
};

struct Observed {
  std::map<int, CandleSeries> candles;
  std::map<int, CoverageSet> coverage;
};

bool matches(const Model& model, const Observed& seen) {
  for (int m = 0; m < crash::kMarkets; ++m) {
    if (!(model.series(m) == seen.candles.at(m)) || !(model.cover(m) == seen.coverage.at(m))) return false;
  }
  return true;
}

// A running writer process; killed (if still running) and reaped on destruction.
class WriterProcess {
 public:
  WriterProcess(const std::string& db, uint64_t seed, uint64_t first) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string s = std::to_string(seed), f = std::to_string(first);
    char* argv[] = {const_cast<char*>(CK_CRASH_WRITER_PATH), const_cast<char*>(db.c_str()), s.data(), f.data(),
                    nullptr};
    if (posix_spawn(&pid_, CK_CRASH_WRITER_PATH, &actions, nullptr, argv, environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~WriterProcess() {
    kill();
    if (fd_ >= 0) ::close(fd_);
  }
  bool started() const { return pid_ > 0 && fd_ >= 0; }

  // The next acknowledged batch index, or nullopt at end of stream (the writer died).
  std::optional<uint64_t> next_ack() {
    for (;;) {
      auto nl = pending_.find('\n');
      if (nl != std::string::npos) {
        uint64_t v = std::stoull(pending_.substr(0, nl));
        pending_.erase(0, nl + 1);
        return v;
      }
      char buf[256];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return std::nullopt;  // a partial last line is not an acknowledgement
      pending_.append(buf, size_t(n));
    }
  }
  // SIGKILL and reap; returns the wait status (or -1 if there was no process).
  int kill() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string pending_;
};

Observed observe(const std::string& db) {
  Observed seen;
  RocksTierOptions o;
  o.path = db;
  auto tier = RocksTier::open(o);
  EXPECT_TRUE(tier) << tier.status().to_string();
  for (int m = 0; m < crash::kMarkets; ++m) {
    seen.candles[m] = {};
    seen.coverage[m] = {};
    if (!tier) continue;
    auto id = (*tier)->market_id(crash::market_name(m), false);
    if (!id) continue;  // killed before the writer created it
    auto candles = (*tier)->read_minutes(*id, {crash::kFirstDay - kDayMs, crash::kFirstDay + 10 * kDayMs});
    EXPECT_TRUE(candles) << candles.status().to_string();
    if (candles) seen.candles[m] = std::move(*candles);
    auto cov = (*tier)->coverage(*id);
    EXPECT_TRUE(cov) << cov.status().to_string();
    if (cov) seen.coverage[m] = std::move(*cov);
  }
  return seen;
}

TEST(RocksTierCrash, AcknowledgedWritesSurviveSigkillAtRandomPoints) {
  testing::TempDir dir;
  const std::string db = dir.path() + "/l3";
  const uint64_t seed = 20240101;
  std::mt19937_64 rng(seed);
  Model model;  // every batch known to be in the database
  uint64_t next = 0;
  int in_flight_landed = 0, total_acks = 0;
  constexpr int kIterations = 50;
  for (int iter = 0; iter < kIterations; ++iter) {
    std::vector<uint64_t> acks;
    {
      WriterProcess writer(db, seed, next);
      ASSERT_TRUE(writer.started());
      const int target = int(rng() % 12);  // 0: often killed while opening or creating markets
      while (int(acks.size()) < target) {
        auto ack = writer.next_ack();
        ASSERT_TRUE(ack) << "writer died before being killed (iteration " << iter << ")";
        acks.push_back(*ack);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
      int status = writer.kill();
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer exited by itself: " << status;
      // Acknowledgements already in the pipe were given before the kill: they count.
      while (auto ack = writer.next_ack()) acks.push_back(*ack);
    }
    for (uint64_t a : acks) {
      ASSERT_EQ(a, next) << "acknowledgements out of order";
      model.apply(crash::make_batch(seed, next++));
    }
    total_acks += int(acks.size());
    Model with_in_flight = model;
    with_in_flight.apply(crash::make_batch(seed, next));

    Observed seen = observe(db);
    if (matches(model, seen)) continue;
    ASSERT_TRUE(matches(with_in_flight, seen))
        << "iteration " << iter << ": the database holds neither the " << next
        << " acknowledged batches nor those plus the one in flight";
    model = with_in_flight;  // the unacknowledged batch landed whole
    ++next;
    ++in_flight_landed;
  }
  RecordProperty("acknowledged_batches", total_acks);
  RecordProperty("in_flight_batches_that_landed", in_flight_landed);
  EXPECT_GT(total_acks, kIterations);  // the kills really interrupted a working writer
}

}  // namespace
}  // namespace ck
