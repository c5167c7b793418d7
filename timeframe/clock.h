#pragma once
// Clock: the one seam through which code reads the time and waits. Production uses SystemClock;
// tests use ManualClock, whose sleep advances "now" instantly, so rate limits and backoffs are
// deterministic and take no wall time.
#include <atomic>
#include <cstdint>
#include <memory>

#include "timeframe/timestamp.h"

namespace ck {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, milliseconds since the Unix epoch (UTC).
  virtual Timestamp now_ms() const = 0;
  // Monotonic time in nanoseconds, for measuring intervals and rate limiting.
  virtual int64_t monotonic_ns() const = 0;
  virtual void sleep_for_ns(int64_t ns) = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now_ms() const override;
  int64_t monotonic_ns() const override;
  void sleep_for_ns(int64_t ns) override;
  // A process-wide instance; it has no state, so sharing it is safe.
  static std::shared_ptr<Clock> shared();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start_ms = 0) : now_ns_(start_ms * 1'000'000) {}
  Timestamp now_ms() const override { return now_ns_.load() / 1'000'000; }
  int64_t monotonic_ns() const override { return now_ns_.load(); }
  void sleep_for_ns(int64_t ns) override { if (ns > 0) now_ns_ += ns; }
  void advance_ms(int64_t ms) { now_ns_ += ms * 1'000'000; }
  void set_ms(Timestamp ms) { now_ns_ = ms * 1'000'000; }

 private:
  std::atomic<int64_t> now_ns_;
};

}  // namespace ck
