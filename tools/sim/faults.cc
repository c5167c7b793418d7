#include "tools/sim/faults.h"

#include <algorithm>

namespace ck::sim {

FaultPlan FaultInjector::plan(int64_t now_ms) {
  FaultPlan p;
  if (!options_.any()) return p;
  std::lock_guard lock(mu_);
  if (options_.latency_ms > 0) {
    double d = rng_.exponential() * double(options_.latency_ms);
    p.delay_ms = std::max<int64_t>(1, int64_t(std::min(d, 10.0 * double(options_.latency_ms))));
  }
  if (now_ms < storm_until_) {
    p.storm_429 = true;
    return p;
  }
  if (options_.storm_429 > 0 && rng_.uniform() < options_.storm_429) {
    storm_until_ = now_ms + options_.storm_429_ms;
    p.storm_429 = true;
    return p;
  }
  if (options_.error_5xx > 0 && rng_.uniform() < options_.error_5xx) {
    static constexpr int kCodes[] = {500, 502, 503, 504};
    p.status_5xx = kCodes[rng_.below(4)];
    return p;
  }
  if (options_.malformed > 0 && rng_.uniform() < options_.malformed) {
    p.malformed = true;
  } else if (options_.reset > 0 && rng_.uniform() < options_.reset) {
    p.reset = true;
  }
  p.cut_permille = size_t(rng_.below(1000));
  return p;
}

}  // namespace ck::sim
