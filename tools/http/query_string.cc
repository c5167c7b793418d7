#include "tools/http/query_string.h"

namespace ck::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::invalid_argument("bad percent escape '" + std::string(text.substr(i, 3)) + "'");
      }
      out += char(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

SplitTarget split_target(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

Result<QueryParams> QueryParams::parse(std::string_view query) {
  QueryParams p;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string_view item = query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    start = amp == std::string_view::npos ? query.size() + 1 : amp + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    CK_ASSIGN_OR_RETURN(std::string name, percent_decode(item.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) {
      CK_ASSIGN_OR_RETURN(value, percent_decode(item.substr(eq + 1), true));
    }
    if (name.empty()) return Status::invalid_argument("a query parameter has no name");
    if (!p.values_.emplace(name, std::move(value)).second) {
      return Status::invalid_argument("query parameter '" + name + "' is given twice");
    }
  }
  return p;
}

std::optional<std::string> QueryParams::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string QueryParams::get_or(std::string_view name, std::string fallback) const {
  auto v = get(name);
  return v ? *v : std::move(fallback);
}

Result<std::string> QueryParams::require(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) {
    return Status::invalid_argument("missing required query parameter '" + std::string(name) + "'");
  }
  return it->second;
}

Result<bool> QueryParams::get_bool(std::string_view name, bool fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  if (*v == "" || *v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return Status::invalid_argument("bad value '" + *v + "' for query parameter '" + std::string(name) +
                                  "'; accepted: true, false, 1, 0");
}

Status QueryParams::accept_only(std::initializer_list<std::string_view> accepted) const {
  for (const auto& [name, value] : values_) {
    bool known = false;
    for (std::string_view a : accepted) known |= a == name;
    if (known) continue;
    std::string list;
    for (std::string_view a : accepted) list += (list.empty() ? "" : ", ") + std::string(a);
    return Status::invalid_argument("unknown query parameter '" + name + "'; accepted: " + (list.empty() ? "none" : list));
  }
  return Status::ok();
}

}  // namespace ck::http
