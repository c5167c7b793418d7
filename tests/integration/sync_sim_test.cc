// Issue 5's acceptance tests: a sync against the simulator stores exactly the exchange's candles,
// with the minimum number of requests, through faults, rate limits and a SIGKILL.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "engine/engine.h"
#include "tests/support/temp_dir.h"
#include "tools/sim/server.h"

extern char** environ;

namespace ck {
namespace {

constexpr Timestamp kNow = 1717243200000 + 30 * kSecondMs;  // 2024-06-01T12:00:30Z (sim "now", fixed)
constexpr Timestamp kDay = 1717200000000;                     // 2024-06-01T00:00:00Z

std::vector<sim::MarketSpec> specs() {
  std::vector<sim::MarketSpec> m;
  auto add = [&](const char* code, double price, double active) {
    sim::MarketSpec s;
    s.code = code;
    s.korean_name = code;
    s.english_name = code;
    s.base_price = price;
    s.active_share = active;
    s.listed_at = kDay - 10 * kDayMs;
    m.push_back(s);
  };
  add("KRW-BTC", 90'000'000, 1.0);
  add("KRW-ETH", 5'000'000, 0.9);
  add("KRW-XRP", 800, 0.5);
  add("KRW-DUST", 12, 0.03);  // illiquid: most minutes empty
  return m;
}

// The fewest pages a backward pager can use for one gap (see collector.h).
int64_t minimum_pages(const CandleSeries& truth) {
  int64_t k = int64_t(truth.size());
  return k / 200 + 1;
}

struct SyncSim : ::testing::Test {
  testing::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kNow);
  std::shared_ptr<sim::Exchange> exchange;
  std::unique_ptr<sim::Server> server;

  void start(sim::ApiOptions api) {
    sim::ExchangeOptions eo;
    eo.market_specs = specs();
    eo.clock = clock;
    eo.start_now = kNow;
    eo.clock_speed = 0;
    exchange = std::make_shared<sim::Exchange>(eo);
    sim::ServerOptions so;
    so.api = api;
    server = std::make_unique<sim::Server>(exchange, so);
    ASSERT_TRUE(server->start().is_ok());
  }
  void SetUp() override {
    sim::ApiOptions api;
    api.rate_limit.per_second = 0;
    start(api);
  }
  std::unique_ptr<Engine> engine(double rate = 0) {
    EngineOptions o;
    o.data_dir = dir.file("data");
    o.exchange_url = server->base_url();
    o.clock = clock;
    o.requests_per_second = rate;
    o.retry.base_delay_ms = 1;
    o.retry.max_attempts = 12;
    auto e = Engine::open(o);
    EXPECT_TRUE(e) << e.status().to_string();
    return std::move(e).value();
  }
  CandleSeries truth(const char* code, TimeRange r) {
    return *exchange->truth(code, sim::CandleUnit::minute(1), r);
  }
  uint64_t page_requests() { return server->stats().request_count("/v1/candles/minutes/1"); }
};

TEST_F(SyncSim, StoresExactlyTheExchangeCandlesWithTheFewestRequests) {
  auto e = engine();
  TimeRange range{kDay - kDayMs, kDay + 12 * kHourMs};
  std::vector<std::string> markets = {"KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-DUST"};
  auto run = e->sync(markets, range);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::kSucceeded) << run->error;
  int64_t minimum = 0;
  for (const auto& m : markets) {
    CandleSeries t = truth(m.c_str(), range);
    minimum += minimum_pages(t);
    auto got = e->get(m, Timeframe::minutes(1), range);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->candles, t) << m;  // every field, bit for bit
    EXPECT_TRUE(got->missing.empty()) << m;
  }
  EXPECT_EQ(int64_t(page_requests()), minimum);
  EXPECT_EQ(run->pages, minimum);
}

