#include "timeframe/candle_file.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <vector>

#include "timeframe/upbit_candle.h"

namespace ck {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

void split_csv(std::string_view line, std::vector<std::string_view>& cells) {
  cells.clear();
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    cells.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

bool parse_double(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Maps a validation error "row N: why" to "name:LINE: why" using the row → line table.
Status locate(const Status& st, std::string_view name, const std::vector<size_t>& line_of_row, const char* unit) {
  const std::string& m = st.message();
  size_t row = 0;
  if (m.rfind("row ", 0) == 0) {
    auto [p, ec] = std::from_chars(m.data() + 4, m.data() + m.size(), row);
    if (ec == std::errc() && row < line_of_row.size()) {
      return Status::invalid_argument(std::string(name) + ":" + unit + std::to_string(line_of_row[row]) +
                                      std::string(p, m.data() + m.size()));
    }
  }
  return st.with_context(name);
}

Result<CandleSeries> parse_csv(std::string_view content, std::string_view name, int64_t align_ms) {
  enum Col { kTime, kOpen, kHigh, kLow, kClose, kVolume, kValue, kCols };
  int idx[kCols] = {0, 1, 2, 3, 4, 5, -1};
  std::vector<std::string_view> cells;
  CandleSeries out;
  std::vector<size_t> line_of_row;
  auto fail = [&](size_t line, const std::string& why) {
    return Status::invalid_argument(std::string(name) + ":" + std::to_string(line) + ": " + why);
  };

  size_t pos = 0, line_no = 0;
  bool first = true;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    std::string_view line = content.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? content.size() : nl + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    split_csv(line, cells);
    if (first) {
      first = false;
      double probe;
      bool numeric_head = cells.size() > 1 && parse_double(cells[1], probe);
      if (!numeric_head) {
        // A header row: find the columns by name.
        std::fill(std::begin(idx), std::end(idx), -1);
        for (size_t i = 0; i < cells.size(); ++i) {
          std::string h = lower(cells[i]);
          if (h == "time" || h == "timestamp") idx[kTime] = idx[kTime] < 0 ? int(i) : idx[kTime];
          else if (h == "open") idx[kOpen] = int(i);
          else if (h == "high") idx[kHigh] = int(i);
          else if (h == "low") idx[kLow] = int(i);
          else if (h == "close") idx[kClose] = int(i);
          else if (h == "volume") idx[kVolume] = int(i);
          else if (h == "value" || h == "turnover") idx[kValue] = int(i);
        }
        static const char* required[] = {"time (or timestamp)", "open", "high", "low", "close", "volume"};
        for (int c = 0; c < kValue; ++c) {
          if (idx[c] < 0) return fail(line_no, std::string("header has no '") + required[c] + "' column");
        }
        continue;
      }
      if (cells.size() < 6) {
        return fail(line_no, "expected a header row or at least 6 columns (time,open,high,low,close,volume)");
      }
    }
    int needed = *std::max_element(std::begin(idx), std::end(idx));
    if (int(cells.size()) <= needed) {
      return fail(line_no, "expected at least " + std::to_string(needed + 1) + " columns, found " +
                               std::to_string(cells.size()));
    }
    auto t = parse_time_value(cells[idx[kTime]]);
    if (!t) return fail(line_no, t.status().message());
    Candle c;
    c.time = *t;
    static const char* names[] = {"time", "open", "high", "low", "close", "volume", "value"};
    double* dst[] = {nullptr, &c.open, &c.high, &c.low, &c.close, &c.volume, &c.value};
    for (int col = kOpen; col < kCols; ++col) {
      if (idx[col] < 0) continue;
      std::string_view cell = cells[idx[col]];
      if (!parse_double(cell, *dst[col])) {
        return fail(line_no, std::string("bad ") + names[col] + " '" + std::string(cell) + "' (not a number)");
      }
    }
    out.push_back(c);
    line_of_row.push_back(line_no);
  }
  if (out.empty()) return Status::invalid_argument(std::string(name) + ": no candles found");
  Status st = out.validate(align_ms);
  if (!st) return locate(st, name, line_of_row, "");
  return out;
}

Result<CandleSeries> parse_json(std::string_view content, std::string_view name, int64_t align_ms) {
  nlohmann::json doc = nlohmann::json::parse(content, nullptr, false);
  if (doc.is_discarded()) return Status::invalid_argument(std::string(name) + ": malformed JSON");
  if (!doc.is_array()) return Status::invalid_argument(std::string(name) + ": expected a JSON array of candles");
  std::vector<std::pair<Candle, size_t>> rows;
  rows.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    auto c = candle_from_upbit_json(doc[i]);
    if (!c) {
      return Status::invalid_argument(std::string(name) + ": element " + std::to_string(i) + ": " +
                                      c.status().message());
    }
    rows.emplace_back(*c, i);
  }
  // Upbit answers newest first; any order is accepted.
  std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first.time < b.first.time; });
  CandleSeries out;
  std::vector<size_t> element_of_row;
  for (auto& [c, i] : rows) {
    out.push_back(c);
    element_of_row.push_back(i);
  }
  if (out.empty()) return Status::invalid_argument(std::string(name) + ": no candles found");
  Status st = out.validate(align_ms);
  if (!st) return locate(st, name, element_of_row, " element ");
  return out;
}

}  // namespace

Result<CandleSeries> parse_candles(std::string_view content, std::string_view name, int64_t align_ms) {
  size_t first = content.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Status::invalid_argument(std::string(name) + ": file is empty");
  if (content[first] == '[' || content[first] == '{') return parse_json(content, name, align_ms);
  return parse_csv(content, name, align_ms);
}

Result<CandleSeries> read_candle_file(const std::string& path, int64_t align_ms) {
  // An ifstream opens a directory without complaint and then reads nothing ("file is empty").
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::invalid_argument(path + ": is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::io_error(path + ": read failed");
  return parse_candles(buf.str(), path, align_ms);
}

}  // namespace ck
