// collect_bench: the collector against the simulator on loopback, in real time.
//  1. unthrottled simulator, --rate 0: candles stored per second (goal >= 100,000/s);
//  2. simulator at Upbit's limit (10 req/s), governor at 10/s: sustained request rate (goal >= 95 %
//     of the limit) and requests rejected by the limiter (goal 0);
//  3. requests issued vs the minimum number of 200-candle pages (goal: equal).
// Usage: collect_bench [markets=50] [days=3] [jobs=4]
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "engine/engine.h"
#include "tools/sim/server.h"

using namespace ck;

namespace {

struct Scenario {
  std::shared_ptr<sim::Exchange> exchange;
  std::unique_ptr<sim::Server> server;
};

Scenario start_sim(int markets, int history_days, int rate_limit) {
  Scenario s;
  sim::ExchangeOptions eo;
  eo.markets = markets;
  eo.history_days = history_days;
  s.exchange = std::make_shared<sim::Exchange>(eo);
  sim::ServerOptions so;
  so.api.rate_limit.per_second = rate_limit;
  s.server = std::make_unique<sim::Server>(s.exchange, so);
  if (!s.server->start().is_ok()) {
    std::fprintf(stderr, "simulator did not start\n");
    std::exit(1);
  }
  return s;
}

std::unique_ptr<Engine> open_engine(const std::string& dir, const std::string& url, double rate, int jobs) {
  std::filesystem::remove_all(dir);
  EngineOptions o;
  o.data_dir = dir;
  o.exchange_url = url;
  o.requests_per_second = rate;
  o.jobs = jobs;
  auto e = Engine::open(o);
  if (!e) {
    std::fprintf(stderr, "%s\n", e.status().to_string().c_str());
    std::exit(1);
  }
  return std::move(e).value();
}

int64_t minimum_pages(const sim::Exchange& ex, const std::vector<std::string>& markets, TimeRange r) {
  int64_t total = 0;
  for (const auto& m : markets) total += int64_t(ex.truth(m, sim::CandleUnit::minute(1), r)->size()) / 200 + 1;
  return total;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int markets = argc > 1 ? std::atoi(argv[1]) : 50;
  const int days = argc > 2 ? std::atoi(argv[2]) : 3;
  const int jobs = argc > 3 ? std::atoi(argv[3]) : 4;
  const std::string dir = std::filesystem::temp_directory_path() / "candlekeep-collect-bench";

  {
    Scenario s = start_sim(markets, days + 1, 0);
    auto e = open_engine(dir, s.server->base_url(), 0, jobs);
    Timestamp now = SystemClock().now_ms();
    TimeRange range{now - days * kDayMs, now};
    auto names = e->resolve_markets("all", true);
    int64_t minimum = minimum_pages(*s.exchange, *names, {range.from, floor_div(now, kMinuteMs) * kMinuteMs});
    auto t0 = std::chrono::steady_clock::now();
    auto run = e->sync(*names, range);
    double secs = seconds_since(t0);
    std::printf("unthrottled: %d markets x %d days, %lld pages, %lld candles in %.2f s = %.0f candles/s "
                "(goal >= 100000), %s\n",
                markets, days, (long long)run->pages, (long long)run->candles, secs, run->candles / secs,
                std::string(run_status_name(run->status)).c_str());
    std::printf("requests: %llu issued for candles, minimum %lld (goal: equal)\n",
                (unsigned long long)s.server->stats().request_count("/v1/candles/minutes/1"), (long long)minimum);
  }
  {
    Scenario s = start_sim(20, 2, 10);
    auto e = open_engine(dir, s.server->base_url(), 10, jobs);
    Timestamp now = SystemClock().now_ms();
    TimeRange range{now - 12 * kHourMs, now};  // 4 pages per market
    auto names = e->resolve_markets("all", true);
    auto t0 = std::chrono::steady_clock::now();
    auto run = e->sync(*names, range);
    double secs = seconds_since(t0);
    auto stats = s.server->stats();
    uint64_t requests = stats.request_count("/v1/candles/minutes/1");
    std::printf("throttled at 10 req/s: %llu requests in %.2f s = %.2f req/s (goal >= 9.5), "
                "rate-limit violations %llu (goal 0), %s\n",
                (unsigned long long)requests, secs, requests / secs, (unsigned long long)stats.rate_limit_violations,
                std::string(run_status_name(run->status)).c_str());
  }
  std::filesystem::remove_all(dir);
  return 0;
}
