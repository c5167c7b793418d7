#include "tools/http/export_jobs.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace ck::http {

namespace fs = std::filesystem;

struct ExportJobs::Job {
  ExportJobInfo info;  // guarded by ExportJobs::mu_
};

std::string_view export_job_state_name(ExportJobState state) {
  switch (state) {
    case ExportJobState::kPending: return "PENDING";
    case ExportJobState::kRunning: return "RUNNING";
    case ExportJobState::kSucceeded: return "SUCCEEDED";
    case ExportJobState::kFailed: return "FAILED";
  }
  return "UNKNOWN";
}

namespace {

nlohmann::ordered_json time_or_null(Timestamp t) {
  return t == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(format_timestamp(t));
}

}  // namespace

std::string ExportJobInfo::to_json() const {
  nlohmann::ordered_json j;
  j["job_id"] = id;
  j["status"] = export_job_state_name(state);
  nlohmann::ordered_json p;
  const char* stage = progress.stage == ExportProgress::Stage::kFetching ? "fetching" : "writing";
  if (state == ExportJobState::kPending) stage = "waiting";
  if (state == ExportJobState::kRunning && !has_progress) stage = "starting";
  if (state == ExportJobState::kSucceeded || state == ExportJobState::kFailed) stage = "done";
  p["stage"] = stage;
  p["files_done"] = progress.files_done;
  p["files_total"] = progress.files_total;
  p["markets_done"] = progress.sync.markets_done;
  p["markets_total"] = progress.sync.markets_total;
  p["pages"] = progress.sync.pages;
  p["candles"] = progress.sync.candles;
  j["progress"] = p;
  j["created_at"] = time_or_null(created_at);
  j["started_at"] = time_or_null(started_at);
  j["finished_at"] = time_or_null(finished_at);
  nlohmann::ordered_json tfs = nlohmann::ordered_json::array();
  for (const Timeframe& tf : request.timeframes) tfs.push_back(tf.to_string());
  j["request"] = {{"markets", request.markets},
                  {"timeframes", tfs},
                  {"from", format_timestamp(request.range.from)},
                  {"to", format_timestamp(request.range.to)},
                  {"origin", format_day_origin(request.day_origin_ms)},
                  {"format", export_format_name(request.format)},
                  {"fetch", request.fetch_missing}};
  if (state == ExportJobState::kSucceeded) {
    j["files"] = files;
    j["rows"] = rows;
    j["manifest"] = "/v1/exports/" + id + "/manifest";
  }
  if (state == ExportJobState::kFailed) {
    j["error"] = {{"name", status_code_name(error.code())}, {"message", error.message()}};
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ExportJobs::ExportJobs(Engine& engine, ExportJobsOptions options) : engine_(engine), options_(std::move(options)) {
  std::random_device rd;
  id_salt_ = (uint64_t(rd()) << 32) ^ rd();
  worker_ = std::thread([this] { work(); });
}

ExportJobs::~ExportJobs() { stop(); }

void ExportJobs::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cancel_ = true;
    for (auto& job : queue_) {
      job->info.state = ExportJobState::kFailed;
      job->info.error = Status::cancelled("the server stopped before the export started");
      job->info.finished_at = engine_.options().clock->now_ms();
    }
    queue_.clear();
  }
  cv_.notify_all();
  std::lock_guard join_lock(join_mu_);
  if (worker_.joinable()) worker_.join();
}

std::string ExportJobs::new_id() {
  // Unguessable enough that one client cannot trivially poll another's jobs, and unique within
  // the root (a leftover directory from an earlier run is never reused).
  std::mt19937_64 rng(id_salt_ ^ (++seq_ * 0x9e3779b97f4a7c15ULL));
  for (;;) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)rng());
    std::string id(buf);
    std::error_code ec;
    if (!jobs_.count(id) && !fs::exists(fs::path(options_.root) / id, ec)) return id;
  }
}

Result<ExportJobInfo> ExportJobs::submit(ExportRequest request) {
  std::lock_guard lock(mu_);
  if (stopping_) return Status::unavailable("the server is stopping");
  if (queue_.size() >= options_.max_pending) {
    return Status::resource_exhausted(std::to_string(queue_.size()) +
                                      " exports are waiting already; retry when one has finished");
  }
  auto job = std::make_shared<Job>();
  job->info.id = new_id();
  job->info.seq = seq_;
  request.out_dir = (fs::path(options_.root) / job->info.id).string();
  request.overwrite = false;
  request.cancel = nullptr;
  job->info.request = std::move(request);
  job->info.created_at = engine_.options().clock->now_ms();
  jobs_[job->info.id] = job;
  queue_.push_back(job);
  cv_.notify_one();
  return job->info;
}

std::optional<ExportJobInfo> ExportJobs::find(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second->info;
}

Result<std::string> ExportJobs::manifest(const std::string& id) const {
  auto info = find(id);
  if (!info) return Status::not_found("no export job '" + id + "'");
  switch (info->state) {
    case ExportJobState::kPending:
    case ExportJobState::kRunning:
      return Status::failed_precondition("export " + id + " is " + std::string(export_job_state_name(info->state)) +
                                         "; its manifest exists once it has SUCCEEDED");
    case ExportJobState::kFailed:
      return Status(info->error.code(), "export " + id + " FAILED: " + info->error.message());
    case ExportJobState::kSucceeded: break;
  }
  std::ifstream in(fs::path(info->request.out_dir) / kExportManifestName, std::ios::binary);
  if (!in) return Status::not_found("the files of export " + id + " were removed");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<ExportJobInfo> ExportJobs::list() const {
  std::lock_guard lock(mu_);
  std::vector<ExportJobInfo> out;
  for (const auto& [id, job] : jobs_) out.push_back(job->info);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
  return out;
}

size_t ExportJobs::count(ExportJobState state) const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [id, job] : jobs_) n += job->info.state == state;
  return n;
}

void ExportJobs::work() {
  for (;;) {
    std::shared_ptr<Job> job;
    ExportRequest request;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      job->info.state = ExportJobState::kRunning;
      job->info.started_at = engine_.options().clock->now_ms();
      request = job->info.request;
    }
    request.cancel = &cancel_;
    std::error_code ec;
    fs::create_directories(options_.root, ec);
    auto manifest = export_candles(engine_, request, [&](const ExportProgress& p) {
      std::lock_guard lock(mu_);
      job->info.progress = p;
      job->info.has_progress = true;
    });
    std::lock_guard lock(mu_);
    job->info.finished_at = engine_.options().clock->now_ms();
    if (manifest) {
      job->info.state = ExportJobState::kSucceeded;
      job->info.files = manifest->files.size();
      for (const ExportFile& f : manifest->files) job->info.rows += f.rows;
      job->info.progress.files_done = job->info.progress.files_total = manifest->files.size();
    } else {
      job->info.state = ExportJobState::kFailed;
      job->info.error = manifest.status();
      spdlog::warn("export {} failed: {}", job->info.id, manifest.status().to_string());
    }
    finished_order_.push_back(job->info.id);
    while (finished_order_.size() > options_.max_kept) {
      jobs_.erase(finished_order_.front());
      finished_order_.pop_front();
    }
  }
}

}  // namespace ck::http
