#include "tools/sim/ws_feed.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "tools/sim/random.h"
#include "tools/sim/tick_size.h"
#include "tools/sim/upbit_json.h"

namespace ck::sim {
namespace {

// Builds one frame with either the DEFAULT keys or the SIMPLE abbreviations.
class Frame {
 public:
  explicit Frame(bool simple) : simple_(simple) { out_.reserve(512); out_ += '{'; }
  void key(const char* full, const char* abbrev) {
    if (out_.size() > 1) out_ += ',';
    out_ += '"';
    out_ += simple_ ? abbrev : full;
    out_ += "\":";
  }
  void str(const char* full, const char* abbrev, std::string_view v) { key(full, abbrev); append_string(out_, v); }
  void fixed(const char* full, const char* abbrev, double v) { key(full, abbrev); append_fixed8(out_, v); }
  void quantum(const char* full, const char* abbrev, int64_t q) { key(full, abbrev); append_quantum(out_, q); }
  void integer(const char* full, const char* abbrev, int64_t v) { key(full, abbrev); append_int(out_, v); }
  void rate(const char* full, const char* abbrev, double v) { key(full, abbrev); append_rate(out_, v); }
  void raw(const char* full, const char* abbrev, std::string_view literal) { key(full, abbrev); out_ += literal; }
  std::string& out() { return out_; }
  std::string done() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  bool simple_;
  std::string out_;
};

std::string date_text(int64_t day, bool compact) {
  std::string s;
  append_date(s, day, compact);
  return s;
}

std::string time_text(Timestamp t, bool colons) {
  int64_t ms = t - floor_div(t, kDayMs) * kDayMs;
  char buf[16];
  std::snprintf(buf, sizeof buf, colons ? "%02d:%02d:%02d" : "%02d%02d%02d", int(ms / kHourMs), int(ms / kMinuteMs % 60),
                int(ms / kSecondMs % 60));
  return buf;
}

std::optional<CandleUnit> candle_unit_of(std::string_view type) {
  if (!type.starts_with("candle.")) return std::nullopt;
  std::string_view u = type.substr(7);
  if (u == "1s") return CandleUnit::seconds();
  if (u.size() < 2 || u.back() != 'm') return std::nullopt;
  auto parsed = CandleUnit::parse(u);
  if (!parsed || parsed->kind != CandleKind::kMinutes) return std::nullopt;
  return *parsed;
}

}  // namespace

std::string WsError::json() const { return error_json(name, message); }

std::variant<WsSubscription, WsError> parse_ws_subscription(std::string_view text, const Exchange& exchange,
                                                            Timestamp now) {
  auto wrong = [] { return WsError{"WRONG_FORMAT", "요청 포맷이 올바르지 않습니다."}; };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return wrong();
  WsSubscription sub;
  bool have_ticket = false;
  for (const auto& item : j) {
    if (!item.is_object()) return wrong();
    if (item.contains("ticket")) {
      if (!item["ticket"].is_string() || item["ticket"].get<std::string>().empty()) {
        return WsError{"NO_TICKET", "티켓이 존재하지 않거나, 유효하지 않습니다."};
      }
      sub.ticket = item["ticket"].get<std::string>();
      have_ticket = true;
    } else if (item.contains("type")) {
      if (!item["type"].is_string()) return WsError{"NO_TYPE", "타입이 존재하지 않거나, 유효하지 않습니다."};
      WsTypeRequest t;
      t.type = item["type"].get<std::string>();
      t.candle = candle_unit_of(t.type);
      if (t.type != "ticker" && t.type != "trade" && !t.candle) {
        return WsError{"INVALID_PARAM", t.type + " 은 지원하지 않는 타입입니다."};
      }
      if (!item.contains("codes") || !item["codes"].is_array()) {
        return WsError{"NO_CODES", "코드가 존재하지 않거나, 유효하지 않습니다."};
      }
      for (const auto& code : item["codes"]) {
        if (!code.is_string()) continue;
        int m = exchange.find(code.get<std::string>());  // exact, upper-case match only
        if (m >= 0 && exchange.listed(m, now) && std::find(t.markets.begin(), t.markets.end(), m) == t.markets.end()) {
          t.markets.push_back(m);
        }
      }
      if (item.contains("is_only_snapshot") && item["is_only_snapshot"].is_boolean()) {
        t.only_snapshot = item["is_only_snapshot"].get<bool>();
      }
      if (item.contains("is_only_realtime") && item["is_only_realtime"].is_boolean()) {
        t.only_realtime = item["is_only_realtime"].get<bool>();
      }
      sub.types.push_back(std::move(t));
    } else if (item.contains("format")) {
      std::string f = item["format"].is_string() ? item["format"].get<std::string>() : "";
      if (f == "DEFAULT") sub.format = WsFormat::kDefault;
      else if (f == "SIMPLE") sub.format = WsFormat::kSimple;
      else if (f == "JSON_LIST") sub.format = WsFormat::kJsonList;
      else if (f == "SIMPLE_LIST") sub.format = WsFormat::kSimpleList;
      else return WsError{"INVALID_PARAM", f + " 은 지원하지 않는 포맷입니다."};
    } else {
      return wrong();
    }
  }
  if (!have_ticket) return WsError{"NO_TICKET", "티켓이 존재하지 않거나, 유효하지 않습니다."};
  if (sub.types.empty()) return WsError{"NO_TYPE", "타입이 존재하지 않거나, 유효하지 않습니다."};
  return sub;
}

WsFeed::WsFeed(const Exchange& exchange, WsSubscription subscription, Timestamp now)
    : exchange_(exchange), sub_(std::move(subscription)), last_(now) {}

bool WsFeed::simple() const { return sub_.format == WsFormat::kSimple || sub_.format == WsFormat::kSimpleList; }

std::vector<std::string> WsFeed::bundle(std::vector<std::string> frames) const {
  if (frames.empty() || (sub_.format != WsFormat::kJsonList && sub_.format != WsFormat::kSimpleList)) return frames;
  std::string all = "[";
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i) all += ',';
    all += frames[i];
  }
  all += ']';
  return {std::move(all)};
}

