#pragma once
// QueryParams: the "?a=1&b=2" part of a request target, percent-decoded ('+' is a space). A name
// given twice, a malformed escape, or (through `accept_only`) a name the endpoint does not know is
// an InvalidArgument that names it, the way the CLI's flag parser treats flags.
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "timeframe/result.h"

namespace ck::http {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); a bad escape is InvalidArgument.
Result<std::string> percent_decode(std::string_view text, bool plus_is_space);

// "/v1/x?y=1" → path "/v1/x", query "y=1" (raw, not decoded).
struct SplitTarget {
  std::string_view path;
  std::string_view query;
};
SplitTarget split_target(std::string_view target);

class QueryParams {
 public:
  static Result<QueryParams> parse(std::string_view query);

  bool has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string fallback) const;
  // The value of a parameter the endpoint requires; the error names it.
  Result<std::string> require(std::string_view name) const;
  // "true"/"1"/"" (present without a value) → true, "false"/"0" → false, absent → `fallback`.
  Result<bool> get_bool(std::string_view name, bool fallback) const;
  // InvalidArgument naming the first parameter not in `accepted`, and listing the accepted ones.
  Status accept_only(std::initializer_list<std::string_view> accepted) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace ck::http
