#include "tools/sim/sim_stats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ck::sim {
namespace {

TEST(SimStats, JsonHasExactlyTheIssuesShape) {
  SimStats s;
  s.count_request("/v1/candles/minutes/1");
  s.count_request("/v1/candles/minutes/1");
  s.count_status(200);
  s.count_status(429);
  s.count_violation();
  s.count_fault(kFault5xx);
  s.add_candles(200);
  auto j = nlohmann::json::parse(s.snapshot().to_json());
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"candles_served", "faults", "rate_limit_violations", "requests", "status"}));
  EXPECT_EQ(j["requests"]["/v1/candles/minutes/1"], 2);
  EXPECT_EQ(j["status"]["200"], 1);
  EXPECT_EQ(j["status"]["429"], 1);
  EXPECT_EQ(j["rate_limit_violations"], 1);
  EXPECT_EQ(j["faults"]["5xx"], 1);
  EXPECT_EQ(j["faults"]["reset"], 0);  // every kind is listed
  EXPECT_EQ(j["candles_served"], 200);
}

TEST(SimStats, CapsTheNumberOfDistinctPaths) {
  SimStats s;
  for (int i = 0; i < 1100; ++i) s.count_request("/junk/" + std::to_string(i));
  auto snap = s.snapshot();
  EXPECT_LE(snap.requests.size(), 1001u);
  EXPECT_EQ(snap.request_count("(other)"), 100u);
}

TEST(SimStats, ResetStartsOver) {
  SimStats s;
  s.count_status(200);
  s.reset();
  EXPECT_EQ(s.snapshot().status_count(200), 0u);
}

}  // namespace
}  // namespace ck::sim
