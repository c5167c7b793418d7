#include "collection/page_check.h"

#include <algorithm>
#include <cmath>

namespace ck {

std::string_view severity_name(Severity s) { return s == Severity::kError ? "ERROR" : "WARN"; }

CheckedPage check_page(const std::string& market, std::vector<Candle> candles, Timestamp to) {
  CheckedPage out;
  auto issue = [&](const char* code, Severity sev, Timestamp t, std::string detail) {
    out.issues.push_back(DataQualityIssue{code, sev, market, t, std::move(detail)});
  };
  std::sort(candles.begin(), candles.end(), [](const Candle& a, const Candle& b) { return a.time < b.time; });
  out.candles.reserve(candles.size());
  for (size_t i = 0; i < candles.size(); ++i) {
    const Candle& c = candles[i];
    if (i > 0 && c.time == candles[i - 1].time) {
      issue("DUPLICATE_MINUTE", Severity::kWarn, c.time, "the page holds this minute twice; the first was kept");
      continue;
    }
    if (c.time % kMinuteMs != 0) {
      issue("MISALIGNED_TIME", Severity::kError, c.time, "candle time is not on a minute boundary");
      continue;
    }
    if (c.time >= to) {
      issue("OUTSIDE_WINDOW", Severity::kError, c.time, "candle is not before the requested to=" + format_timestamp(to));
      continue;
    }
    bool finite = std::isfinite(c.open) && std::isfinite(c.high) && std::isfinite(c.low) && std::isfinite(c.close) &&
                  std::isfinite(c.volume) && std::isfinite(c.value);
    if (!finite) {
      issue("NON_FINITE", Severity::kError, c.time, "a price, volume or value is NaN or infinite");
      continue;
    }
    if (c.high < std::max(c.open, c.close) || c.low > std::min(c.open, c.close) || c.high < c.low) {
      issue("INCONSISTENT_OHLC", Severity::kError, c.time, "high/low do not bound open and close");
      continue;
    }
    if (c.volume < 0 || c.value < 0) {
      issue("NEGATIVE_VOLUME", Severity::kError, c.time, "negative volume or traded value");
      continue;
    }
    if (c.open <= 0 || c.low <= 0) {
      issue("NON_POSITIVE_PRICE", Severity::kWarn, c.time, "price is zero or negative");
    }
    out.candles.push_back(c);
  }
  return out;
}

}  // namespace ck