TEST_F(SyncSim, AnIlliquidMarketEndsFullyCovered) {
  auto e = engine();
  TimeRange range{kDay - 3 * kDayMs, kDay + 12 * kHourMs};
  ASSERT_TRUE(e->sync({"KRW-DUST"}, range));
  CandleSeries t = truth("KRW-DUST", range);
  ASSERT_LT(t.size() * 5, size_t(range.length() / kMinuteMs));  // most minutes had no trade
  EXPECT_TRUE(e->store().coverage("KRW-DUST")->contains(range));
  EXPECT_EQ(int64_t(page_requests()), minimum_pages(t));
}

TEST_F(SyncSim, ASecondSyncMakesNoRequestAndALongerOneOnlyNewPages) {
  auto e = engine();
  ASSERT_TRUE(e->sync({"KRW-BTC"}, {kDay, kDay + 12 * kHourMs}));
  uint64_t first = page_requests();
  ASSERT_TRUE(e->sync({"KRW-BTC"}, {kDay, kDay + 12 * kHourMs}));
  EXPECT_EQ(page_requests(), first);
  ASSERT_TRUE(e->sync({"KRW-BTC"}, {kDay - kDayMs, kDay + 12 * kHourMs}));
  EXPECT_EQ(int64_t(page_requests() - first), minimum_pages(truth("KRW-BTC", {kDay - kDayMs, kDay})));
  auto got = e->get("KRW-BTC", Timeframe::minutes(1), {kDay - kDayMs, kDay + 12 * kHourMs});
  EXPECT_EQ(got->candles, truth("KRW-BTC", {kDay - kDayMs, kDay + 12 * kHourMs}));
}

TEST_F(SyncSim, TheOpenMinuteIsNotStored) {
  auto e = engine();
  ASSERT_TRUE(e->sync({"KRW-BTC"}, {kDay, kDay + kDayMs}));
  auto cov = e->store().coverage("KRW-BTC");
  EXPECT_EQ(cov->ranges().back().to, kNow - 30 * kSecondMs);  // 12:00:00, the open minute excluded
}

TEST_F(SyncSim, FaultsCostRetriesButNeverCorrectness) {
  server.reset();
  sim::ApiOptions api;
  api.rate_limit.per_second = 0;
  api.faults.error_5xx = 0.10;
  api.faults.malformed = 0.05;
  api.faults.reset = 0.03;
  api.faults.latency_ms = 2;
  api.faults.storm_429 = 0.01;
  api.faults.storm_429_ms = 50;
  start(api);
  auto e = engine();
  TimeRange range{kDay - kDayMs, kDay + 12 * kHourMs};
  auto run = e->sync({"KRW-BTC", "KRW-XRP"}, range);
  ASSERT_TRUE(run);
  EXPECT_GT(run->retries, 0);
  EXPECT_EQ(run->failed_pages, 0) << run->error;
  EXPECT_EQ(run->status, RunStatus::kPartial);  // retries are recorded as WARN issues
  bool retried_issue = false;
  for (const auto& i : run->issues) retried_issue |= i.code == "PAGE_RETRIED";
  EXPECT_TRUE(retried_issue);
  for (const char* m : {"KRW-BTC", "KRW-XRP"}) {
    auto got = e->get(m, Timeframe::minutes(1), range);
    EXPECT_EQ(got->candles, truth(m, range)) << m;
  }
  auto stats = server->stats();
  EXPECT_GT(stats.fault_count("5xx") + stats.fault_count("malformed") + stats.fault_count("reset"), 0u);
}

TEST_F(SyncSim, AtTheExchangesLimitNoRequestIsRejected) {
  server.reset();
  sim::ApiOptions api;
  api.rate_limit.per_second = 10;
  start(api);
  auto e = engine(10.0);
  TimeRange range{kDay + 6 * kHourMs, kDay + 12 * kHourMs};  // 2 pages per market, 8 in all
  auto run = e->sync({"KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-DUST"}, range);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::kSucceeded);
  EXPECT_EQ(server->stats().rate_limit_violations, 0u);
  EXPECT_EQ(server->stats().status_count(429), 0u);
}

