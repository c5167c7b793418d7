#pragma once
// DataQualityIssue: something wrong with what an exchange sent (a candle that breaks the rules, a
// page that failed), recorded instead of being stored silently. A run with only WARN issues is
// PARTIAL; one with an ERROR issue or a failed page is FAILED.
#include <string>
#include <string_view>

#include "timeframe/timestamp.h"

namespace ck {

enum class Severity : uint8_t { kWarn, kError };
std::string_view severity_name(Severity s);

struct DataQualityIssue {
  std::string code;    // stable machine-readable code, e.g. "HIGH_BELOW_OPEN", "PAGE_FAILED"
  Severity severity = Severity::kWarn;
  std::string market;
  Timestamp time = 0;  // the candle's open time, or the page's `to`
  std::string detail;  // human-readable
};

}  // namespace ck
