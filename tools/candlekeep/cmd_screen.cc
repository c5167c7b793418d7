// candlekeep screen: one row per market over its last N closed candles — close, change, volume,
// value and indicators — filtered by --where and sorted by --sort (engine/screener.h;
// docs/screener.md).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine/screener.h"
#include "timeframe/candle_csv.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "screen";
constexpr size_t kMaxBars = 1'000'000;

Result<size_t> parse_bars(const std::string& text) {
  size_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < 1 || n > kMaxBars) {
    return Status::invalid_argument("--bars: expected a whole number of candles from 1 to " + std::to_string(kMaxBars) +
                                    ", got '" + text + "'");
  }
  return n;
}

// Exact numbers for machines: the shortest text that reads back as the same double.
std::string exact(double v) {
  std::string s;
  append_number(s, v);
  return s;
}

// Short numbers for people: whole numbers in full, the rest to 10 significant digits.
std::string readable(double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.10g", v);
  }
  return buf;
}

std::string time_text(const ScreenRow& r) { return r.time ? format_timestamp(*r.time) : std::string(); }

std::string to_csv(const std::vector<ScreenRow>& rows, const ScreenSpec& spec) {
  std::string out = "market,time";
  for (const auto& c : spec.columns) out += "," + c;
  out += "\n";
  for (const auto& r : rows) {
    out += r.market + "," + time_text(r);
    for (double v : r.values) out += "," + (std::isnan(v) ? std::string() : exact(v));
    out += "\n";
  }
  return out;
}

std::string to_json(const std::vector<ScreenRow>& rows, const ScreenSpec& spec) {
  std::string out = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const ScreenRow& r = rows[i];
    out += i ? ",\n" : "\n";
    out += "{\"market\":" + nlohmann::json(r.market).dump() + ",\"time\":";
    out += r.time ? "\"" + format_timestamp(*r.time) + "\"" : std::string("null");
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      out += ",\"" + spec.columns[c] + "\":" + (std::isnan(r.values[c]) ? std::string("null") : exact(r.values[c]));
    }
    out += "}";
  }
  out += rows.empty() ? "]\n" : "\n]\n";
  return out;
}

std::string to_table(const std::vector<ScreenRow>& rows, const ScreenSpec& spec) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header = {"market", "time"};
  header.insert(header.end(), spec.columns.begin(), spec.columns.end());
  cells.push_back(header);
  for (const auto& r : rows) {
    std::vector<std::string> line = {r.market, r.time ? format_timestamp(*r.time) : "-"};
    for (double v : r.values) line.push_back(readable(v));
    cells.push_back(std::move(line));
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& line : cells) {
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  std::string out;
  for (const auto& line : cells) {
    for (size_t c = 0; c < line.size(); ++c) {
      const std::string pad(width[c] - line[c].size(), ' ');
      if (c) out += "  ";
      out += c < 2 ? line[c] + (c + 1 < line.size() ? pad : "") : pad + line[c];  // text left, numbers right
    }
    out += "\n";
  }
  return out;
}

bool is_user_error(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kNotFound;
}

int run_screen(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"data", "timeframe", "bars", "markets", "indicators", "where", "sort", "format",
                                   "exchange-url"},
                            {"fetch"});
  if (!flags) return usage_error(kName, flags.status().message());
  for (const char* name : {"data", "timeframe", "bars", "markets"}) {
    if (!flags->has(name)) return usage_error(kName, std::string("missing required flag --") + name);
  }
  auto tf = Timeframe::parse(*flags->get("timeframe"));
  if (!tf) return usage_error(kName, "--timeframe: " + tf.status().message());
  auto bars = parse_bars(*flags->get("bars"));
  if (!bars) return usage_error(kName, bars.status().message());
  auto format = parse_format(*flags, {"table", "csv", "json"});
  if (!format) return usage_error(kName, format.status().message());
  auto spec = ScreenSpec::parse(flags->get_or("indicators", ""), flags->get_or("where", ""), flags->get_or("sort", ""));
  if (!spec) return usage_error(kName, spec.status().message());
  const bool fetch = flags->has("fetch");

  auto engine = open_engine(*flags);
  if (!engine) return failure(kName, engine.status().message());
  auto markets = (*engine)->resolve_markets(*flags->get("markets"), fetch);
  if (!markets) {
    const Status& st = markets.status();
    return is_user_error(st) ? usage_error(kName, "--markets: " + st.message()) : failure(kName, st.message());
  }
  ScreenOptions so;
  so.fetch_missing = fetch;
  auto rows = screen(**engine, *markets, *tf, *bars, *spec, so);
  if (!rows) {
    const Status& st = rows.status();
    if (st.code() == StatusCode::kNotFound && !fetch) {
      return usage_error(kName, st.message() + "; --fetch collects it from the exchange");
    }
    return is_user_error(st) ? usage_error(kName, st.message()) : failure(kName, st.message());
  }
  if (*format == "csv") {
    print(to_csv(*rows, *spec));
  } else if (*format == "json") {
    print(to_json(*rows, *spec));
  } else {
    print(to_table(*rows, *spec));
    std::fprintf(stderr, "%zu of %zu markets\n", rows->size(), markets->size());
  }
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(screen, kName,
                    "screen --data DIR --timeframe TF --bars N --markets A,B|all|KRW-* [--indicators sma:20,rsi:14,...] "
                    "[--where \"EXPR\"] [--sort [-]COLUMN] [--fetch [--exchange-url URL]] [--format table|csv|json]",
                    run_screen);

}  // namespace ck::cli
