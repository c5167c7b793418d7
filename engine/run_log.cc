#include "engine/run_log.h"

#include <nlohmann/json.hpp>

#include "cache/coding.h"

namespace ck {
namespace {

using nlohmann::json;

std::string run_key(int64_t id) {
  std::string k;
  coding::put_fixed64_be(k, uint64_t(id));
  return k;
}

nlohmann::ordered_json issue_to_json(const DataQualityIssue& i, int64_t run_id) {
  nlohmann::ordered_json j{{"run_id", run_id}};
  j.update(issue_json(i));
  return j;
}

Result<DataQualityIssue> issue_from_json(const json& j) {
  DataQualityIssue i;
  try {
    i.code = j.at("code").get<std::string>();
    i.severity = j.at("severity").get<std::string>() == "ERROR" ? Severity::kError : Severity::kWarn;
    i.market = j.at("market").get<std::string>();
    CK_ASSIGN_OR_RETURN(i.time, parse_timestamp(j.at("time").get<std::string>()));
    i.detail = j.at("detail").get<std::string>();
  } catch (const json::exception& e) {
    return Status::corruption(std::string("stored issue is malformed: ") + e.what());
  }
  return i;
}

}  // namespace

nlohmann::ordered_json run_json(const RunRecord& r) {
  return {{"id", r.id},
          {"started", format_timestamp(r.started)},
          {"finished", format_timestamp(r.finished)},
          {"status", std::string(run_status_name(r.status))},
          {"markets", r.markets},
          {"from", format_timestamp(r.range.from)},
          {"to", format_timestamp(r.range.to)},
          {"pages", r.pages},
          {"candles", r.candles},
          {"retries", r.retries},
          {"failed_pages", r.failed_pages},
          {"issues", r.issues.size()},
          {"cancelled", r.cancelled},
          {"error", r.error}};
}

nlohmann::ordered_json issue_json(const DataQualityIssue& i) {
  return {{"code", i.code},
          {"severity", std::string(severity_name(i.severity))},
          {"market", i.market},
          {"time", format_timestamp(i.time)},
          {"detail", i.detail}};
}

Status RunLog::append(RunRecord& r) {
  CK_ASSIGN_OR_RETURN(auto existing, l3_.scan_records(RecordFamily::kRuns, ""));
  r.id = 1;
  if (!existing.empty()) {
    const std::string& last = existing.back().first;
    if (last.size() == 8) r.id = int64_t(coding::load_fixed64_be(last.data())) + 1;
  }
  nlohmann::ordered_json j = run_json(r);
  for (size_t i = 0; i < r.issues.size(); ++i) {
    std::string key = run_key(r.id);
    coding::put_fixed64_be(key, uint64_t(i));
    CK_RETURN_IF_ERROR(l3_.put_record(RecordFamily::kIssues, key, issue_to_json(r.issues[i], r.id).dump()));
  }
  // The run goes last: a run that is listed has all its issues stored.
  return l3_.put_record(RecordFamily::kRuns, run_key(r.id), j.dump());
}

Result<std::vector<RunRecord>> RunLog::runs() {
  CK_ASSIGN_OR_RETURN(auto rows, l3_.scan_records(RecordFamily::kRuns, ""));
  std::vector<RunRecord> out;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    json j = json::parse(it->second, nullptr, false);
    if (j.is_discarded()) return Status::corruption("stored run record is not JSON");
    RunRecord r;
    try {
      r.id = j.at("id").get<int64_t>();
      CK_ASSIGN_OR_RETURN(r.started, parse_timestamp(j.at("started").get<std::string>()));
      CK_ASSIGN_OR_RETURN(r.finished, parse_timestamp(j.at("finished").get<std::string>()));
      r.markets = j.at("markets").get<std::vector<std::string>>();
      CK_ASSIGN_OR_RETURN(r.range.from, parse_timestamp(j.at("from").get<std::string>()));
      CK_ASSIGN_OR_RETURN(r.range.to, parse_timestamp(j.at("to").get<std::string>()));
      r.pages = j.at("pages").get<int64_t>();
      r.candles = j.at("candles").get<int64_t>();
      r.retries = j.at("retries").get<int64_t>();
      r.failed_pages = j.at("failed_pages").get<int64_t>();
      r.cancelled = j.at("cancelled").get<bool>();
      r.error = j.at("error").get<std::string>();
      CK_ASSIGN_OR_RETURN(r.status, parse_run_status(j.at("status").get<std::string>()));
    } catch (const json::exception& e) {
      return Status::corruption(std::string("stored run record is malformed: ") + e.what());
    }
    CK_ASSIGN_OR_RETURN(auto issues, l3_.scan_records(RecordFamily::kIssues, run_key(r.id)));
    for (auto& [k, v] : issues) {
      json ij = json::parse(v, nullptr, false);
      if (ij.is_discarded()) return Status::corruption("stored issue is not JSON");
      CK_ASSIGN_OR_RETURN(DataQualityIssue issue, issue_from_json(ij));
      r.issues.push_back(std::move(issue));
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<DataQualityIssue>> RunLog::issues() {
  CK_ASSIGN_OR_RETURN(auto rows, l3_.scan_records(RecordFamily::kIssues, ""));
  std::vector<DataQualityIssue> out;
  for (auto& [k, v] : rows) {
    json j = json::parse(v, nullptr, false);
    if (j.is_discarded()) return Status::corruption("stored issue is not JSON");
    CK_ASSIGN_OR_RETURN(DataQualityIssue i, issue_from_json(j));
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace ck
