// HTTP API throughput (issue 7): GET /v1/candles for 720 1h candles of one market, warm, under
// Debian's `wrk` over loopback. Goal: >= 5,000 requests/s with p99 <= 10 ms on this machine.
//
//   - data: 30 days of 1-minute candles of one random-walk market (10 % of minutes without a
//     trade), written to the store in-process; the server (2 I/O threads) runs in this process;
//   - warm: one request first, so L1 holds the hourly chunks and the server's answer cache
//     (tools/http/candle_body_cache.h) the rendered body; that answer is checked to hold 720 candles;
//   - for comparison, the CSV answer from a second server without the answer cache (every request
//     reads and renders: what a query costs whose candles changed since it was last asked);
//   - load: `wrk -t2 -c<connections> -d<seconds>s --latency` against the CSV answer (what `candlekeep
//     get` prints by default), then the JSON answer; wrk runs on the same 2 cores as the server, so
//     the figure is for both together.
//
// Run: build-*/bench/http/http_bench [--seconds 10] [--connections 4]   (Release build)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <utility>  // before Boost 1.74's asio, which uses std::exchange without it
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

#include "bench/random_walk.h"
#include "timeframe/allocator_tuning.h"
#include "engine/engine.h"
#include "tools/http/server.h"

namespace ck {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;

constexpr Timestamp kStart = 1'717'200'000'000;  // 2024-06-01T00:00:00Z
constexpr int kDays = 30;
constexpr double kGoalRps = 5000, kGoalP99Ms = 10;

// One GET on a fresh connection; "" on failure.
std::string fetch(uint16_t port, const std::string& target) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.socket().connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return "";
  beast::http::request<beast::http::empty_body> req{beast::http::verb::get, target, 11};
  req.set(beast::http::field::host, "127.0.0.1");
  beast::http::write(stream, req, ec);
  if (ec) return "";
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(stream, buffer, res, ec);
  if (ec || res.result_int() != 200) return "";
  return res.body();
}

bool have_wrk() { return std::system("command -v wrk > /dev/null 2>&1") == 0; }

struct WrkResult {
  bool ok = false;
  double rps = 0, p50_ms = 0, p99_ms = 0;
  long requests = 0, errors = 0;
  std::string text;
};

double to_ms(const std::string& value, const std::string& unit) {
  double v = std::stod(value);
  if (unit == "us") return v / 1000;
  if (unit == "s") return v * 1000;
  if (unit == "m") return v * 60'000;
  return v;
}

