#include "tools/candlekeep/flags.h"

#include <algorithm>

namespace ck::cli {

Result<Flags> Flags::parse(const std::vector<std::string>& args, std::initializer_list<std::string_view> valued,
                           std::initializer_list<std::string_view> switches) {
  auto is_in = [](std::initializer_list<std::string_view> set, std::string_view n) {
    return std::find(set.begin(), set.end(), n) != set.end();
  };
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      return Status::invalid_argument("unexpected argument '" + a + "' (flags start with --)");
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      inline_value = true;
    }
    if (flags.has(name)) return Status::invalid_argument("flag --" + name + " given twice");
    if (is_in(switches, name)) {
      if (inline_value) return Status::invalid_argument("flag --" + name + " takes no value");
      flags.values_[name] = "";
    } else if (is_in(valued, name)) {
      if (!inline_value) {
        if (i + 1 >= args.size() || (args[i + 1].rfind("--", 0) == 0 && args[i + 1].size() > 2)) {
          return Status::invalid_argument("flag --" + name + " needs a value");
        }
        value = args[++i];
      }
      flags.values_[name] = value;
    } else {
      std::string known;
      for (auto n : valued) known += " --" + std::string(n);
      for (auto n : switches) known += " --" + std::string(n);
      return Status::invalid_argument("unknown flag --" + name + "; accepted:" + known);
    }
  }
  return flags;
}

std::optional<std::string> Flags::get(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Flags::get_or(std::string_view name, std::string fallback) const {
  auto v = get(name);
  return v ? *v : std::move(fallback);
}

Result<std::string> Flags::require(std::string_view name) const {
  auto v = get(name);
  if (!v) return Status::invalid_argument("missing required flag --" + std::string(name));
  return *v;
}

}  // namespace ck::cli
