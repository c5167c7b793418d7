#pragma once
// RunRecord: what one sync did — when, for which markets and range, how many pages, candles and
// retries, what went wrong — and its verdict: SUCCEEDED, PARTIAL (only WARN issues) or FAILED
// (an ERROR issue, a failed page, or a fatal error such as a ban).
#include <string>
#include <string_view>
#include <vector>

#include "collection/data_quality.h"
#include "timeframe/result.h"
#include "timeframe/time_range.h"

namespace ck {

enum class RunStatus : uint8_t { kSucceeded, kPartial, kFailed };
std::string_view run_status_name(RunStatus s);
Result<RunStatus> parse_run_status(std::string_view text);

struct RunRecord {
  int64_t id = 0;  // assigned when the run is stored
  Timestamp started = 0;
  Timestamp finished = 0;
  std::vector<std::string> markets;
  TimeRange range;
  int64_t pages = 0;         // requests answered with a page
  int64_t candles = 0;       // candles stored
  int64_t retries = 0;
  int64_t failed_pages = 0;  // pages given up after the last attempt
  bool cancelled = false;
  std::string error;         // a fatal error that stopped the run, if any
  std::vector<DataQualityIssue> issues;
  RunStatus status = RunStatus::kSucceeded;

  // Sets `status` from the issues, failed pages and error.
  void decide_status();
};

}  // namespace ck
