// candlekeep stats: what each tier holds and how it has served, and per market what is stored.
// L3 is flushed and compacted first, so l3_bytes is what the candles occupy at rest.
#include <nlohmann/json.hpp>

#include "tools/candlekeep/command.h"
#include "tools/candlekeep/engine_flags.h"

namespace ck::cli {
namespace {

constexpr const char* kName = "stats";

nlohmann::ordered_json tier_json(const TierCounters& t) {
  return {{"entries", t.entries}, {"bytes", t.bytes}, {"hits", t.hits}, {"misses", t.misses}, {"evictions", t.evictions}};
}

int run_stats(const std::vector<std::string>& args) {
  auto flags = Flags::parse(args, {"data", "format"});
  if (!flags) return usage_error(kName, flags.status().message());
  if (!flags->has("data")) return usage_error(kName, "missing required flag --data");
  auto format = parse_format(*flags, {"table", "json"});
  if (!format) return usage_error(kName, format.status().message());
  auto engine = open_engine(*flags);
  if (!engine) return failure(kName, engine.status().message());
  TieredStore& store = (*engine)->store();
  Status st = store.l3().flush_and_compact();
  if (!st) return failure(kName, st.message());

  StoreStats s = store.stats();
  nlohmann::ordered_json out;
  out["tiers"] = {{"l1", tier_json(s.l1)}, {"l2", tier_json(s.l2)}, {"l3", tier_json(s.l3)}};
  out["markets"] = nlohmann::ordered_json::array();
  for (const MarketInfo& m : store.markets()) {
    auto ms = store.l3().market_stats(m.id);
    if (!ms) return failure(kName, ms.status().message());
    auto cov = store.l3().coverage(m.id);
    if (!cov) return failure(kName, cov.status().message());
    nlohmann::ordered_json covered = nlohmann::ordered_json::array();
    for (const TimeRange& r : cov->ranges()) covered.push_back({r.from, r.to});
    double per = ms->candles ? double(ms->l3_bytes) / double(ms->candles) : 0.0;
    out["markets"].push_back({{"market", m.name},
                              {"candles", ms->candles},
                              {"l3_bytes", ms->l3_bytes},
                              {"bytes_per_candle", per},
                              {"covered", covered}});
  }
  if (*format == "json") {
    print(out.dump() + "\n");
    return kExitOk;
  }
  std::string text = "tier  entries        bytes       hits     misses  evictions\n";
  char line[256];
  for (const char* t : {"l1", "l2", "l3"}) {
    const auto& j = out["tiers"][t];
    std::snprintf(line, sizeof line, "%-4s %8llu %12llu %10llu %10llu %10llu\n", t,
                  (unsigned long long)j["entries"], (unsigned long long)j["bytes"], (unsigned long long)j["hits"],
                  (unsigned long long)j["misses"], (unsigned long long)j["evictions"]);
    text += line;
  }
  text += "\nmarket               candles     l3_bytes  bytes/candle  covered\n";
  for (const auto& m : out["markets"]) {
    std::string cov;
    for (const auto& r : m["covered"]) {
      if (!cov.empty()) cov += ", ";
      cov += TimeRange{r[0].get<Timestamp>(), r[1].get<Timestamp>()}.to_string();
    }
    std::snprintf(line, sizeof line, "%-16s %11llu %12llu %13.2f  ", m["market"].get<std::string>().c_str(),
                  (unsigned long long)m["candles"], (unsigned long long)m["l3_bytes"], m["bytes_per_candle"].get<double>());
    text += line + cov + "\n";
  }
  print(text);
  return kExitOk;
}

}  // namespace

CK_REGISTER_COMMAND(stats, kName, "stats --data DIR [--format table|json]", run_stats);

}  // namespace ck::cli
