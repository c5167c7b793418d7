#include "engine/export.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <future>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/npy_writer.h"
#include "engine/version.h"
#include "timeframe/candle_csv.h"

namespace ck {
namespace {

namespace fs = std::filesystem;

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

// A name that is safe as one path component and cannot collide with our hidden temp files.
bool is_plain_file_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

std::string errno_text() { return std::strerror(errno); }

// Creates `path` and writes `content` to it; returns the open descriptor (not yet synced).
Result<int> write_new_file(const std::string& path, std::string_view content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error(path + ": cannot create: " + errno_text());
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Status::io_error(path + ": write failed: " + errno_text());
      ::close(fd);
      return st;
    }
    done += size_t(n);
  }
  return fd;
}

// Durable before it is renamed into place: a crash never shows a renamed file with missing bytes.
Status sync_and_close(int fd, const std::string& path) {
  if (::fsync(fd) != 0) {
    Status st = Status::io_error(path + ": fsync failed: " + errno_text());
    ::close(fd);
    return st;
  }
  if (::close(fd) != 0) return Status::io_error(path + ": close failed: " + errno_text());
  return Status::ok();
}

// The output directory of one export: files are staged under hidden temporary names and renamed
// into place only by commit(). Destroyed without a commit (an error, a cancel), it removes
// everything it wrote and the directories it created.
class StagedDirectory {
 public:
  StagedDirectory() = default;
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;
  ~StagedDirectory() { roll_back(); }

  Status open(const std::string& dir, bool overwrite) {
    fs::path p = fs::path(dir).lexically_normal();
    if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();  // "out/" -> "out"
    dir_ = p.string();
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st)) return Status::invalid_argument("output path " + dir_ + " exists and is not a directory");
      if (::access(dir_.c_str(), W_OK) != 0) {
        return Status::invalid_argument("output directory " + dir_ + " is not writable: " + errno_text());
      }
      fs::directory_iterator it(p, ec);
      if (ec) return Status::invalid_argument("cannot list output directory " + dir_ + ": " + ec.message());
      if (it != fs::directory_iterator() && !overwrite) {
        return Status::already_exists("output directory " + dir_ + " is not empty");
      }
      if (overwrite) read_previous_manifest();
      return Status::ok();
    }
    // Create it and any missing parents, remembering which, so a failed export can remove them.
    std::vector<fs::path> missing;
    for (fs::path q = p; !q.empty(); q = q.parent_path()) {
      if (fs::exists(fs::status(q, ec))) break;
      missing.push_back(q);
      if (q == q.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      if (::mkdir(it->c_str(), 0755) != 0) {
        return Status::invalid_argument("cannot create output directory " + dir_ + ": " + it->string() + ": " +
                                        errno_text());
      }
      created_.push_back(*it);
    }
    return Status::ok();
  }

  const std::string& path() const { return dir_; }

  Status stage(const std::string& name, std::string_view content) {
    static std::atomic<uint64_t> counter{0};
    std::string tmp = dir_ + "/." + name + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    auto fd = write_new_file(tmp, content);
    if (!fd) {
      ::unlink(tmp.c_str());
      return fd.status();
    }
    staged_.push_back({tmp, name});
    // The fsync waits on the disk: it runs in the background, overlapping the next file's read and
    // encoding; a few at once let the filesystem batch them into one journal commit.
    syncing_.push_back(std::async(std::launch::async, [fd = *fd, tmp] { return sync_and_close(fd, tmp); }));
    if (syncing_.size() > kMaxSyncing) {
      Status st = syncing_.front().get();
      syncing_.pop_front();
      CK_RETURN_IF_ERROR(st);
    }
    return Status::ok();
  }

  // Renames the staged files into place, then writes `manifest` as manifest.json (last), syncs the
  // directory, and removes the files only the previous manifest listed.
  Status commit(std::string_view manifest) {
    CK_RETURN_IF_ERROR(stage(kExportManifestName, manifest));
    CK_RETURN_IF_ERROR(wait_synced());
    std::string manifest_path = dir_ + "/" + kExportManifestName;
    // The old manifest goes first: while files are being replaced, the directory must not claim
    // to hold a finished export.
    if (::unlink(manifest_path.c_str()) != 0 && errno != ENOENT) {
      return Status::io_error(manifest_path + ": cannot remove the previous manifest: " + errno_text());
    }
    for (auto& [tmp, name] : staged_) {
      std::string final_path = dir_ + "/" + name;
      if (std::rename(tmp.c_str(), final_path.c_str()) != 0) {
        return Status::io_error(final_path + ": rename failed: " + errno_text());
      }
      renamed_.push_back(final_path);
      tmp.clear();
    }
    int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);  // makes the renames durable; best effort (some filesystems refuse)
      ::close(dfd);
    }
    committed_ = true;
    std::set<std::string> written;
    for (auto& s : staged_) written.insert(s.second);
    for (const auto& name : previous_) {
      if (written.count(name)) continue;
      std::string stale = dir_ + "/" + name;
      if (::unlink(stale.c_str()) != 0 && errno != ENOENT) {
        spdlog::warn("export: could not remove stale file {}: {}", stale, errno_text());
      }
    }
    return Status::ok();
  }

 private:
  void read_previous_manifest() {
    std::string path = dir_ + "/" + kExportManifestName;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return;
    std::string text;
    char buf[8192];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("files") || !j["files"].is_array()) return;
    for (const auto& file : j["files"]) {
      if (!file.is_object() || !file.contains("name") || !file["name"].is_string()) continue;
      std::string name = file["name"].get<std::string>();
      // Only names an export could have written: never a path outside the directory.
      if (is_plain_file_name(name) && name != kExportManifestName) previous_.push_back(name);
    }
  }

  // Waits for every background fsync; the first error, if any.
  Status wait_synced() {
    Status first;
    for (; !syncing_.empty(); syncing_.pop_front()) {
      Status st = syncing_.front().get();
      if (first.is_ok() && !st.is_ok()) first = st;
    }
    return first;
  }

  void roll_back() {
    (void)wait_synced();  // no descriptor may outlive its file
    if (committed_) return;
    for (auto& [tmp, name] : staged_) {
      if (!tmp.empty()) ::unlink(tmp.c_str());
    }
    for (const auto& p : renamed_) ::unlink(p.c_str());
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::rmdir(it->c_str());
  }

  std::string dir_;
  std::vector<fs::path> created_;                          // outermost first
  std::vector<std::pair<std::string, std::string>> staged_;  // temp path ("" once renamed), final name
  std::vector<std::string> renamed_;
  std::vector<std::string> previous_;  // names the previous manifest listed
  static constexpr size_t kMaxSyncing = 8;
  std::deque<std::future<Status>> syncing_;  // background fsync + close of staged files
  bool committed_ = false;
};