double WsFeed::prev_close(int market, Timestamp t, Timestamp now) {
  int64_t day = floor_div(t, kDayMs);
  auto it = prev_close_.find(market);
  if (it != prev_close_.end() && it->second.first == day) return it->second.second;
  double close = exchange_.close_before(market, day * kDayMs, now);
  prev_close_[market] = {day, close};
  return close;
}

std::string WsFeed::ticker_frame(int market, Timestamp now, bool snapshot) const {
  Ticker t = exchange_.ticker(market, now);
  const MarketSpec& spec = exchange_.markets()[market];
  double change = t.last.price - t.prev_close;
  double rate = t.prev_close != 0 ? change / t.prev_close : 0.0;
  Frame f(simple());
  f.str("type", "ty", "ticker");
  f.str("code", "cd", spec.code);
  f.fixed("opening_price", "op", t.today.open);
  f.fixed("high_price", "hp", t.today.high);
  f.fixed("low_price", "lp", t.today.low);
  f.fixed("trade_price", "tp", t.last.price);
  f.fixed("prev_closing_price", "pcp", t.prev_close);
  f.str("change", "c", change > 0 ? "RISE" : change < 0 ? "FALL" : "EVEN");
  f.fixed("change_price", "cp", std::fabs(change));
  f.fixed("signed_change_price", "scp", change);
  f.rate("change_rate", "cr", std::fabs(rate));
  f.rate("signed_change_rate", "scr", rate);
  f.quantum("trade_volume", "tv", t.last.volume_q);
  f.quantum("acc_trade_volume", "atv", t.today.volume_q);
  f.quantum("acc_trade_volume_24h", "atv24h", t.volume_24h_q);
  f.quantum("acc_trade_price", "atp", t.today.value_q);
  f.quantum("acc_trade_price_24h", "atp24h", t.value_24h_q);
  f.str("trade_date", "tdt", date_text(floor_div(t.last.time, kDayMs), true));
  f.str("trade_time", "ttm", time_text(t.last.time, false));
  f.integer("trade_timestamp", "ttms", t.last.time);
  f.str("ask_bid", "ab", t.last.bid ? "BID" : "ASK");
  f.quantum("acc_ask_volume", "aav", t.today.volume_q - t.today.bid_volume_q);
  f.quantum("acc_bid_volume", "abv", t.today.bid_volume_q);
  f.fixed("highest_52_week_price", "h52wp", t.high_52w);
  f.str("highest_52_week_date", "h52wdt", date_text(t.high_52w_day, false));
  f.fixed("lowest_52_week_price", "l52wp", t.low_52w);
  f.str("lowest_52_week_date", "l52wdt", date_text(t.low_52w_day, false));
  f.str("market_state", "ms", "ACTIVE");
  f.raw("is_trading_suspended", "its", "false");
  f.raw("delisting_date", "dd", "null");
  f.str("market_warning", "mw", spec.warning ? "CAUTION" : "NONE");
  f.integer("timestamp", "tms", std::max(t.last.time, std::min(now, t.last.time + 37)));
  f.str("stream_type", "st", snapshot ? "SNAPSHOT" : "REALTIME");
  return f.done();
}

