#include "collection/rate_governor.h"

#include <algorithm>

namespace ck {

RateGovernor::RateGovernor(RateGovernorOptions options, std::shared_ptr<Clock> clock)
    : options_(options), clock_(std::move(clock)) {
  if (options_.requests_per_second > 0) {
    double safety = std::clamp(options_.safety, 0.1, 1.0);
    interval_ns_ = int64_t(1e9 / (options_.requests_per_second * safety));
  }
  next_slot_ns_ = clock_->monotonic_ns();
}

void RateGovernor::acquire() {
  int64_t slot;
  {
    std::lock_guard lock(mu_);
    ++requests_;
    int64_t now = clock_->monotonic_ns();
    slot = std::max(now, next_slot_ns_);
    next_slot_ns_ = slot + interval_ns_;
    if (interval_ns_ > 0) {
      recent_.push_back(slot);
      while (recent_.size() > size_t(std::max(1.0, options_.requests_per_second))) recent_.pop_front();
    }
  }
  // Sleep outside the lock: other callers book the following slots meanwhile.
  int64_t wait = slot - clock_->monotonic_ns();
  if (wait > 0) clock_->sleep_for_ns(wait);
}

void RateGovernor::push_back_locked(int64_t until_ns) { next_slot_ns_ = std::max(next_slot_ns_, until_ns); }

void RateGovernor::observe_remaining(int remaining) {
  if (remaining != 0 || interval_ns_ == 0) return;
  std::lock_guard lock(mu_);
  // Our own spacing already keeps a window to the limit; waiting until the oldest request of the
  // window has left it also covers budget used by someone else behind the same IP.
  int64_t oldest = recent_.empty() ? clock_->monotonic_ns() : recent_.front();
  push_back_locked(oldest + 1'000'000'000);
}

void RateGovernor::on_too_many_requests() {
  std::lock_guard lock(mu_);
  push_back_locked(clock_->monotonic_ns() + options_.backoff_after_429_ms * 1'000'000);
}

int64_t RateGovernor::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

}  // namespace ck
