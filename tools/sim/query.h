#pragma once
// Query: the parameters of a request target ("/v1/candles/minutes/1?market=KRW-BTC&count=200"),
// decoded the way Upbit's server (and every form decoder) reads them: %XX escapes, and '+' as a
// space — which is why an unencoded "+09:00" in `to` arrives as " 09:00" and is rejected.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ck::sim {

class Query {
 public:
  // Splits "path?query" into the path (not decoded) and the parameters. Malformed escapes ("%G1",
  // a trailing "%") are kept literally, so they fail later where the value is checked.
  static Query parse_target(std::string_view target, std::string* path);

  // The first value given for `name`, if any.
  std::optional<std::string_view> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Decodes %XX and '+'.
std::string url_decode(std::string_view s);

}  // namespace ck::sim
