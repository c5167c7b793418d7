// candlekeep resample: aggregates a file of 1-minute candles into one timeframe, as CSV.
#include <cstdio>

#include "timeframe/aggregate.h"
#include "timeframe/candle_csv.h"
#include "timeframe/candle_file.h"
#include "tools/candlekeep/command.h"
#include "tools/candlekeep/flags.h"
#include "tools/candlekeep/output_file.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "resample";

int run_resample(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"input", "timeframe", "origin", "fill", "output"});
  if (!flags) return usage_error(kName, flags.status().message());
  auto input = flags->require("input");
  if (!input) return usage_error(kName, input.status().message());
  auto tf_text = flags->require("timeframe");
  if (!tf_text) return usage_error(kName, tf_text.status().message());
  auto tf = Timeframe::parse(*tf_text);
  if (!tf) return usage_error(kName, tf.status().message());

  AggregateOptions options;
  if (auto origin = flags->get("origin")) {
    auto o = parse_day_origin(*origin);
    if (!o) return usage_error(kName, o.status().message());
    options.day_origin_ms = *o;
  }
  auto fill = parse_fill(flags->get_or("fill", "none"));
  if (!fill) return usage_error(kName, fill.status().message());
  options.fill = *fill;

  auto minutes = read_candle_file(*input, kMinuteMs);
  if (!minutes) return usage_error(kName, minutes.status().message());
  auto result = aggregate(*minutes, *tf, options);
  if (!result) return usage_error(kName, *input + ": " + result.status().message());

  std::string csv = candles_to_csv(result->candles, result->last_closed);
  if (auto out = flags->get("output")) {
    Status st = write_file_atomically(*out, csv);
    if (!st) return failure(kName, st.message());
  } else {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  }
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(resample, kName,
                    "resample --input FILE --timeframe TF [--origin HH:MMZ] [--fill none|ffill] [--output FILE]",
                    run_resample);

}  // namespace ck::cli