WrkResult run_wrk(const std::string& url, int seconds, int connections) {
  WrkResult r;
  std::string cmd = "wrk -t2 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) + "s --latency '" +
                    url + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.text.append(buf, n);
  if (::pclose(p) != 0) return r;
  std::smatch m;
  if (std::regex_search(r.text, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) r.rps = std::stod(m[1]);
  if (std::regex_search(r.text, m, std::regex(R"(\n\s+50%\s+([0-9.]+)(us|ms|s|m)\b)"))) r.p50_ms = to_ms(m[1], m[2]);
  if (std::regex_search(r.text, m, std::regex(R"(\n\s+99%\s+([0-9.]+)(us|ms|s|m)\b)"))) r.p99_ms = to_ms(m[1], m[2]);
  if (std::regex_search(r.text, m, std::regex(R"((\d+) requests in)"))) r.requests = std::stol(m[1]);
  // "Non-2xx or 3xx responses: N" and "Socket errors: connect A, read B, write C, timeout D".
  if (std::regex_search(r.text, m, std::regex(R"(Non-2xx or 3xx responses:\s+(\d+))"))) r.errors += std::stol(m[1]);
  if (std::regex_search(r.text, m, std::regex(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))"))) {
    for (int i = 1; i <= 4; ++i) r.errors += std::stol(m[i]);
  }
  r.ok = r.rps > 0 && r.p99_ms > 0;
  return r;
}

int run(int seconds, int connections) {
  if (!have_wrk()) {
    std::printf("http_bench: wrk is not installed (apt-get install wrk); skipped\n");
    return 0;
  }
  auto dir = std::filesystem::temp_directory_path() / ("candlekeep-http-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  int code = 0;
  {
    EngineOptions o;
    o.data_dir = dir.string();
    o.requests_per_second = 0;
    auto engine = Engine::open(o);
    if (!engine) {
      std::fprintf(stderr, "open: %s\n", engine.status().to_string().c_str());
      return 1;
    }
    bench::RandomWalkOptions w;
    w.start = kStart;
    w.minutes = kDays * 1440;
    CandleSeries minutes = bench::random_walk_minutes(w);
    const TimeRange span{kStart, kStart + kDays * kDayMs};
    Status st = (*engine)->store().write_minutes("KRW-BTC", minutes, {span});
    if (!st) {
      std::fprintf(stderr, "write: %s\n", st.to_string().c_str());
      return 1;
    }
    http::ServerOptions so;
    so.port = 0;
    http::Server server(**engine, so);
    so.candle_cache_bytes = 0;
    http::Server uncached(**engine, so);
    for (http::Server* s : {&server, &uncached}) {
      if (Status st = s->start(); !st) {
        std::fprintf(stderr, "start: %s\n", st.to_string().c_str());
        return 1;
      }
    }
    const std::string target = "/v1/candles?market=KRW-BTC&timeframe=1h&from=2024-06-01&to=2024-07-01";
    std::printf("data: %zu 1-minute candles of KRW-BTC (%d days), server: 2 I/O threads, in-process\n", minutes.size(),
                kDays);
    std::printf("load: wrk -t2 -c%d -d%ds --latency, on the same 2 cores as the server\n\n", connections, seconds);
    struct Run {
      http::Server* server;
      const char* format;
      const char* label;
      bool judged;
    };
    for (const Run& run : {Run{&server, "csv", "csv ", true}, Run{&server, "json", "json", true},
                           Run{&uncached, "csv", "csv, no answer cache", false}}) {
      std::string t = target + "&format=" + run.format;
      std::string body = fetch(run.server->port(), t);  // warms L1 (and the answer cache) and checks the answer
      size_t rows = std::string(run.format) == "csv" ? size_t(std::count(body.begin(), body.end(), '\n')) - 1
                                                     : size_t(std::count(body.begin(), body.end(), '{'));
      if (rows != 720) {
        std::fprintf(stderr, "expected 720 candles, got %zu (%zu bytes)\n", rows, body.size());
        return 1;
      }
      WrkResult r = run_wrk(run.server->base_url() + t, seconds, connections);
      if (!r.ok) {
        std::fprintf(stderr, "wrk failed:\n%s\n", r.text.c_str());
        return 1;
      }
      bool pass = r.rps >= kGoalRps && r.p99_ms <= kGoalP99Ms && r.errors == 0;
      std::printf("GET /v1/candles 720 x 1h %s (%zu bytes): %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  "
                  "(%ld requests, %ld errors)",
                  run.label, body.size(), r.rps, r.p50_ms, r.p99_ms, r.requests, r.errors);
      if (run.judged) {
        std::printf("  goal >= %.0f req/s, p99 <= %.0f ms: %s\n", kGoalRps, kGoalP99Ms, pass ? "PASS" : "MISS");
        if (!pass) code = 2;
      } else {
        std::printf("  (for comparison)\n");
      }
    }
    uncached.stop();
    server.stop();
  }
  std::filesystem::remove_all(dir);
  return code;
}

}  // namespace
}  // namespace ck

int main(int argc, char** argv) {
  ck::keep_freed_memory();  // as the candlekeep binary does (timeframe/allocator_tuning.h)
  int seconds = 10, connections = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--seconds") {
      seconds = std::atoi(argv[i + 1]);
    } else if (flag == "--connections") {
      connections = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: http_bench [--seconds 10] [--connections 4]\n");
      return 64;
    }
  }
  if (seconds < 1 || connections < 1) {
    std::fprintf(stderr, "usage: http_bench [--seconds 10] [--connections 4]\n");
    return 64;
  }
  return ck::run(seconds, connections);
}
