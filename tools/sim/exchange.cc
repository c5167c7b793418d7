#include "tools/sim/exchange.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ck::sim {
namespace {

constexpr int64_t kSecondsHistoryMs = 90 * kDayMs;  // /v1/candles/seconds serves ~3 months

SimCandle bar_candle(int64_t day, const MinuteBar& b) {
  SimCandle c;
  c.start = day * kDayMs + int64_t(b.minute) * kMinuteMs;
  c.open = b.open;
  c.high = b.high;
  c.low = b.low;
  c.close = b.close;
  c.volume_q = b.volume_q;
  c.value_q = b.value_q;
  c.bid_volume_q = b.bid_volume_q;
  c.last_trade = c.start + b.last_ms;
  return c;
}

SimCandle trade_candle(Timestamp start, const Trade& t) {
  SimCandle c;
  c.start = start;
  c.open = c.high = c.low = c.close = t.price;
  c.volume_q = t.volume_q;
  c.value_q = t.value_q;
  c.bid_volume_q = t.bid ? t.volume_q : 0;
  c.last_trade = t.time;
  return c;
}

void fold(std::optional<SimCandle>& acc, const SimCandle& piece, Timestamp start) {
  if (!acc) {
    acc = piece;
    acc->start = start;
  } else {
    acc->absorb(piece);
  }
}

std::vector<Trade>& scratch_trades() {
  thread_local std::vector<Trade> trades;
  trades.clear();
  return trades;
}

}  // namespace

Exchange::Exchange(ExchangeOptions options)
    : seed_(options.seed),
      clock_(options.clock ? options.clock : SystemClock::shared()),
      clock_start_(clock_->now_ms()),
      speed_(options.clock_speed > 0 ? options.clock_speed : 0) {
  start_now_ = options.start_now.value_or(clock_start_);
  markets_ = options.market_specs.empty()
                 ? make_markets(options.markets, options.seed, std::max(1, options.history_days), start_now_)
                 : std::move(options.market_specs);
  for (MarketSpec& m : markets_) m.listed_at = floor_div(m.listed_at + kMinuteMs - 1, kMinuteMs) * kMinuteMs;
  for (size_t i = 0; i < markets_.size(); ++i) by_code_.emplace(markets_[i].code, int(i));
  cache_ = std::make_unique<DayCache>(options.cache_days, [this](int market, int64_t day) {
    return generate_market_day(MarketStream{&markets_[market], seed_, market}, day);
  });
}

int Exchange::find(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? -1 : it->second;
}

Timestamp Exchange::now() const {
  if (speed_ == 0) return start_now_;
  int64_t elapsed = clock_->now_ms() - clock_start_;
  if (speed_ == 1) return start_now_ + elapsed;
  return start_now_ + std::llround(double(elapsed) * speed_);
}

int64_t Exchange::first_day(int market) const { return floor_div(markets_[market].listed_at, kDayMs); }

SimCandle Exchange::DayView::at(size_t i) const {
  return i < closed ? bar_candle(day->day, day->bars[i]) : *partial;
}

Exchange::DayView Exchange::view(int market, int64_t day, Timestamp now) const {
  DayView v;
  Timestamp day_start = day * kDayMs;
  if (day_start > now || day_start + kDayMs <= markets_[market].listed_at) return v;
  v.day = cache_->get(market, day);
  const auto& bars = v.day->bars;
  if (now >= day_start + kDayMs) {
    v.closed = bars.size();
    return v;
  }
  int now_minute = int((now - day_start) / kMinuteMs);
  auto it = std::lower_bound(bars.begin(), bars.end(), now_minute,
                             [](const MinuteBar& b, int m) { return b.minute < m; });
  v.closed = size_t(it - bars.begin());
  if (it != bars.end() && it->minute == now_minute) {
    // The open minute: only the trades so far.
    auto& trades = scratch_trades();
    generate_minute_trades(MarketStream{&markets_[market], seed_, market}, day, *it, trades);
    Timestamp start = day_start + int64_t(now_minute) * kMinuteMs;
    std::optional<SimCandle> acc;
    for (const Trade& t : trades) {
      if (t.time > now) break;
      fold(acc, trade_candle(start, t), start);
    }
    v.partial = acc;
  }
  return v;
}

