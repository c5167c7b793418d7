#include "tools/sim/to_param.h"

namespace ck::sim {
namespace {

bool digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

Result<Timestamp> parse_to_param(std::string_view s) {
  auto bad = [&] {
    return Status::invalid_argument("bad `to` '" + std::string(s) +
                                    "'; expected yyyy-MM-ddTHH:mm:ss with Z, an offset like +09:00, or no zone (UTC)");
  };
  // yyyy-MM-dd?HH:mm:ss
  if (!(digits(s, 0, 4) && s.size() >= 19 && s[4] == '-' && digits(s, 5, 2) && s[7] == '-' && digits(s, 8, 2) &&
        (s[10] == 'T' || s[10] == ' ') && digits(s, 11, 2) && s[13] == ':' && digits(s, 14, 2) && s[16] == ':' &&
        digits(s, 17, 2))) {
    return bad();
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  if (pos < s.size()) {
    if (s[pos] == 'Z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      if (!(digits(s, pos + 1, 2) && pos + 3 < s.size() && s[pos + 3] == ':' && digits(s, pos + 4, 2))) return bad();
      pos += 6;
    } else {
      return bad();
    }
  }
  if (pos != s.size()) return bad();
  auto t = parse_timestamp(s);
  if (!t) return bad();
  return *t;
}

}  // namespace ck::sim
