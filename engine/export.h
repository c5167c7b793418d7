#pragma once
// Backtest export: candles of several markets and timeframes written as files a backtest loads
// directly (CSV, or NumPy .npy), one file per market and timeframe, plus a manifest.json that
// says what each file holds and its SHA-256 — the same facts the user's KRX export API and
// feature cache publish. The CLI (`candlekeep export`) and the HTTP export job both call
// export_candles; docs/export.md is the user's page.
//
// Contract:
//   - Only closed candles: a last candle whose bucket is not fully collected is left out.
//   - Files are named "<market>_<timeframe>.<csv|npy>" (e.g. "KRW-BTC_15m.csv") directly inside
//     out_dir. CSV is exactly `candlekeep get`'s CSV (timeframe/candle_csv.h); npy is the
//     structured array of engine/npy_writer.h.
//   - out_dir is created (with its parents). An existing non-empty out_dir is refused
//     (AlreadyExists) unless `overwrite`; then files of the same name are replaced, and files the
//     previous manifest listed that this export does not write are removed.
//   - Every file is written under a temporary name, fsynced, and renamed only after all of them
//     were written; manifest.json is renamed into place last. A failed or cancelled export removes
//     its temporary files (and out_dir if it created it), so it never leaves a half-written file.
//     With `overwrite`, the old manifest is removed before the first rename: a directory without
//     manifest.json is an export that did not finish.
//   - Errors: InvalidArgument / NotFound / AlreadyExists are the caller's to fix (bad request, a
//     market that is not stored, out_dir not usable or not empty); IOError, Unavailable (fetching)
//     and Cancelled are not.
//
// Thread-safe in the sense of Engine: several exports may run at once into different directories.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collection/collector.h"
#include "engine/engine.h"
#include "timeframe/time_range.h"
#include "timeframe/timeframe.h"

namespace ck {

enum class ExportFormat { kCsv, kNpy };

// "csv" or "npy"; anything else is InvalidArgument naming both.
Result<ExportFormat> parse_export_format(std::string_view text);
std::string_view export_format_name(ExportFormat format);  // also the file extension

struct ExportRequest {
  std::vector<std::string> markets;   // names; resolve "all"/globs first with Engine::resolve_markets
  std::vector<Timeframe> timeframes;  // e.g. 15m, 1h, 4h (duplicates are dropped)
  TimeRange range;                    // candles whose open time is in [from, to)
  int64_t day_origin_ms = 0;          // bucket origin for 1d and 1w (parse_day_origin)
  ExportFormat format = ExportFormat::kCsv;
  std::string out_dir;                // required
  bool overwrite = false;             // allow a non-empty out_dir
  bool fetch_missing = false;         // collect the uncovered minutes from the exchange first
  const std::atomic<bool>* cancel = nullptr;  // checked between files and during the fetch
};

// One written file, as manifest.json lists it (plus what the JSON leaves out).
struct ExportFile {
  std::string name;  // relative to out_dir
  std::string market;
  Timeframe timeframe;
  size_t rows = 0;
  std::optional<Timestamp> first, last;  // open times of the first and last candle; none when empty
  std::string sha256;                    // lowercase hex of the whole file
  uint64_t bytes = 0;                    // not in the JSON
  std::vector<TimeRange> missing;        // minutes behind the range not collected (not in the JSON)
};

struct ExportManifest {
  std::vector<std::string> markets;
  std::vector<Timeframe> timeframes;
  TimeRange range;
  int64_t day_origin_ms = 0;
  ExportFormat format = ExportFormat::kCsv;
  std::string engine_version;
  Timestamp created_at = 0;  // the engine clock's "now"
  std::vector<ExportFile> files;

  // {"markets": [...], "timeframes": [...], "from", "to", "origin", "format", "engine_version",
  //  "created_at", "files": [{"name", "market", "timeframe", "rows", "first", "last", "sha256"}]}
  // in this key order; times are ISO-8601 UTC strings ("first"/"last" are null for an empty file),
  // origin is "HH:MMZ". Pretty-printed, ending in a newline.
  std::string to_json() const;
};

inline constexpr const char* kExportManifestName = "manifest.json";

struct ExportProgress {
  enum class Stage { kFetching, kWriting };
  Stage stage = Stage::kWriting;
  SyncProgress sync;        // while fetching
  size_t files_done = 0;    // while writing
  size_t files_total = 0;
};
using ExportProgressFn = std::function<void(const ExportProgress&)>;

// "<market>_<timeframe>.<ext>".
std::string export_file_name(const std::string& market, Timeframe timeframe, ExportFormat format);

// Runs the export described above and returns what manifest.json says.
Result<ExportManifest> export_candles(Engine& engine, const ExportRequest& request,
                                      const ExportProgressFn& on_progress = {});

}  // namespace ck
