#pragma once
// Flags: the command line of one candlekeep subcommand. "--name value" and "--name=value" for
// valued flags, "--name" for switches; anything unknown, repeated or missing its value is an
// error that names it.
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "timeframe/result.h"

namespace ck::cli {

class Flags {
 public:
  static Result<Flags> parse(const std::vector<std::string>& args, std::initializer_list<std::string_view> valued,
                             std::initializer_list<std::string_view> switches = {});

  bool has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string fallback) const;
  // The value of a flag that must be given; the error says which flag is missing.
  Result<std::string> require(std::string_view name) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace ck::cli
