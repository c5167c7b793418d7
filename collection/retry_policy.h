#pragma once
// RetryPolicy: how often and how long to wait before retrying a failed page — exponential backoff
// with full jitter, a bounded number of attempts. Which failures are retried is decided by the
// Status code (see retryable()).
#include <cstdint>
#include <random>

#include "timeframe/status.h"

namespace ck {

struct RetryPolicy {
  int max_attempts = 6;          // including the first
  int64_t base_delay_ms = 100;   // before the first retry (times jitter)
  int64_t max_delay_ms = 5000;

  // The wait before attempt number `attempt` (1 = first retry): uniform in [d/2, d] with
  // d = min(max, base * 2^(attempt-1)).
  int64_t delay_ms(int attempt, std::mt19937_64& rng) const;
};

// Transient failures worth another attempt: Unavailable (transport, 5xx, malformed body) and
// ResourceExhausted (429).
bool retryable(const Status& status);

}  // namespace ck
