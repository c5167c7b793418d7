#include "tools/sim/market.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "tools/sim/random.h"

namespace ck::sim {
namespace {

struct KnownMarket {
  const char* base;
  const char* korean;
  const char* english;
  double price;
};

// Real Upbit KRW markets with rough 2025 price levels; only the codes and names matter to clients.
constexpr KnownMarket kKnown[] = {
    {"BTC", "비트코인", "Bitcoin", 160'000'000},   {"ETH", "이더리움", "Ethereum", 5'500'000},
    {"XRP", "리플", "XRP", 4'300},                 {"SOL", "솔라나", "Solana", 280'000},
    {"DOGE", "도지코인", "Dogecoin", 330},          {"ADA", "에이다", "Cardano", 1'100},
    {"TRX", "트론", "TRON", 480},                   {"AVAX", "아발란체", "Avalanche", 40'000},
    {"LINK", "체인링크", "Chainlink", 30'000},      {"DOT", "폴카닷", "Polkadot", 6'000},
    {"BCH", "비트코인캐시", "Bitcoin Cash", 800'000}, {"ETC", "이더리움클래식", "Ethereum Classic", 30'000},
    {"XLM", "스텔라루멘", "Stellar Lumens", 600},    {"SUI", "수이", "Sui", 5'000},
    {"HBAR", "헤데라", "Hedera", 350},              {"NEAR", "니어프로토콜", "NEAR Protocol", 4'000},
    {"APT", "앱토스", "Aptos", 7'000},              {"ATOM", "코스모스", "Cosmos", 6'500},
    {"SAND", "샌드박스", "The Sandbox", 400},       {"POL", "폴리곤 에코시스템 토큰", "POL (ex-MATIC)", 350},
};
constexpr int kKnownCount = sizeof kKnown / sizeof kKnown[0];

// A pronounceable 4-letter code (consonant-vowel-consonant-vowel) from a number.
std::string generated_base(uint64_t n) {
  static constexpr char kC[] = "BCDFGHJKLMNPRSTVWZ";
  static constexpr char kV[] = "AEIOU";
  std::string s(4, ' ');
  s[0] = kC[n % 18]; n /= 18;
  s[1] = kV[n % 5];  n /= 5;
  s[2] = kC[n % 18]; n /= 18;
  s[3] = kV[n % 5];
  return s;
}

}  // namespace

std::vector<MarketSpec> make_markets(int count, uint64_t seed, int history_days, Timestamp now) {
  std::vector<MarketSpec> out;
  if (count <= 0) return out;
  out.reserve(count);
  Timestamp now_minute = floor_div(now, kMinuteMs) * kMinuteMs;
  std::set<std::string> used;
  for (int i = 0; i < kKnownCount; ++i) used.insert(kKnown[i].base);
  Rng names(stream_seed(seed, 0x4E414D45));  // "NAME"
  for (int i = 0; i < count; ++i) {
    Rng r(stream_seed(seed, 0x4D4B54, uint64_t(i)));  // "MKT"
    MarketSpec m;
    if (i < kKnownCount) {
      m.code = std::string("KRW-") + kKnown[i].base;
      m.korean_name = kKnown[i].korean;
      m.english_name = kKnown[i].english;
      m.base_price = kKnown[i].price;
    } else {
      std::string base;
      do base = generated_base(names.next()); while (!used.insert(base).second);
      m.code = "KRW-" + base;
      m.korean_name = "시뮬코인 " + base;
      m.english_name = "Simcoin " + base;
      // Log-uniform between 20 KRW and 200,000 KRW.
      m.base_price = 20.0 * std::pow(10.0, 4.0 * r.uniform());
    }
    m.daily_volatility = i == 0 ? 0.025 : 0.03 + 0.05 * r.uniform();
    if (i < 10) {
      m.active_share = 1.0;
      m.trades_per_active_minute = 5.0 - 0.3 * i;  // BTC 5 … 2.3 trades a minute
    } else {
      double decay = std::exp(-(i - 10) / 40.0);
      m.active_share = std::clamp(0.9 * decay * (0.8 + 0.4 * r.uniform()) + 0.02, 0.02, 0.95);
      m.trades_per_active_minute = 1.0 + 3.0 * decay;
    }
    // BTC ~1e7 KRW a trade (≈7e10 KRW a day, so a year of value stays far below 2^53/256); the
    // tail trades small tickets.
    m.notional_per_trade = i == 0 ? 1e7 : std::max(2e4, 5e6 * std::exp(-i / 25.0));
    int days = history_days;
    if (i >= 20) days = std::max(1, int(std::lround(history_days * (0.25 + 0.75 * r.uniform()))));
    m.listed_at = now_minute - int64_t(days) * kDayMs;
    m.warning = i >= 20 && r.uniform() < 0.05;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ck::sim