Status check_request(const ExportRequest& r) {
  if (r.markets.empty()) return Status::invalid_argument("no markets to export");
  if (r.timeframes.empty()) return Status::invalid_argument("no timeframes to export");
  if (r.range.empty()) {
    return Status::invalid_argument("from " + format_timestamp(r.range.from) + " is not before to " +
                                    format_timestamp(r.range.to));
  }
  if (r.out_dir.empty()) return Status::invalid_argument("no output directory given");
  for (const auto& m : r.markets) {
    if (!is_plain_file_name(m)) {
      return Status::invalid_argument("market name '" + m +
                                      "' cannot be used in a file name (letters, digits, '-', '_', '.' only)");
    }
  }
  return Status::ok();
}

template <typename T>
std::vector<T> without_duplicates(const std::vector<T>& items) {
  std::vector<T> out;
  for (const auto& x : items) {
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
  return out;
}

// The 1-minute span behind every bucket that opens in the range, over all timeframes.
TimeRange minute_span(const std::vector<Timeframe>& timeframes, TimeRange range, int64_t day_origin_ms) {
  TimeRange span{range.from, range.from};
  bool first = true;
  for (const Timeframe& tf : timeframes) {
    TimeGrid grid = tf.grid(day_origin_ms);
    TimeRange r{grid.ceil(range.from), grid.floor(range.to - 1) + grid.length};
    if (r.empty()) continue;
    span = first ? r : TimeRange{std::min(span.from, r.from), std::max(span.to, r.to)};
    first = false;
  }
  return span;
}

bool cancelled(const ExportRequest& r) { return r.cancel && r.cancel->load(); }

Status fetch_missing(Engine& engine, const ExportRequest& r, const std::vector<std::string>& markets,
                     const std::vector<Timeframe>& timeframes, const ExportProgressFn& on_progress) {
  TimeRange span = minute_span(timeframes, r.range, r.day_origin_ms);
  if (span.empty()) return Status::ok();
  SyncOptions so;
  so.cancel = r.cancel;
  if (on_progress) {
    so.on_progress = [&](const SyncProgress& p) {
      ExportProgress e;
      e.stage = ExportProgress::Stage::kFetching;
      e.sync = p;
      on_progress(e);
    };
  }
  CK_ASSIGN_OR_RETURN(RunRecord run, engine.sync(markets, span, so));
  if (run.cancelled || cancelled(r)) return Status::cancelled("export cancelled while fetching");
  if (!run.error.empty()) return Status::unavailable("fetching the missing candles failed: " + run.error);
  // A backtest must not silently get a hole where a page could not be fetched. What did arrive is
  // stored, so a retry fetches only the rest.
  if (run.failed_pages > 0) {
    std::string detail;
    for (const auto& issue : run.issues) {
      if (issue.code == "PAGE_FAILED") {
        detail = ": " + issue.market + ": " + issue.detail;
        break;
      }
    }
    return Status::unavailable("fetching the missing candles failed: " + std::to_string(run.failed_pages) +
                               " pages could not be fetched" + detail + "; try again later");
  }
  return Status::ok();
}

}  // namespace

