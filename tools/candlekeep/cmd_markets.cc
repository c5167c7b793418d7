// candlekeep markets: the markets an exchange lists (GET /v1/market/all).
#include <nlohmann/json.hpp>

#include "collection/upbit_source.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "markets";

int run_markets(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"exchange-url", "format"});
  if (!flags) return usage_error(kName, flags.status().message());
  auto format = parse_format(*flags, {"table", "json"});
  if (!format) return usage_error(kName, format.status().message());
  UpbitSource source(UpbitSourceOptions{flags->get_or("exchange-url", "https://api.upbit.com"), {}});
  auto markets = source.markets();
  if (!markets) return failure(kName, markets.status().message());
  if (*format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& m : *markets) {
      out.push_back({{"market", m.market}, {"korean_name", m.korean_name}, {"english_name", m.english_name}});
    }
    print(out.dump() + "\n");
    return kExitOk;
  }
  std::string text;
  for (const auto& m : *markets) text += m.market + "\t" + m.english_name + "\n";
  print(text);
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(markets, kName, "markets [--exchange-url URL] [--format table|json]", run_markets);

}  // namespace ck::cli