void Exchange::minute_buckets(int market, int64_t day, int minutes, Timestamp now, std::vector<SimCandle>& out) const {
  DayView v = view(market, day, now);
  const int64_t len = int64_t(minutes) * kMinuteMs;
  std::optional<SimCandle> acc;
  for (size_t i = 0; i < v.size(); ++i) {
    SimCandle c = v.at(i);
    Timestamp start = floor_div(c.start, len) * len;
    if (acc && acc->start != start) {
      out.push_back(*acc);
      acc.reset();
    }
    fold(acc, c, start);
  }
  if (acc) out.push_back(*acc);
}

void Exchange::second_buckets(int market, int64_t day, Timestamp now, std::vector<SimCandle>& out) const {
  DayView v = view(market, day, now);
  if (!v.day) return;
  MarketStream stream{&markets_[market], seed_, market};
  auto& trades = scratch_trades();
  for (size_t i = 0; i < v.size(); ++i) {
    trades.clear();
    generate_minute_trades(stream, day, v.day->bars[i], trades);  // bars[closed] is the open minute
    std::optional<SimCandle> acc;
    for (const Trade& t : trades) {
      if (t.time > now) break;
      Timestamp start = floor_div(t.time, kSecondMs) * kSecondMs;
      if (acc && acc->start != start) {
        out.push_back(*acc);
        acc.reset();
      }
      fold(acc, trade_candle(start, t), start);
    }
    if (acc) out.push_back(*acc);
  }
}

std::optional<SimCandle> Exchange::day_summary(int market, int64_t day, Timestamp now) const {
  if (day * kDayMs > now || day < first_day(market)) return std::nullopt;
  bool closed = (day + 1) * kDayMs <= now;
  SummaryKey key{market, day};
  if (closed) {
    std::lock_guard lock(summary_mu_);
    auto it = summaries_.find(key);
    if (it != summaries_.end()) return it->second;
  }
  DayView v = view(market, day, now);
  std::optional<SimCandle> acc;
  for (size_t i = 0; i < v.size(); ++i) fold(acc, v.at(i), day * kDayMs);
  if (closed) {
    std::lock_guard lock(summary_mu_);
    summaries_.emplace(key, acc);
  }
  return acc;
}

std::optional<SimCandle> Exchange::bucket(int market, CandleUnit unit, Timestamp start, Timestamp now) const {
  Timestamp end = std::min(unit.next(start), now + 1);
  std::optional<SimCandle> acc;
  for (int64_t day = std::max(floor_div(start, kDayMs), first_day(market)); day * kDayMs < end; ++day) {
    if (auto s = day_summary(market, day, now)) fold(acc, *s, start);
  }
  return acc;
}

