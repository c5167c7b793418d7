#pragma once
// ProgressBar: one self-overwriting line on stderr while long CLI work runs, only when stderr is a
// terminal (logs and pipes get nothing). Thread-safe; redraws at most ten times a second.
#include <chrono>
#include <mutex>
#include <string>

namespace ck::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  bool enabled() const { return enabled_; }
  // done of total, with a free-form suffix ("1,234 pages, 245,000 candles").
  void update(size_t done, size_t total, const std::string& suffix);
  // Clears the line.
  void finish();

 private:
  std::string label_;
  bool enabled_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace ck::cli
