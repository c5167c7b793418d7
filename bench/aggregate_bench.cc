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
#include "timeframe/allocator_tuning.h"

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

// Prints the usual table, then the verdict on the goal for "all4/validate": the median over the
// repetitions (one run unless --benchmark_repetitions is given), wall-clock and CPU time. On a
// shared machine the two differ when other processes take the cores.
class GoalReporter : public benchmark::ConsoleReporter {
 public:
  GoalReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_name.function_name != "all4/validate") continue;
      if (r.run_type == Run::RT_Iteration) {
        real_.push_back(ms(r, r.GetAdjustedRealTime()));
        cpu_.push_back(ms(r, r.GetAdjustedCPUTime()));
      } else if (r.aggregate_name == "median") {
        median_real_ = ms(r, r.GetAdjustedRealTime());
        median_cpu_ = ms(r, r.GetAdjustedCPUTime());
      }
    }
  }

  void print_verdict() const {
    double real = median_real_ >= 0 ? median_real_ : median(real_);
    double cpu = median_cpu_ >= 0 ? median_cpu_ : median(cpu_);
    if (real < 0) return;
    std::printf("\ngoal: 1 year of 1m -> 15m+1h+4h+1d (aggregate_many, validation on) <= %.1f ms\n", kGoalMs);
    std::printf("measured (median): %.3f ms wall-clock, %.3f ms CPU: %s\n", real, cpu,
                real <= kGoalMs ? "MET" : (cpu <= kGoalMs ? "MET in CPU time, not wall-clock (machine busy?)" : "MISSED"));
  }

 private:
  static double ms(const Run& r, double t) {
    switch (r.time_unit) {
      case benchmark::kNanosecond: return t * 1e-6;
      case benchmark::kMicrosecond: return t * 1e-3;
      case benchmark::kMillisecond: return t;
      default: return t * 1e3;
    }
  }
  static double median(std::vector<double> v) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  std::vector<double> real_, cpu_;
  double median_real_ = -1, median_cpu_ = -1;
};

}  // namespace
}  // namespace ck::bench

int main(int argc, char** argv) {
  using namespace ck;
  using namespace ck::bench;
  keep_freed_memory();  // as the candlekeep binary does (timeframe/allocator_tuning.h)
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
