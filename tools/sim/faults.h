#pragma once
// Faults: deliberate misbehaviour for testing clients (issue 3, "Faults, for tests"), all off by
// default. FaultInjector draws, per API request, which faults hit it; the REST layer applies the
// ones that change the answer (429 storm, 5xx, malformed body) and the server the ones that live
// in the transport (latency, reset mid-body, dropped WebSocket). Every fault that fires is counted
// in SimStats under its kind. Draws come from a seeded generator, so a single-threaded client sees
// the same faults on every run. Thread-safe.
#include <cstdint>
#include <mutex>

#include "tools/sim/random.h"

namespace ck::sim {

struct FaultOptions {
  double error_5xx = 0;         // probability of answering 500/502/503/504 instead
  double malformed = 0;         // probability of a 200 whose JSON body is cut short
  double reset = 0;             // probability of resetting the connection mid-body
  int64_t latency_ms = 0;       // mean added latency (exponential, capped at 10×); 0 = none
  double storm_429 = 0;         // probability that a request starts a 429 storm
  int64_t storm_429_ms = 2'000; // storm length: every API request gets 429 meanwhile
  int64_t ws_drop_ms = 0;       // drop each WebSocket (no close frame) this long after it opens
  uint64_t seed = 1;

  bool any() const {
    return error_5xx > 0 || malformed > 0 || reset > 0 || latency_ms > 0 || storm_429 > 0 || ws_drop_ms > 0;
  }
};

struct FaultPlan {
  int64_t delay_ms = 0;  // > 0: delay the answer
  bool storm_429 = false;
  int status_5xx = 0;    // non-zero: answer this status
  bool malformed = false;
  size_t cut_permille = 0;  // for malformed/reset: where to cut the body (‰ of its length)
  bool reset = false;
};

class FaultInjector {
 public:
  explicit FaultInjector(FaultOptions options) : options_(options), rng_(options.seed) {}
  const FaultOptions& options() const { return options_; }
  // Draws the faults of one API request arriving at monotonic time `now_ms`.
  FaultPlan plan(int64_t now_ms);

 private:
  FaultOptions options_;
  std::mutex mu_;
  Rng rng_;
  int64_t storm_until_ = -1;
};

}  // namespace ck::sim
