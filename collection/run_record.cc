#include "collection/run_record.h"

namespace ck {

std::string_view run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::kSucceeded: return "SUCCEEDED";
    case RunStatus::kPartial: return "PARTIAL";
    case RunStatus::kFailed: return "FAILED";
  }
  return "FAILED";
}

Result<RunStatus> parse_run_status(std::string_view text) {
  if (text == "SUCCEEDED") return RunStatus::kSucceeded;
  if (text == "PARTIAL") return RunStatus::kPartial;
  if (text == "FAILED") return RunStatus::kFailed;
  return Status::invalid_argument("bad run status '" + std::string(text) + "'");
}

void RunRecord::decide_status() {
  bool error_issue = false, warn_issue = false;
  for (const auto& i : issues) (i.severity == Severity::kError ? error_issue : warn_issue) = true;
  if (error_issue || failed_pages > 0 || !error.empty()) {
    status = RunStatus::kFailed;
  } else if (warn_issue || cancelled) {
    status = RunStatus::kPartial;
  } else {
    status = RunStatus::kSucceeded;
  }
}

}  // namespace ck
