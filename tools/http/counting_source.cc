#include "tools/http/counting_source.h"

namespace ck::http {

Result<MinutePage> CountingSource::minutes(const std::string& market, Timestamp to, int count) {
  auto page = inner_->minutes(market, to, count);
  if (page) {
    ++pages_;
    candles_ += page->candles.size();
  } else if (page.status().code() == StatusCode::kResourceExhausted) {
    ++rate_limited_;
  } else {
    ++failed_;
  }
  return page;
}

SourceCounts CountingSource::counts() const { return {pages_.load(), candles_.load(), rate_limited_.load(), failed_.load()}; }

}  // namespace ck::http