std::string WsFeed::trade_frame(int market, const Trade& t, Timestamp now, bool snapshot) {
  const MarketSpec& spec = exchange_.markets()[market];
  double prev = prev_close(market, t.time, now);
  if (std::isnan(prev)) prev = t.price;
  double change = t.price - prev;
  double tick = krw_tick_size(t.price).value();
  // The book around the trade: the taker hit the best price on the other side.
  double best_ask = t.bid ? t.price : round_to_tick(t.price + tick);
  double best_bid = t.bid ? round_to_tick(std::max(tick, t.price - tick)) : t.price;
  uint64_t h = mix64(uint64_t(t.sequential_id) ^ uint64_t(market));
  Frame f(simple());
  f.str("type", "ty", "trade");
  f.str("code", "cd", spec.code);
  f.integer("timestamp", "tms", std::max(t.time, std::min(now, t.time + 12)));
  f.str("trade_date", "td", date_text(floor_div(t.time, kDayMs), false));
  f.str("trade_time", "ttm", time_text(t.time, true));
  f.integer("trade_timestamp", "ttms", t.time);
  f.fixed("trade_price", "tp", t.price);
  f.quantum("trade_volume", "tv", t.volume_q);
  f.str("ask_bid", "ab", t.bid ? "BID" : "ASK");
  f.fixed("prev_closing_price", "pcp", prev);
  f.str("change", "c", change > 0 ? "RISE" : change < 0 ? "FALL" : "EVEN");
  f.fixed("change_price", "cp", std::fabs(change));
  f.integer("sequential_id", "sid", t.sequential_id);
  f.fixed("best_ask_price", "bap", best_ask);
  f.quantum("best_ask_size", "bas", int64_t(1 + h % 4096));
  f.fixed("best_bid_price", "bbp", best_bid);
  f.quantum("best_bid_size", "bbs", int64_t(1 + (h >> 20) % 4096));
  f.str("stream_type", "st", snapshot ? "SNAPSHOT" : "REALTIME");
  return f.done();
}

std::string WsFeed::candle_frame(int market, const WsTypeRequest& type, const SimCandle& c, bool snapshot) const {
  Frame f(simple());
  f.str("type", "ty", type.type);
  f.str("code", "cd", exchange_.markets()[market].code);
  f.key("candle_date_time_utc", "cdttmu");
  f.out() += '"';
  append_date_time(f.out(), c.start);
  f.out() += '"';
  f.key("candle_date_time_kst", "cdttmk");
  f.out() += '"';
  append_date_time(f.out(), c.start, kKstOffsetMs);
  f.out() += '"';
  f.fixed("opening_price", "op", c.open);
  f.fixed("high_price", "hp", c.high);
  f.fixed("low_price", "lp", c.low);
  f.fixed("trade_price", "tp", c.close);
  f.quantum("candle_acc_trade_volume", "catv", c.volume_q);
  f.quantum("candle_acc_trade_price", "catp", c.value_q);
  f.integer("timestamp", "tms", c.last_trade);
  f.str("stream_type", "st", snapshot ? "SNAPSHOT" : "REALTIME");
  return f.done();
}

std::vector<std::string> WsFeed::snapshot() {
  std::vector<std::string> frames;
  const Timestamp now = last_;
  for (const WsTypeRequest& t : sub_.types) {
    if (t.only_realtime) continue;
    for (int m : t.markets) {
      if (t.type == "ticker") {
        if (exchange_.last_trade(m, now)) frames.push_back(ticker_frame(m, now, true));
      } else if (t.type == "trade") {
        if (auto last = exchange_.last_trade(m, now)) frames.push_back(trade_frame(m, *last, now, true));
      } else {
        // The newest candle so far — the previous bucket's when the current one has no trade yet.
        auto rows = exchange_.latest(m, *t.candle, now + 1, 1, now);
        if (!rows.empty()) frames.push_back(candle_frame(m, t, rows.front(), true));
      }
    }
  }
  return bundle(std::move(frames));
}

std::vector<std::string> WsFeed::advance(Timestamp now) {
  std::vector<std::string> frames;
  if (now <= last_) return frames;
  std::set<int> markets;
  for (const WsTypeRequest& t : sub_.types) {
    if (!t.only_snapshot) markets.insert(t.markets.begin(), t.markets.end());
  }
  for (int m : markets) {
    std::vector<Trade> trades = exchange_.trades(m, last_, now, now, kMaxTradesPerStep);
    for (size_t ti = 0; ti < sub_.types.size(); ++ti) {
      const WsTypeRequest& t = sub_.types[ti];
      if (t.only_snapshot || std::find(t.markets.begin(), t.markets.end(), m) == t.markets.end()) continue;
      if (t.type == "trade") {
        for (const Trade& tr : trades) frames.push_back(trade_frame(m, tr, now, false));
      } else if (t.type == "ticker") {
        if (!trades.empty()) frames.push_back(ticker_frame(m, now, false));
      } else {
        CandleState& st = candles_[{ti, m}];
        for (const Trade& tr : trades) {
          Timestamp b = t.candle->floor(tr.time);
          if (st.pending.empty() || st.pending.back() != b) st.pending.push_back(b);
        }
        if (!st.pending.empty() && now - st.last_push >= 1000) {
          for (Timestamp b : st.pending) {
            auto rows = exchange_.range(m, *t.candle, b, b + 1, now);
            if (!rows.empty()) frames.push_back(candle_frame(m, t, rows.front(), false));
          }
          st.pending.clear();
          st.last_push = now;
        }
      }
    }
  }
  last_ = now;
  return bundle(std::move(frames));
}

}  // namespace ck::sim
