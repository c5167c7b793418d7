// candlekeep import: stores a file of 1-minute candles and marks its span as covered.
#include <spdlog/spdlog.h>

#include "timeframe/candle_file.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "import";

int run_import(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"data", "market", "input"});
  if (!flags) return usage_error(kName, flags.status().message());
  auto market = flags->require("market");
  if (!market) return usage_error(kName, market.status().message());
  auto input = flags->require("input");
  if (!input) return usage_error(kName, input.status().message());
  if (!flags->has("data")) return usage_error(kName, "missing required flag --data");
  // Read and check the whole file before touching the store: bad input stores nothing.
  auto minutes = read_candle_file(*input, kMinuteMs);
  if (!minutes) return usage_error(kName, minutes.status().message());
  auto engine = open_engine(*flags);
  if (!engine) return failure(kName, engine.status().message());
  TimeRange span{minutes->time().front(), minutes->time().back() + kMinuteMs};
  Status st = (*engine)->store().write_minutes(*market, *minutes, {span});
  if (!st) return failure(kName, st.message());
  std::fprintf(stderr, "imported %zu candles of %s covering %s\n", minutes->size(), market->c_str(),
               span.to_string().c_str());
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(import, kName, "import --data DIR --market NAME --input FILE", run_import);

}  // namespace ck::cli
