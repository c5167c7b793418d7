#include "engine/screener.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "timeframe/candle_csv.h"
#include "timeframe/indicators.h"

namespace ck {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxLength = 100000;

struct IndicatorName {
  const char* name;
  IndicatorKind kind;
};
constexpr IndicatorName kIndicators[] = {
    {"sma", IndicatorKind::kSma},         {"ema", IndicatorKind::kEma},
    {"rsi", IndicatorKind::kRsi},         {"ret", IndicatorKind::kRet},
    {"rolling_max_prev", IndicatorKind::kRollingMaxPrev}, {"new_high", IndicatorKind::kNewHigh},
    {"bb_upper", IndicatorKind::kBbUpper}, {"bb_lower", IndicatorKind::kBbLower},
    {"tv_ma", IndicatorKind::kTvMa},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string known_names() {
  std::string s;
  for (const auto& i : kIndicators) s += (s.empty() ? "" : ", ") + std::string(i.name);
  return s;
}

Result<IndicatorSpec> parse_one(std::string_view item) {
  std::vector<std::string_view> parts = split(item, ':');
  for (auto& p : parts) p = trim(p);
  const std::string quoted = "'" + std::string(item) + "'";
  const IndicatorName* found = nullptr;
  for (const auto& i : kIndicators) {
    if (parts[0] == i.name) found = &i;
  }
  if (!found) return Status::invalid_argument("unknown indicator " + quoted + " (known: " + known_names() + ")");
  const bool bollinger = found->kind == IndicatorKind::kBbUpper || found->kind == IndicatorKind::kBbLower;
  const std::string form = std::string(found->name) + (bollinger ? ":N[:K]" : ":N");
  if (parts.size() < 2) return Status::invalid_argument(quoted + " needs a length: " + form + " (e.g. " + found->name + ":20)");
  if (parts.size() > (bollinger ? 3u : 2u)) return Status::invalid_argument(quoted + " has too many parts; the form is " + form);
  IndicatorSpec spec;
  spec.kind = found->kind;
  auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), spec.n);
  if (ec != std::errc() || p != parts[1].data() + parts[1].size() || spec.n < 1 || spec.n > kMaxLength) {
    return Status::invalid_argument(quoted + ": the length N must be a whole number from 1 to " +
                                    std::to_string(kMaxLength));
  }
  spec.column = std::string(found->name) + std::to_string(spec.n);
  if (bollinger) {
    if (parts.size() == 3) {
      auto [q, kec] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), spec.k);
      if (kec != std::errc() || q != parts[2].data() + parts[2].size() || !std::isfinite(spec.k) || spec.k <= 0) {
        return Status::invalid_argument(quoted + ": the width K must be a positive number of standard deviations");
      }
    }
    spec.column += "_";
    append_number(spec.column, spec.k);
  }
  return spec;
}

// The indicator's value at the last bar. Indicators defined by a fixed look-back are computed over
// just the bars that value depends on; EMA and RSI are recursive, so over the whole window (where
// they are seeded) — either way the value is that of compute_indicator(spec, w).back().
double last_value(const IndicatorSpec& spec, const CandleSeries& w) {
  namespace ind = indicators;
  const size_t size = w.size();
  auto tail = [&](std::span<const double> x, size_t bars) { return x.subspan(size - std::min(size, bars)); };
  const size_t n = size_t(spec.n);
  std::vector<double> v;
  switch (spec.kind) {
    case IndicatorKind::kSma: v = ind::sma(tail(w.close(), n), spec.n); break;
    case IndicatorKind::kTvMa: v = ind::tv_ma(tail(w.value(), n), spec.n); break;
    case IndicatorKind::kBbUpper: v = ind::bb_upper(tail(w.close(), n), spec.n, spec.k); break;
    case IndicatorKind::kBbLower: v = ind::bb_lower(tail(w.close(), n), spec.n, spec.k); break;
    case IndicatorKind::kRet: v = ind::ret(tail(w.close(), n + 1), spec.n); break;
    case IndicatorKind::kRollingMaxPrev: v = ind::rolling_max_prev(tail(w.high(), n + 1), spec.n); break;
    case IndicatorKind::kNewHigh: v = ind::new_high(tail(w.close(), n + 1), tail(w.high(), n + 1), spec.n); break;
    case IndicatorKind::kEma:
    case IndicatorKind::kRsi: v = compute_indicator(spec, w); break;
  }
  return v.empty() ? kNaN : v.back();
}

double sum(std::span<const double> x) {
  double s = 0;
  for (double v : x) s += v;  // in time order, so a reader can reproduce it exactly
  return s;
}

}  // namespace