Result<ExportFormat> parse_export_format(std::string_view text) {
  if (text == "csv") return ExportFormat::kCsv;
  if (text == "npy") return ExportFormat::kNpy;
  return Status::invalid_argument("bad export format '" + std::string(text) + "'; accepted: csv, npy");
}

std::string_view export_format_name(ExportFormat format) { return format == ExportFormat::kNpy ? "npy" : "csv"; }

std::string export_file_name(const std::string& market, Timeframe timeframe, ExportFormat format) {
  return market + "_" + timeframe.to_string() + "." + std::string(export_format_name(format));
}

std::string ExportManifest::to_json() const {
  using Json = nlohmann::ordered_json;
  Json j;
  j["markets"] = markets;
  Json tfs = Json::array();
  for (const auto& tf : timeframes) tfs.push_back(tf.to_string());
  j["timeframes"] = tfs;
  j["from"] = format_timestamp(range.from);
  j["to"] = format_timestamp(range.to);
  j["origin"] = format_day_origin(day_origin_ms);
  j["format"] = export_format_name(format);
  j["engine_version"] = engine_version;
  j["created_at"] = format_timestamp(created_at);
  Json list = Json::array();
  for (const auto& f : files) {
    Json e;
    e["name"] = f.name;
    e["market"] = f.market;
    e["timeframe"] = f.timeframe.to_string();
    e["rows"] = f.rows;
    e["first"] = f.first ? Json(format_timestamp(*f.first)) : Json(nullptr);
    e["last"] = f.last ? Json(format_timestamp(*f.last)) : Json(nullptr);
    e["sha256"] = f.sha256;
    list.push_back(std::move(e));
  }
  j["files"] = std::move(list);
  return j.dump(2) + "\n";
}

Result<ExportManifest> export_candles(Engine& engine, const ExportRequest& request, const ExportProgressFn& on_progress) {
  CK_RETURN_IF_ERROR(check_request(request));
  ExportManifest manifest;
  manifest.markets = without_duplicates(request.markets);
  manifest.timeframes = without_duplicates(request.timeframes);
  manifest.range = request.range;
  manifest.day_origin_ms = request.day_origin_ms;
  manifest.format = request.format;
  manifest.engine_version = std::string(engine_version());

  // Cheap refusals first, before anything is created or fetched.
  if (!request.fetch_missing) {
    for (const auto& m : manifest.markets) {
      auto id = engine.store().market_id(m, false);
      if (!id) return Status::not_found("market " + m + " is not stored");
    }
  }
  StagedDirectory out;
  CK_RETURN_IF_ERROR(out.open(request.out_dir, request.overwrite));
  if (request.fetch_missing) {
    CK_RETURN_IF_ERROR(fetch_missing(engine, request, manifest.markets, manifest.timeframes, on_progress));
  }

  const Timestamp now = engine.options().clock->now_ms();
  ReadOptions ro;
  ro.closed_only = true;
  ro.day_origin_ms = request.day_origin_ms;
  ExportProgress progress;
  progress.files_total = manifest.markets.size() * manifest.timeframes.size();
  for (const auto& market : manifest.markets) {
    for (const Timeframe& tf : manifest.timeframes) {
      if (cancelled(request)) return Status::cancelled("export cancelled");
      auto read = engine.get(market, tf, request.range, ro);
      if (!read) return read.status().with_context("reading " + market + " " + tf.to_string());
      const CandleSeries& c = read->candles;
      std::string content = request.format == ExportFormat::kNpy ? candles_to_npy(c) : candles_to_csv(c, true);
      ExportFile file;
      file.name = export_file_name(market, tf, request.format);
      file.market = market;
      file.timeframe = tf;
      file.rows = c.size();
      if (!c.empty()) {
        file.first = c.time().front();
        file.last = c.time().back();
      }
      file.sha256 = sha256_hex(content);
      file.bytes = content.size();
      // Minutes that cannot have been collected yet (after "now") are not missing.
      for (const TimeRange& m : read->missing) {
        TimeRange past = m.intersect({m.from, now});
        if (!past.empty()) file.missing.push_back(past);
      }
      CK_RETURN_IF_ERROR(out.stage(file.name, content));
      manifest.files.push_back(std::move(file));
      ++progress.files_done;
      if (on_progress) on_progress(progress);
    }
  }
  if (cancelled(request)) return Status::cancelled("export cancelled");
  manifest.created_at = engine.options().clock->now_ms();
  CK_RETURN_IF_ERROR(out.commit(manifest.to_json()));
  return manifest;
}

}  // namespace ck