double Exchange::close_before(int market, Timestamp t, Timestamp now) const {
  // `t` is a day start here (day candles, ticker).
  for (int64_t day = floor_div(t, kDayMs) - 1; day >= first_day(market); --day) {
    if (auto s = day_summary(market, day, now)) return s->close;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::vector<SimCandle> Exchange::latest(int market, CandleUnit unit, Timestamp to, size_t count, Timestamp now) const {
  std::vector<SimCandle> out;
  if (market < 0 || size_t(market) >= markets_.size() || count == 0) return out;
  const Timestamp listed = markets_[market].listed_at;
  // A bucket can only exist if it starts at or before now.
  const Timestamp end = std::min(to, now + 1);
  const int64_t first = first_day(market);
  switch (unit.kind) {
    case CandleKind::kSeconds: {
      std::vector<SimCandle> day_candles;
      const Timestamp oldest = now - kSecondsHistoryMs;
      for (int64_t day = floor_div(end - 1, kDayMs); day >= first && out.size() < count; --day) {
        if ((day + 1) * kDayMs <= oldest) break;
        day_candles.clear();
        second_buckets(market, day, now, day_candles);
        for (size_t i = day_candles.size(); i-- > 0 && out.size() < count;) {
          if (day_candles[i].start >= end) continue;
          if (day_candles[i].start < oldest) break;
          out.push_back(day_candles[i]);
        }
      }
      break;
    }
    case CandleKind::kMinutes: {
      // Walk the visible minutes backwards from `end`, touching only the ones the page needs.
      const int64_t len = int64_t(unit.minutes) * kMinuteMs;
      const Timestamp limit = floor_div(end - 1, len) * len + len;  // minutes before this are in buckets < end
      for (int64_t day = floor_div(end - 1, kDayMs); day >= first && out.size() < count; --day) {
        DayView v = view(market, day, now);
        if (v.size() == 0) continue;
        const Timestamp day_start = day * kDayMs;
        const auto& bars = v.day->bars;
        auto start_of = [&](size_t i) { return i < v.closed ? day_start + int64_t(bars[i].minute) * kMinuteMs : v.partial->start; };
        size_t hi = v.size();
        if (limit < day_start + kDayMs) {
          int64_t minute_limit = (limit - day_start) / kMinuteMs;
          hi = size_t(std::lower_bound(bars.begin(), bars.begin() + ptrdiff_t(v.closed), minute_limit,
                                       [](const MinuteBar& b, int64_t m) { return b.minute < m; }) -
                      bars.begin());
          if (hi == v.closed && v.partial && v.partial->start < limit) hi = v.size();
        }
        for (size_t i = hi; i > 0 && out.size() < count;) {
          const Timestamp bucket = floor_div(start_of(i - 1), len) * len;
          size_t j = i - 1;
          while (j > 0 && start_of(j - 1) >= bucket) --j;
          std::optional<SimCandle> acc;
          for (size_t k = j; k < i; ++k) fold(acc, v.at(k), bucket);
          out.push_back(*acc);
          i = j;
        }
      }
      break;
    }
    case CandleKind::kDays: {
      // One extra day supplies the oldest candle's prev_closing_price.
      for (int64_t day = floor_div(end - 1, kDayMs); day >= first && out.size() < count + 1; --day) {
        if (auto s = day_summary(market, day, now)) out.push_back(*s);
      }
      for (size_t i = 0; i < out.size(); ++i) out[i].prev_close = i + 1 < out.size() ? out[i + 1].close : out[i].open;
      if (out.size() > count) out.pop_back();
      break;
    }
    case CandleKind::kWeeks:
    case CandleKind::kMonths:
    case CandleKind::kYears: {
      for (Timestamp b = unit.floor(end - 1); unit.next(b) > listed && out.size() < count; b = unit.floor(b - 1)) {
        if (auto s = bucket(market, unit, b, now)) out.push_back(*s);
      }
      break;
    }
  }
  return out;
}

std::vector<SimCandle> Exchange::range(int market, CandleUnit unit, Timestamp from, Timestamp to, Timestamp now) const {
  std::vector<SimCandle> out;
  if (market < 0 || size_t(market) >= markets_.size()) return out;
  const Timestamp listed = markets_[market].listed_at;
  const Timestamp end = std::min(to, now + 1);
  if (end <= from) return out;
  switch (unit.kind) {
    case CandleKind::kSeconds:
    case CandleKind::kMinutes: {
      std::vector<SimCandle> day_candles;
      const Timestamp oldest = unit.kind == CandleKind::kSeconds ? std::max(from, now - kSecondsHistoryMs) : from;
      for (int64_t day = std::max(floor_div(oldest, kDayMs), first_day(market)); day * kDayMs < end; ++day) {
        day_candles.clear();
        if (unit.kind == CandleKind::kSeconds) second_buckets(market, day, now, day_candles);
        else minute_buckets(market, day, unit.minutes, now, day_candles);
        for (const SimCandle& c : day_candles) {
          if (c.start >= oldest && c.start < end) out.push_back(c);
        }
      }
      break;
    }
    case CandleKind::kDays: {
      int64_t day = std::max(floor_div(from + kDayMs - 1, kDayMs), first_day(market));
      double prev = close_before(market, day * kDayMs, now);
      for (; day * kDayMs < end; ++day) {
        if (auto s = day_summary(market, day, now)) {
          s->prev_close = std::isnan(prev) ? s->open : prev;
          prev = s->close;
          out.push_back(*s);
        }
      }
      break;
    }
    case CandleKind::kWeeks:
    case CandleKind::kMonths:
    case CandleKind::kYears: {
      Timestamp b = unit.floor(std::max(from, listed));
      if (b < from) b = unit.next(b);
      for (; b < end; b = unit.next(b)) {
        if (auto s = bucket(market, unit, b, now)) out.push_back(*s);
      }
      break;
    }
  }
  return out;
}

Result<CandleSeries> Exchange::truth(std::string_view code, CandleUnit unit, TimeRange r) const {
  int market = find(code);
  if (market < 0) return Status::not_found("no market '" + std::string(code) + "' in the simulator");
  CandleSeries series;
  for (const SimCandle& c : range(market, unit, r.from, r.to, now())) series.push_back(c.to_candle());
  return series;
}

std::vector<Trade> Exchange::trades(int market, Timestamp after, Timestamp until, Timestamp now, size_t limit) const {
  std::vector<Trade> out;
  if (market < 0 || size_t(market) >= markets_.size()) return out;
  until = std::min(until, now);
  if (until <= after) return out;
  MarketStream stream{&markets_[market], seed_, market};
  std::vector<Trade> minute_trades;
  const Timestamp from_minute = floor_div(after + 1, kMinuteMs) * kMinuteMs;
  for (int64_t day = std::max(floor_div(after + 1, kDayMs), first_day(market)); day * kDayMs <= until; ++day) {
    DayView v = view(market, day, now);
    if (!v.day) continue;
    for (const MinuteBar& b : v.day->bars) {
      Timestamp start = day * kDayMs + int64_t(b.minute) * kMinuteMs;
      if (start < from_minute) continue;
      if (start > until) break;
      minute_trades.clear();
      generate_minute_trades(stream, day, b, minute_trades);
      for (const Trade& t : minute_trades) {
        if (t.time > after && t.time <= until) out.push_back(t);
      }
      if (out.size() >= limit) {
        out.resize(limit);
        return out;
      }
    }
  }
  return out;
}

std::optional<Trade> Exchange::last_trade(int market, Timestamp now) const {
  if (market < 0 || size_t(market) >= markets_.size()) return std::nullopt;
  MarketStream stream{&markets_[market], seed_, market};
  for (int64_t day = floor_div(now, kDayMs); day >= first_day(market); --day) {
    DayView v = view(market, day, now);
    if (v.size() == 0) continue;
    const MinuteBar& bar = v.day->bars[v.partial ? v.closed : v.closed - 1];
    auto& trades = scratch_trades();
    generate_minute_trades(stream, day, bar, trades);
    std::optional<Trade> last;
    for (const Trade& t : trades) {
      if (t.time <= now) last = t;
    }
    if (last) return last;
  }
  return std::nullopt;
}

Ticker Exchange::ticker(int market, Timestamp now) const {
  Ticker t;
  auto last = last_trade(market, now);
  if (!last) return t;
  t.has_trade = true;
  t.last = *last;
  const int64_t today = floor_div(now, kDayMs);
  double prev = close_before(market, today * kDayMs, now);
  auto day = day_summary(market, today, now);
  if (day) {
    t.today = *day;
  } else {
    // No trade yet today: Upbit keeps yesterday's close as today's open.
    t.today.start = today * kDayMs;
    t.today.open = t.today.high = t.today.low = t.today.close = prev;
  }
  t.prev_close = std::isnan(prev) ? t.today.open : prev;

  // 24 h window (now - 24h, now]: whole minutes after the boundary, the boundary minute by trades.
  const Timestamp cut = now - kDayMs;
  for (int64_t d = std::max(floor_div(cut, kDayMs), first_day(market)); d <= today; ++d) {
    DayView v = view(market, d, now);
    for (size_t i = 0; i < v.size(); ++i) {
      SimCandle c = v.at(i);
      if (c.start + kMinuteMs <= cut) continue;
      if (c.start > cut) {
        t.volume_24h_q += c.volume_q;
        t.value_24h_q += c.value_q;
      } else {
        for (const Trade& tr : trades(market, cut, c.start + kMinuteMs - 1, now)) {
          t.volume_24h_q += tr.volume_q;
          t.value_24h_q += tr.value_q;
        }
      }
    }
  }

  // 52 weeks of UTC days, today included.
  bool any = false;
  for (int64_t d = std::max(today - 363, first_day(market)); d <= today; ++d) {
    auto s = day_summary(market, d, now);
    if (!s) continue;
    if (!any || s->high > t.high_52w) { t.high_52w = s->high; t.high_52w_day = d; }
    if (!any || s->low < t.low_52w) { t.low_52w = s->low; t.low_52w_day = d; }
    any = true;
  }
  return t;
}

}  // namespace ck::sim