Result<std::vector<IndicatorSpec>> parse_indicators(std::string_view text) {
  std::vector<IndicatorSpec> out;
  for (std::string_view item : split(text, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    CK_ASSIGN_OR_RETURN(IndicatorSpec spec, parse_one(item));
    for (const auto& prev : out) {
      if (prev.column == spec.column) return Status::invalid_argument("indicator " + spec.column + " is asked for twice");
    }
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<double> compute_indicator(const IndicatorSpec& spec, const CandleSeries& c) {
  namespace ind = indicators;
  switch (spec.kind) {
    case IndicatorKind::kSma: return ind::sma(c.close(), spec.n);
    case IndicatorKind::kEma: return ind::ema(c.close(), spec.n);
    case IndicatorKind::kRsi: return ind::rsi(c.close(), spec.n);
    case IndicatorKind::kRet: return ind::ret(c.close(), spec.n);
    case IndicatorKind::kRollingMaxPrev: return ind::rolling_max_prev(c.high(), spec.n);
    case IndicatorKind::kNewHigh: return ind::new_high(c.close(), c.high(), spec.n);
    case IndicatorKind::kBbUpper: return ind::bb_upper(c.close(), spec.n, spec.k);
    case IndicatorKind::kBbLower: return ind::bb_lower(c.close(), spec.n, spec.k);
    case IndicatorKind::kTvMa: return ind::tv_ma(c.value(), spec.n);
  }
  return std::vector<double>(c.size(), kNaN);
}

std::vector<std::string> screen_columns(const std::vector<IndicatorSpec>& indicators) {
  std::vector<std::string> cols = {"bars", "close", "change", "volume", "value"};
  for (const auto& i : indicators) cols.push_back(i.column);
  return cols;
}

Result<ScreenSpec> ScreenSpec::parse(std::string_view indicators, std::string_view where, std::string_view sort) {
  ScreenSpec spec;
  auto parsed = parse_indicators(indicators);
  if (!parsed) return Status::invalid_argument("--indicators: " + parsed.status().message());
  spec.indicators = std::move(*parsed);
  spec.columns = screen_columns(spec.indicators);
  if (!trim(where).empty()) {
    auto filter = ScreenFilter::parse(where, spec.columns);
    if (!filter) return Status::invalid_argument("--where: " + filter.status().message());
    spec.where = std::move(*filter);
  }
  sort = trim(sort);
  if (!sort.empty()) {
    if (sort.front() == '-' || sort.front() == '+') {
      spec.sort_descending = sort.front() == '-';
      sort.remove_prefix(1);
    }
    spec.sort_column = std::string(sort);
    bool known = spec.sort_column == "market" || spec.sort_column == "time" ||
                 std::find(spec.columns.begin(), spec.columns.end(), spec.sort_column) != spec.columns.end();
    if (!known) {
      std::string list = "market, time";
      for (const auto& c : spec.columns) list += ", " + c;
      return Status::invalid_argument("--sort: unknown column '" + spec.sort_column + "' (columns: " + list +
                                      "; a leading '-' sorts descending)");
    }
  }
  return spec;
}

ScreenRow screen_row(const std::string& market, const CandleSeries& w, const ScreenSpec& spec) {
  ScreenRow row;
  row.market = market;
  row.values.assign(spec.columns.size(), kNaN);
  row.values[0] = double(w.size());
  row.values[3] = sum(w.volume());
  row.values[4] = sum(w.value());
  if (w.empty()) return row;
  row.time = w.time().back();
  row.values[1] = w.close().back();
  row.values[2] = w.close().back() / w.open().front() - 1.0;
  for (size_t i = 0; i < spec.indicators.size(); ++i) row.values[5 + i] = last_value(spec.indicators[i], w);
  return row;
}

Result<std::vector<ScreenRow>> screen_windows(const std::vector<MarketWindow>& windows, const ScreenSpec& spec) {
  std::vector<ScreenRow> rows;
  rows.reserve(windows.size());
  for (const MarketWindow& w : windows) {
    if (!w.status) return w.status;
    ScreenRow row = screen_row(w.market, w.candles, spec);
    if (spec.where && !spec.where->matches(row.values)) continue;
    rows.push_back(std::move(row));
  }
  if (spec.sort_column.empty()) return rows;
  const bool desc = spec.sort_descending;
  if (spec.sort_column == "market") {
    std::stable_sort(rows.begin(), rows.end(), [desc](const ScreenRow& a, const ScreenRow& b) {
      return desc ? b.market < a.market : a.market < b.market;
    });
  } else if (spec.sort_column == "time") {
    std::stable_sort(rows.begin(), rows.end(), [desc](const ScreenRow& a, const ScreenRow& b) {
      if (!a.time || !b.time) return a.time.has_value() && !b.time.has_value();  // empty last
      return desc ? *b.time < *a.time : *a.time < *b.time;
    });
  } else {
    const size_t col = size_t(std::find(spec.columns.begin(), spec.columns.end(), spec.sort_column) - spec.columns.begin());
    std::stable_sort(rows.begin(), rows.end(), [desc, col](const ScreenRow& a, const ScreenRow& b) {
      const double x = a.values[col], y = b.values[col];
      if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);  // NaN last
      return desc ? y < x : x < y;
    });
  }
  return rows;
}

Result<std::vector<ScreenRow>> screen(Engine& engine, const std::vector<std::string>& markets, Timeframe timeframe,
                                      size_t bars, const ScreenSpec& spec, const ScreenOptions& options) {
  LatestOptions lo;
  lo.fetch_missing = options.fetch_missing;
  lo.threads = options.threads;
  lo.day_origin_ms = options.day_origin_ms;
  CK_ASSIGN_OR_RETURN(std::vector<MarketWindow> windows, engine.latest(markets, timeframe, bars, lo));
  return screen_windows(windows, spec);
}

}  // namespace ck