// Runs `candlekeep sync` in a child process (stdout to `out` when given).
pid_t spawn_sync(const std::string& data, const std::string& url, TimeRange range, const std::string& out = "/dev/null",
                 const std::string& markets = "KRW-BTC,KRW-ETH,KRW-XRP,KRW-DUST", const std::string& err = "/dev/null") {
  std::vector<std::string> args = {CK_CLI_PATH, "sync", "--data", data, "--exchange-url", url,
                                   "--markets", markets,
                                   "--from", format_timestamp(range.from), "--to", format_timestamp(range.to),
                                   "--rate", "0", "--jobs", "4"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  posix_spawn(&pid, CK_CLI_PATH, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

TEST_F(SyncSim, AMarketTheExchangeDoesNotListIsRefusedAndNeverStored) {
  const std::string data = dir.file("typo");
  TimeRange range{kDay, kDay + kHourMs};
  pid_t pid = spawn_sync(data, server->base_url(), range, "/dev/null", "KRW-BTC,KRW-NOPE", dir.file("err.txt"));
  ASSERT_GT(pid, 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(testing::read_file(dir.file("err.txt")).find("market KRW-NOPE is not listed by the exchange"),
            std::string::npos);
  EXPECT_EQ(page_requests(), 0u);
  EngineOptions o;
  o.data_dir = data;
  o.clock = clock;
  auto e = Engine::open(o);
  ASSERT_TRUE(e);
  EXPECT_TRUE((*e)->markets().empty());  // neither the typo nor the good name was registered
}

TEST_F(SyncSim, ASyncKilledMidRunResumesWithoutRefetchingWhatWasStored) {
  server.reset();
  sim::ApiOptions api;
  api.rate_limit.per_second = 0;
  api.faults.latency_ms = 3;  // slow enough to be killed in the middle
  start(api);
  const std::string data = dir.file("crash");
  TimeRange range{kDay - 5 * kDayMs, kDay + 12 * kHourMs};
  int64_t minimum = 0;
  for (const char* m : {"KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-DUST"}) minimum += minimum_pages(truth(m, range));

  pid_t pid = spawn_sync(data, server->base_url(), range);
  ASSERT_GT(pid, 0);
  while (page_requests() < uint64_t(minimum / 3)) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  uint64_t before_resume = page_requests();
  ASSERT_LT(before_resume, uint64_t(minimum));

  pid = spawn_sync(data, server->base_url(), range);
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  // Everything is there, exactly; at most the pages in flight at the kill (one per job) were
  // asked for twice.
  EXPECT_LE(int64_t(page_requests()), minimum + 4);
  EXPECT_GE(int64_t(page_requests()), minimum);
  EngineOptions o;
  o.data_dir = data;
  o.clock = clock;
  auto e = Engine::open(o);
  ASSERT_TRUE(e);
  for (const char* m : {"KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-DUST"}) {
    auto got = (*e)->get(m, Timeframe::minutes(1), range);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->candles, truth(m, range)) << m;
    EXPECT_TRUE(got->missing.empty()) << m;
  }
}

TEST_F(SyncSim, SigintStopsASyncCleanlyWithExitCode130AndTheNextSyncResumes) {
  server.reset();
  sim::ApiOptions api;
  api.rate_limit.per_second = 0;
  api.faults.latency_ms = 3;
  start(api);
  const std::string data = dir.file("interrupted");
  TimeRange range{kDay - 5 * kDayMs, kDay + 12 * kHourMs};
  int64_t minimum = 0;
  for (const char* m : {"KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-DUST"}) minimum += minimum_pages(truth(m, range));

  pid_t pid = spawn_sync(data, server->base_url(), range, dir.file("summary.txt"));
  while (page_requests() < uint64_t(minimum / 3)) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_NE(testing::read_file(dir.file("summary.txt")).find("candles"), std::string::npos);
  uint64_t after_interrupt = page_requests();
  ASSERT_LT(after_interrupt, uint64_t(minimum));

  // A clean stop stores every page it fetched: the resumed sync requests exactly the rest.
  pid = spawn_sync(data, server->base_url(), range);
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(int64_t(page_requests()), minimum);
}

}  // namespace
}  // namespace ck
