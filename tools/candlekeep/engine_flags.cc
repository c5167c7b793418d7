#include "tools/candlekeep/engine_flags.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace ck::cli {

Result<Timestamp> parse_time_flag(const Flags& flags, const char* name) {
  CK_ASSIGN_OR_RETURN(std::string text, flags.require(name));
  auto t = parse_time_value(text);
  if (!t) return Status::invalid_argument("--" + std::string(name) + ": " + t.status().message());
  return *t;
}

Result<TimeRange> parse_range_flags(const Flags& flags, std::optional<Timestamp> to_default) {
  CK_ASSIGN_OR_RETURN(Timestamp from, parse_time_flag(flags, "from"));
  Timestamp to;
  if (!flags.has("to") && to_default) {
    to = *to_default;
  } else {
    CK_ASSIGN_OR_RETURN(to, parse_time_flag(flags, "to"));
  }
  if (to <= from) {
    return Status::invalid_argument("--from " + format_timestamp(from) + " is not before --to " + format_timestamp(to));
  }
  return TimeRange{from, to};
}

Result<std::unique_ptr<Engine>> open_engine(const Flags& flags, EngineOptions base) {
  CK_ASSIGN_OR_RETURN(base.data_dir, flags.require("data"));
  if (auto url = flags.get("exchange-url")) base.exchange_url = *url;
  return Engine::open(std::move(base));
}

Result<std::string> parse_format(const Flags& flags, std::initializer_list<const char*> accepted) {
  std::string f = flags.get_or("format", *accepted.begin());
  std::string list;
  for (const char* a : accepted) {
    if (f == a) return f;
    list += list.empty() ? a : std::string(", ") + a;
  }
  return Status::invalid_argument("bad --format '" + f + "'; accepted: " + list);
}

void print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace ck::cli
