// The writer process of crash_test.cc: `cache_crash_writer DB_DIR SEED FIRST_INDEX` writes the
// workload's batches FIRST_INDEX, FIRST_INDEX + 1, ... to a RocksTier, one write_minutes() each,
// and after each acknowledged write prints the batch index on a line of its own (unbuffered), until
// it is killed. Exit status 1 (and a message on stderr) if a write fails.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cache/rocks_tier.h"
#include "tests/cache/crash_workload.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: cache_crash_writer DB_DIR SEED FIRST_INDEX\n");
    return 2;
  }
  const uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  const uint64_t first = std::strtoull(argv[3], nullptr, 10);
  ck::RocksTierOptions options;
  options.path = argv[1];
  auto tier = ck::RocksTier::open(options);
  if (!tier) {
    std::fprintf(stderr, "crash writer: %s\n", tier.status().to_string().c_str());
    return 1;
  }
  uint32_t ids[ck::crash::kMarkets];
  for (int m = 0; m < ck::crash::kMarkets; ++m) {
    auto id = (*tier)->market_id(ck::crash::market_name(m), true);
    if (!id) {
      std::fprintf(stderr, "crash writer: %s\n", id.status().to_string().c_str());
      return 1;
    }
    ids[m] = *id;
  }
  for (uint64_t i = first; i < first + 100'000; ++i) {
    ck::crash::Batch b = ck::crash::make_batch(seed, i);
    ck::Status st = (*tier)->write_minutes(ids[b.market], b.minutes, {b.covered});
    if (!st.is_ok()) {
      std::fprintf(stderr, "crash writer: batch %llu: %s\n", (unsigned long long)i, st.to_string().c_str());
      return 1;
    }
    std::string line = std::to_string(i) + "\n";
    if (::write(1, line.data(), line.size()) != ssize_t(line.size())) return 1;
  }
  return 0;
}
