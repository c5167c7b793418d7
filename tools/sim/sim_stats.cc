#include "tools/sim/sim_stats.h"

#include <nlohmann/json.hpp>

namespace ck::sim {

uint64_t StatsSnapshot::request_count(const std::string& path) const {
  auto it = requests.find(path);
  return it == requests.end() ? 0 : it->second;
}

uint64_t StatsSnapshot::status_count(int code) const {
  auto it = status.find(code);
  return it == status.end() ? 0 : it->second;
}

uint64_t StatsSnapshot::fault_count(std::string_view kind) const {
  auto it = faults.find(std::string(kind));
  return it == faults.end() ? 0 : it->second;
}

std::string StatsSnapshot::to_json() const {
  nlohmann::ordered_json j;
  j["requests"] = nlohmann::ordered_json::object();
  for (const auto& [path, n] : requests) j["requests"][path] = n;
  j["status"] = nlohmann::ordered_json::object();
  for (const auto& [code, n] : status) j["status"][std::to_string(code)] = n;
  j["rate_limit_violations"] = rate_limit_violations;
  j["faults"] = nlohmann::ordered_json::object();
  for (const auto& [kind, n] : faults) j["faults"][kind] = n;
  j["candles_served"] = candles_served;
  return j.dump();
}

SimStats::SimStats() { reset(); }

void SimStats::reset() {
  std::lock_guard lock(mu_);
  s_ = StatsSnapshot{};
  for (std::string_view k : {kFault5xx, kFaultMalformed, kFaultReset, kFaultLatency, kFault429Storm, kFaultWsDrop}) {
    s_.faults[std::string(k)] = 0;
  }
}

void SimStats::count_request(std::string_view path) {
  std::lock_guard lock(mu_);
  auto it = s_.requests.find(std::string(path));
  if (it != s_.requests.end()) {
    ++it->second;
  } else if (s_.requests.size() < kMaxPaths) {
    s_.requests.emplace(std::string(path), 1);
  } else {
    ++s_.requests["(other)"];
  }
}

void SimStats::count_status(int status) {
  std::lock_guard lock(mu_);
  ++s_.status[status];
}

void SimStats::count_violation() {
  std::lock_guard lock(mu_);
  ++s_.rate_limit_violations;
}

void SimStats::count_fault(std::string_view kind) {
  std::lock_guard lock(mu_);
  ++s_.faults[std::string(kind)];
}

void SimStats::add_candles(uint64_t n) {
  std::lock_guard lock(mu_);
  s_.candles_served += n;
}

StatsSnapshot SimStats::snapshot() const {
  std::lock_guard lock(mu_);
  return s_;
}

}  // namespace ck::sim
