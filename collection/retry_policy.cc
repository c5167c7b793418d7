#include "collection/retry_policy.h"

#include <algorithm>

namespace ck {

int64_t RetryPolicy::delay_ms(int attempt, std::mt19937_64& rng) const {
  int shift = std::clamp(attempt - 1, 0, 30);
  int64_t d = std::min(max_delay_ms, base_delay_ms << shift);
  std::uniform_int_distribution<int64_t> dist(d / 2, std::max<int64_t>(d / 2, d));
  return dist(rng);
}

bool retryable(const Status& status) {
  return status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kResourceExhausted;
}

}  // namespace ck
