// Benchmark of the batch calculator (issue 2): one year of 1-minute candles (525,600 minutes,
// random walk, 10 % missing) aggregated into 15m, 1h, 4h and 1d — all four in one call
// (aggregate_many) and each alone, with and without input validation.
// Goal: all four together (validation on, the default) in <= 5 ms on this machine.
//
//   build-tf/bench/ck_aggregate_bench [--benchmark_repetitions=10 ...]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/random_walk.h"
#include "timeframe/aggregate.h"

namespace ck::bench {
namespace {

constexpr double kGoalMs = 5.0;

const CandleSeries& data() {
  static const CandleSeries minutes = random_walk_minutes();
  return minutes;
}

std::vector<Timeframe> all_four() {
  return {Timeframe::minutes(15), Timeframe::hours(1), Timeframe::hours(4), Timeframe::day()};
}

void run_aggregate(benchmark::State& state, std::vector<Timeframe> frames, bool validate) {
  const CandleSeries& minutes = data();
  AggregateOptions options;
  options.validate = validate;
  size_t candles = 0;
  for (auto _ : state) {
    auto result = aggregate_many(minutes, frames, options);
    if (!result) {
      state.SkipWithError(result.status().to_string().c_str());
      return;
    }
    candles = 0;
    for (const Aggregated& a : *result) candles += a.candles.size();
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(minutes.size()));
  state.counters["candles_out"] = double(candles);
}

void run_validate(benchmark::State& state) {
  const CandleSeries& minutes = data();
  for (auto _ : state) {
    Status st = minutes.validate(kMinuteMs);
    if (!st) {
      state.SkipWithError(st.to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(minutes.size()));
}

// Prints the usual table, then the verdict on the goal from the best run of "all4/validate".
class GoalReporter : public benchmark::ConsoleReporter {
 public:
  GoalReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      if (r.benchmark_name().rfind("all4/validate", 0) != 0) continue;
      double ms = r.GetAdjustedRealTime() * (r.time_unit == benchmark::kMillisecond   ? 1.0
                                              : r.time_unit == benchmark::kMicrosecond ? 1e-3
                                              : r.time_unit == benchmark::kNanosecond  ? 1e-6
                                                                                       : 1e3);
      best_ms_ = std::min(best_ms_, ms);
      times_.push_back(ms);
    }
  }
  void print_verdict() const {
    if (times_.empty()) return;
    std::vector<double> sorted = times_;
    std::sort(sorted.begin(), sorted.end());
    std::printf("\ngoal: 1 year of 1m -> 15m+1h+4h+1d (aggregate_many, validation on) <= %.1f ms\n", kGoalMs);
    std::printf("measured: best %.3f ms, median %.3f ms over %zu run(s): %s\n", best_ms_,
                sorted[sorted.size() / 2], sorted.size(), sorted[sorted.size() / 2] <= kGoalMs ? "MET" : "MISSED");
  }

 private:
  double best_ms_ = 1e300;
  std::vector<double> times_;
};

}  // namespace
}  // namespace ck::bench

int main(int argc, char** argv) {
  using namespace ck;
  using namespace ck::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const CandleSeries& minutes = data();
  std::printf("data: %zu one-minute candles in a year of 525,600 minutes (random walk, %.1f %% missing, seed %llu),\n"
              "      %s .. %s\n",
              minutes.size(), 100.0 * (1.0 - double(minutes.size()) / 525600.0),
              static_cast<unsigned long long>(RandomWalkOptions{}.seed),
              format_timestamp(minutes.time().front()).c_str(), format_timestamp(minutes.time().back()).c_str());
  std::printf("measures: aggregate_many(15m, 1h, 4h, 1d) (all4) and each timeframe alone, with input\n"
              "          validation (validate) and without (no_validate), and CandleSeries::validate\n"
              "          alone (validate_only); times are per call.\n\n");
  std::fflush(stdout);

  for (bool validate : {true, false}) {
    const std::string suffix = validate ? "/validate" : "/no_validate";
    benchmark::RegisterBenchmark(("all4" + suffix).c_str(),
                                 [=](benchmark::State& s) { run_aggregate(s, all_four(), validate); })
        ->Unit(benchmark::kMillisecond);
    for (const Timeframe& tf : all_four()) {
      benchmark::RegisterBenchmark((tf.to_string() + suffix).c_str(),
                                   [=](benchmark::State& s) { run_aggregate(s, {tf}, validate); })
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RegisterBenchmark("validate_only", run_validate)->Unit(benchmark::kMillisecond);
  GoalReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_verdict();
  benchmark::Shutdown();
  return 0;
}
