#pragma once
// ExportJobs: backtest exports (engine/export.h) run as jobs on one background worker thread, for
// POST /v1/exports. A job is PENDING until the worker takes it, RUNNING while export_candles works
// (with its progress), then SUCCEEDED or FAILED (with the error). Each job writes into its own
// directory <root>/<job id>/, so a client never names a path: exports stay under the data
// directory. Jobs are remembered in memory for the life of the server (the newest `max_kept`).
//
// Thread-safe. stop() (and destruction) cancels the running job (export_candles then removes what
// it wrote), fails the pending ones, and joins the worker.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/export.h"

namespace ck::http {

enum class ExportJobState : uint8_t { kPending, kRunning, kSucceeded, kFailed };
// "PENDING", "RUNNING", "SUCCEEDED", "FAILED".
std::string_view export_job_state_name(ExportJobState state);

struct ExportJobInfo {
  std::string id;
  uint64_t seq = 0;               // submission order
  ExportJobState state = ExportJobState::kPending;
  ExportRequest request;          // as run (out_dir set, cancel not shared)
  Timestamp created_at = 0;       // the engine clock's now; started/finished are 0 until then
  Timestamp started_at = 0;
  Timestamp finished_at = 0;
  ExportProgress progress;
  bool has_progress = false;      // export_candles reported progress at least once
  Status error;                   // why it FAILED
  size_t files = 0, rows = 0;     // what a SUCCEEDED job wrote

  // {"job_id", "status", "progress": {"stage": "waiting"|"starting"|"fetching"|"writing"|"done", ...}, "created_at", "started_at", "finished_at", "request": {...},
  //  "files", "rows", "manifest" (SUCCEEDED), "error": {"name", "message"} (FAILED)}, on one line
  //  without a trailing newline.
  std::string to_json() const;
};

struct ExportJobsOptions {
  std::string root;         // required: jobs write to <root>/<id>/ (created on demand)
  size_t max_pending = 64;  // submissions beyond this many PENDING jobs are ResourceExhausted
  size_t max_kept = 1000;   // finished jobs remembered; the oldest finished are forgotten first
};

class ExportJobs {
 public:
  ExportJobs(Engine& engine, ExportJobsOptions options);
  ~ExportJobs();
  // Cancels the running job, fails the pending ones, joins the worker; later submissions are
  // Unavailable. Idempotent.
  void stop();
  ExportJobs(const ExportJobs&) = delete;
  ExportJobs& operator=(const ExportJobs&) = delete;

  // Queues `request` (its out_dir, overwrite and cancel are set here) and returns the PENDING job.
  // Errors: ResourceExhausted when too many jobs wait.
  Result<ExportJobInfo> submit(ExportRequest request);
  // The job as it stands now; nullopt for an id never given (or forgotten).
  std::optional<ExportJobInfo> find(const std::string& id) const;
  // manifest.json of a SUCCEEDED job, as written. Errors: NotFound (no such job, or its files were
  // removed), FailedPrecondition (PENDING or RUNNING), the job's own error when it FAILED.
  Result<std::string> manifest(const std::string& id) const;
  // Every remembered job, oldest first.
  std::vector<ExportJobInfo> list() const;
  // How many remembered jobs are in `state`.
  size_t count(ExportJobState state) const;

 private:
  struct Job;
  void work();
  std::string new_id();  // REQUIRES: mu_ held

  Engine& engine_;
  ExportJobsOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;     // PENDING, in submission order
  std::deque<std::string> finished_order_;     // for forgetting the oldest
  uint64_t seq_ = 0;
  uint64_t id_salt_ = 0;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};            // cancels the running export on shutdown
  std::mutex join_mu_;  // stop() may be called from two threads
  std::thread worker_;
};

}  // namespace ck::http
