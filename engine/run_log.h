#pragma once
// RunLog: run records and their data-quality issues, kept in L3's runs and issues families as
// JSON values under big-endian run ids (issues: run id + index), so both list in run order.
#include <nlohmann/json.hpp>

#include <vector>

#include "cache/rocks_tier.h"
#include "collection/run_record.h"

namespace ck {

// The JSON of a run record and of a data-quality issue, one shape for all who show them:
// `candlekeep runs|issues --format json`, GET /v1/runs, and the records RunLog stores.
nlohmann::ordered_json run_json(const RunRecord& r);
nlohmann::ordered_json issue_json(const DataQualityIssue& i);

class RunLog {
 public:
  explicit RunLog(RocksTier& l3) : l3_(l3) {}
  // Assigns the next run id to `record` and stores it with its issues.
  // REQUIRES: callers serialize append() (ids are read-increment-written).
  Status append(RunRecord& record);
  // Newest first.
  Result<std::vector<RunRecord>> runs();
  // Oldest run first, in the order each run recorded them.
  Result<std::vector<DataQualityIssue>> issues();

 private:
  RocksTier& l3_;
};

}  // namespace ck
