#include "engine/export.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/npy_writer.h"
#include "engine/version.h"
#include "tests/support/fake_candle_source.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"
#include "timeframe/candle_csv.h"
#include "timeframe/candle_file.h"

namespace ck {
namespace {

namespace fs = std::filesystem;
using testing::FakeCandleSource;
using testing::make_minutes;
using testing::read_file;

constexpr Timestamp kDay0 = 1717200000000;  // 2024-06-01T00:00:00Z
// "now": 00:30:30 on day 3, so the 1h candle of 00:00 on day 3 is still open.
constexpr Timestamp kNow = kDay0 + 3 * kDayMs + 30 * kMinuteMs + 30 * kSecondMs;
const TimeRange kSource{kDay0 - kDayMs, kDay0 + 4 * kDayMs};

CandleSeries btc_truth() { return make_minutes(kSource, 0.95, 1); }
CandleSeries eth_truth() { return make_minutes(kSource, 0.6, 2, 4'000'000); }

// The reference for one timeframe, computed the plain way: every bucket of `grid` opening in
// `range` whose minutes are all before `covered_to`, from the 1-minute candles inside it, in time
// order (open first, close last, high max, low min, volume and value summed).
CandleSeries reference(const CandleSeries& minutes, TimeGrid grid, TimeRange range, Timestamp covered_to) {
  CandleSeries out;
  for (Timestamp b = grid.ceil(range.from); b < range.to && b + grid.length <= covered_to; b += grid.length) {
    CandleSeries in = minutes.slice({b, b + grid.length});
    if (in.empty()) continue;
    Candle c{b, in.open()[0], in.high()[0], in.low()[0], in.close()[in.size() - 1], 0, 0};
    for (size_t i = 0; i < in.size(); ++i) {
      c.high = std::max(c.high, in.high()[i]);
      c.low = std::min(c.low, in.low()[i]);
      c.volume += in.volume()[i];
      c.value += in.value()[i];
    }
    out.push_back(c);
  }
  return out;
}

std::string sha256sum(const std::string& path) {
  auto r = testing::run_command("/usr/bin/sha256sum", {path});
  return r.exit_code == 0 ? r.out.substr(0, 64) : "sha256sum failed: " + r.err;
}

// Names in a directory, sorted, hidden ones included.
std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Decodes a candle .npy file (as engine/npy_writer.h documents it) independently of the writer.
struct NpyFile {
  std::string header;
  CandleSeries candles;
};
NpyFile decode_npy(const std::string& bytes) {
  NpyFile out;
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) return out;
  size_t header_len = uint8_t(bytes[8]) | size_t(uint8_t(bytes[9])) << 8;
  out.header = bytes.substr(10, header_len);
  for (size_t p = 10 + header_len; p + 56 <= bytes.size(); p += 56) {
    int64_t t;
    double f[6];
    std::memcpy(&t, bytes.data() + p, 8);
    std::memcpy(f, bytes.data() + p + 8, 48);
    out.candles.push_back(Candle{t, f[0], f[1], f[2], f[3], f[4], f[5]});
  }
  return out;
}

struct ExportTest : ::testing::Test {
  testing::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kNow);
  std::shared_ptr<FakeCandleSource> source = std::make_shared<FakeCandleSource>();
  std::unique_ptr<Engine> engine;
  std::string out = dir.file("out");

  void SetUp() override {
    source->add_market("KRW-BTC", btc_truth());
    source->add_market("KRW-ETH", eth_truth());
    EngineOptions o;
    o.data_dir = dir.file("data");
    o.clock = clock;
    o.source = source;
    o.requests_per_second = 0;
    auto e = Engine::open(o);
    ASSERT_TRUE(e) << e.status().to_string();
    engine = std::move(e).value();
  }
  void sync_all() {
    auto run = engine->sync({"KRW-BTC", "KRW-ETH"}, {kDay0, kNow});
    ASSERT_TRUE(run) << run.status().to_string();
    ASSERT_EQ(run->status, RunStatus::kSucceeded);
    source->reset_requests();
  }
  ExportRequest request(ExportFormat format = ExportFormat::kCsv) {
    ExportRequest r;
    r.markets = {"KRW-BTC", "KRW-ETH"};
    r.timeframes = {Timeframe::minutes(15), Timeframe::hours(1), Timeframe::hours(4)};
    r.range = {kDay0, kDay0 + 2 * kDayMs};
    r.format = format;
    r.out_dir = out;
    return r;
  }
  CandleSeries truth(const std::string& market) { return market == "KRW-BTC" ? btc_truth() : eth_truth(); }
};

TEST_F(ExportTest, WritesOneCsvPerMarketAndTimeframeWithTheStoredCandles) {
  sync_all();
  auto m = export_candles(*engine, request());
  ASSERT_TRUE(m) << m.status().to_string();
  EXPECT_EQ(list_dir(out), (std::vector<std::string>{"KRW-BTC_15m.csv", "KRW-BTC_1h.csv", "KRW-BTC_4h.csv",
                                                     "KRW-ETH_15m.csv", "KRW-ETH_1h.csv", "KRW-ETH_4h.csv",
                                                     "manifest.json"}));
  for (const char* market : {"KRW-BTC", "KRW-ETH"}) {
    for (Timeframe tf : {Timeframe::minutes(15), Timeframe::hours(1), Timeframe::hours(4)}) {
      CandleSeries want = reference(truth(market), tf.grid(), {kDay0, kDay0 + 2 * kDayMs}, kNow);
      ASSERT_GT(want.size(), 0u);
      std::string file = out + "/" + market + "_" + tf.to_string() + ".csv";
      EXPECT_EQ(read_file(file), candles_to_csv(want, true)) << file;
    }
  }
}

TEST_F(ExportTest, CsvIsExactlyWhatGetReturnsForClosedCandles) {
  sync_all();
  ASSERT_TRUE(export_candles(*engine, request()));
  ReadOptions ro;
  ro.closed_only = true;
  auto got = engine->get("KRW-ETH", Timeframe::minutes(15), {kDay0, kDay0 + 2 * kDayMs}, ro);
  ASSERT_TRUE(got);
  EXPECT_EQ(read_file(out + "/KRW-ETH_15m.csv"), candles_to_csv(got->candles, got->last_closed));
}

TEST_F(ExportTest, TheStillOpenCandleIsLeftOut) {
  sync_all();
  ExportRequest r = request();
  r.markets = {"KRW-BTC"};
  r.range = {kDay0 + 2 * kDayMs, kDay0 + 4 * kDayMs};
  auto m = export_candles(*engine, r);
  ASSERT_TRUE(m) << m.status().to_string();
  // now = day 3 00:30:30: the 15m candle of 00:15 is closed, the 1h and 4h candles of 00:00 are not.
  ASSERT_EQ(m->files.size(), 3u);
  EXPECT_EQ(m->files[0].last, kDay0 + 3 * kDayMs + 15 * kMinuteMs);
  EXPECT_EQ(m->files[1].last, kDay0 + 3 * kDayMs - kHourMs);
  EXPECT_EQ(m->files[2].last, kDay0 + 3 * kDayMs - 4 * kHourMs);
  EXPECT_EQ(read_file(out + "/KRW-BTC_1h.csv"),
            candles_to_csv(reference(btc_truth(), TimeGrid{kHourMs, 0}, r.range, kNow - 30 * kSecondMs), true));
}

TEST_F(ExportTest, ManifestHasTheIssueShapeAndChecksumsThatMatchTheFiles) {
  sync_all();
  auto m = export_candles(*engine, request());
  ASSERT_TRUE(m);
  auto j = nlohmann::ordered_json::parse(read_file(out + "/manifest.json"), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"markets", "timeframes", "from", "to", "origin", "format",
                                            "engine_version", "created_at", "files"}));
  EXPECT_EQ(j["markets"], nlohmann::json({"KRW-BTC", "KRW-ETH"}));
  EXPECT_EQ(j["timeframes"], nlohmann::json({"15m", "1h", "4h"}));
  EXPECT_EQ(j["from"], "2024-06-01T00:00:00Z");
  EXPECT_EQ(j["to"], "2024-06-03T00:00:00Z");
  EXPECT_EQ(j["origin"], "00:00Z");
  EXPECT_EQ(j["format"], "csv");
  EXPECT_EQ(j["engine_version"], std::string(engine_version()));
  EXPECT_EQ(j["created_at"], "2024-06-04T00:30:30Z");
  ASSERT_EQ(j["files"].size(), 6u);
  for (const auto& f : j["files"]) {
    std::vector<std::string> fkeys;
    for (auto& [k, v] : f.items()) fkeys.push_back(k);
    EXPECT_EQ(fkeys, (std::vector<std::string>{"name", "market", "timeframe", "rows", "first", "last", "sha256"}));
    std::string name = f["name"];
    std::string path = out + "/" + name;
    EXPECT_EQ(f["sha256"], sha256sum(path)) << name;
    EXPECT_EQ(name, f["market"].get<std::string>() + "_" + f["timeframe"].get<std::string>() + ".csv");
    auto rows = parse_candles(read_file(path), name);
    ASSERT_TRUE(rows) << rows.status().to_string();
    EXPECT_EQ(f["rows"], rows->size());
    EXPECT_EQ(f["first"], format_timestamp(rows->time().front()));
    EXPECT_EQ(f["last"], format_timestamp(rows->time().back()));
  }
  EXPECT_EQ(j["files"][0]["name"], "KRW-BTC_15m.csv");
  EXPECT_EQ(j["files"][0]["rows"], 192);  // two days of 15m, every bucket traded at 95 % density
  EXPECT_EQ(j["files"][0]["first"], "2024-06-01T00:00:00Z");
  EXPECT_EQ(j["files"][0]["last"], "2024-06-02T23:45:00Z");
  EXPECT_EQ(m->to_json(), read_file(out + "/manifest.json"));
}

TEST_F(ExportTest, NpyFilesHoldTheCandlesAsTheDocumentedStructuredArray) {
  sync_all();
  auto m = export_candles(*engine, request(ExportFormat::kNpy));
  ASSERT_TRUE(m) << m.status().to_string();
  EXPECT_EQ(m->files[1].name, "KRW-BTC_1h.npy");
  std::string bytes = read_file(out + "/KRW-BTC_1h.npy");
  NpyFile npy = decode_npy(bytes);
  CandleSeries want = reference(btc_truth(), TimeGrid{kHourMs, 0}, {kDay0, kDay0 + 2 * kDayMs}, kNow);
  EXPECT_EQ(npy.header.rfind("{'descr': [('time', '<i8'), ('open', '<f8'), ('high', '<f8'), ('low', '<f8'), "
                             "('close', '<f8'), ('volume', '<f8'), ('value', '<f8')], 'fortran_order': False, "
                             "'shape': (48,), }",
                             0),
            0u)
      << npy.header;
  EXPECT_EQ((10 + npy.header.size()) % 64, 0u);
  EXPECT_EQ(bytes.size(), 10 + npy.header.size() + 48 * 56);
  EXPECT_EQ(npy.candles, want);
  EXPECT_EQ(m->files[1].sha256, sha256sum(out + "/KRW-BTC_1h.npy"));
  auto j = nlohmann::json::parse(read_file(out + "/manifest.json"));
  EXPECT_EQ(j["format"], "npy");
}

// Runs `code` with a python3 that has numpy, or returns nullopt when there is none.
std::optional<testing::CommandResult> run_python_with_numpy(const std::string& script, const std::string& arg) {
  for (const char* py : {"/usr/bin/python3", "/usr/local/bin/python3"}) {
    struct stat st;
    if (::stat(py, &st) != 0) continue;
    if (testing::run_command(py, {"-c", "import numpy"}).exit_code != 0) continue;
    return testing::run_command(py, {script, arg});
  }
  return std::nullopt;
}

TEST_F(ExportTest, NumpyLoadsTheNpyFilesAndTheyEqualTheCsvFiles) {
  sync_all();
  ExportRequest csv = request(ExportFormat::kCsv);
  csv.out_dir = dir.file("csv");
  ASSERT_TRUE(export_candles(*engine, csv));
  ExportRequest npy = request(ExportFormat::kNpy);
  npy.out_dir = dir.file("npy");
  ASSERT_TRUE(export_candles(*engine, npy));
  // The check: numpy.load reads every file; each field equals the CSV's value exactly (the CSV holds
  // shortest round-trip decimals) and times are epoch ms of the CSV's ISO times.
  std::string script = dir.write("check.py", R"PY(
import csv, json, sys
import numpy as np
d, c = sys.argv[1] + "/npy", sys.argv[1] + "/csv"
m = json.load(open(d + "/manifest.json"))
assert m["format"] == "npy", m["format"]
n = 0
for f in m["files"]:
    a = np.load(d + "/" + f["name"])
    assert a.dtype == np.dtype([("time", "<i8"), ("open", "<f8"), ("high", "<f8"), ("low", "<f8"),
                                ("close", "<f8"), ("volume", "<f8"), ("value", "<f8")]), a.dtype
    rows = list(csv.DictReader(open(c + "/" + f["name"][:-4] + ".csv")))
    assert len(rows) == len(a) == f["rows"], (len(rows), len(a), f["rows"])
    t = np.array([np.datetime64(r["time"].rstrip("Z"), "ms").astype("int64") for r in rows], dtype="int64")
    assert (a["time"] == t).all()
    for k in ("open", "high", "low", "close", "volume", "value"):
        assert (a[k] == np.array([float(r[k]) for r in rows])).all(), (f["name"], k)
    assert str(a["time"][0].astype("M8[ms]")) + "Z" == f["first"].replace("Z", ".000Z"), (a["time"][0], f["first"])
    n += 1
print(n, "files ok")
)PY");
  auto r = run_python_with_numpy(script, dir.path());
  if (!r) GTEST_SKIP() << "no python3 with numpy";
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out, "6 files ok\n");
}

TEST_F(ExportTest, ANonEmptyDirectoryIsRefusedWithoutOverwrite) {
  sync_all();
  fs::create_directories(out);
  dir.write("out/notes.txt", "keep me");
  auto m = export_candles(*engine, request());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(list_dir(out), (std::vector<std::string>{"notes.txt"}));
  EXPECT_EQ(read_file(out + "/notes.txt"), "keep me");
}

TEST_F(ExportTest, AnExistingEmptyDirectoryIsUsed) {
  sync_all();
  fs::create_directories(out);
  ASSERT_TRUE(export_candles(*engine, request()));
  EXPECT_EQ(list_dir(out).size(), 7u);
}

TEST_F(ExportTest, OverwriteReplacesFilesAndRemovesOnlyThoseThePreviousManifestListed) {
  sync_all();
  ASSERT_TRUE(export_candles(*engine, request()));
  dir.write("out/notes.txt", "keep me");
  ExportRequest r = request();
  r.overwrite = true;
  r.markets = {"KRW-ETH"};
  r.timeframes = {Timeframe::hours(1)};
  r.range = {kDay0 + kDayMs, kDay0 + 2 * kDayMs};
  auto m = export_candles(*engine, r);
  ASSERT_TRUE(m) << m.status().to_string();
  EXPECT_EQ(list_dir(out), (std::vector<std::string>{"KRW-ETH_1h.csv", "manifest.json", "notes.txt"}));
  EXPECT_EQ(read_file(out + "/KRW-ETH_1h.csv"), candles_to_csv(reference(eth_truth(), TimeGrid{kHourMs, 0}, r.range, kNow), true));
}

TEST_F(ExportTest, AMarketThatIsNotStoredIsNotFoundAndCreatesNothing) {
  sync_all();
  ExportRequest r = request();
  r.markets = {"KRW-BTC", "KRW-XRP"};
  r.out_dir = dir.file("new/deeper/out");
  auto m = export_candles(*engine, r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("KRW-XRP"), std::string::npos) << m.status().message();
  EXPECT_FALSE(fs::exists(dir.file("new")));
}

TEST_F(ExportTest, AnUnwritableOutputPathIsRefusedAndLeavesNothing) {
  sync_all();
  dir.write("plain_file", "x");
  ExportRequest r = request();
  r.out_dir = dir.file("plain_file/out");  // a path under a regular file can never be created
  auto m = export_candles(*engine, r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(read_file(dir.file("plain_file")), "x");
  r.out_dir = dir.file("plain_file");  // an existing file is not a directory
  m = export_candles(*engine, r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(read_file(dir.file("plain_file")), "x");
}

TEST_F(ExportTest, AnExportStoppedMidwayLeavesNoFileAndRemovesTheDirectoryItCreated) {
  sync_all();
  std::atomic<bool> cancel{false};
  ExportRequest r = request();
  r.out_dir = dir.file("parent/out");
  r.cancel = &cancel;
  size_t seen = 0;
  auto m = export_candles(*engine, r, [&](const ExportProgress& p) {
    seen = p.files_done;
    if (p.files_done == 4) cancel = true;  // four files staged, two to go
  });
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(seen, 4u);
  EXPECT_FALSE(fs::exists(dir.file("parent")));
}

TEST_F(ExportTest, AnExportStoppedMidwayIntoAnExistingDirectoryLeavesItAsItWas) {
  sync_all();
  ASSERT_TRUE(export_candles(*engine, request()));
  std::string before = read_file(out + "/KRW-BTC_15m.csv");
  std::string manifest_before = read_file(out + "/manifest.json");
  std::atomic<bool> cancel{false};
  ExportRequest r = request(ExportFormat::kNpy);
  r.overwrite = true;
  r.cancel = &cancel;
  auto m = export_candles(*engine, r, [&](const ExportProgress& p) { cancel = p.files_done == 2; });
  ASSERT_FALSE(m);
  EXPECT_EQ(list_dir(out).size(), 7u);  // no .npy file, no temp file
  EXPECT_EQ(read_file(out + "/KRW-BTC_15m.csv"), before);
  EXPECT_EQ(read_file(out + "/manifest.json"), manifest_before);
}

TEST_F(ExportTest, FetchCollectsTheShortfallOnceForAllTimeframes) {
  ExportRequest r = request();
  r.fetch_missing = true;
  auto m = export_candles(*engine, r);
  ASSERT_TRUE(m) << m.status().to_string();
  EXPECT_GT(source->requests(), 0);
  for (auto& [key, n] : source->request_log()) EXPECT_EQ(n, 1) << key.first << " " << format_timestamp(key.second);
  EXPECT_EQ(read_file(out + "/KRW-ETH_4h.csv"),
            candles_to_csv(reference(eth_truth(), TimeGrid{4 * kHourMs, 0}, r.range, kNow), true));
  // Everything is stored now: exporting again asks the exchange nothing.
  source->reset_requests();
  r.overwrite = true;
  ASSERT_TRUE(export_candles(*engine, r));
  EXPECT_EQ(source->requests(), 0);
}

TEST_F(ExportTest, AFailedFetchIsAnErrorAndLeavesNothing) {
  source->banned = true;
  ExportRequest r = request();
  r.fetch_missing = true;
  auto m = export_candles(*engine, r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().code(), StatusCode::kUnavailable) << m.status().to_string();
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ExportTest, PagesThatCouldNotBeFetchedFailTheExportAndLeaveNothing) {
  source->unavailable_rate = 1.0;  // every attempt fails, so every page is given up
  ExportRequest r = request();
  r.fetch_missing = true;
  auto m = export_candles(*engine, r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().code(), StatusCode::kUnavailable) << m.status().to_string();
  EXPECT_NE(m.status().message().find("could not be fetched"), std::string::npos) << m.status().message();
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ExportTest, UncollectedMinutesAreReportedPerFile) {
  auto run = engine->sync({"KRW-BTC"}, {kDay0, kDay0 + kDayMs});
  ASSERT_TRUE(run);
  ExportRequest r = request();
  r.markets = {"KRW-BTC"};
  r.timeframes = {Timeframe::hours(1)};
  auto m = export_candles(*engine, r);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->files.size(), 1u);
  EXPECT_EQ(m->files[0].rows, 24u);
  EXPECT_EQ(m->files[0].missing, (std::vector<TimeRange>{{kDay0 + kDayMs, kDay0 + 2 * kDayMs}}));
}

TEST_F(ExportTest, DayOriginShiftsDailyBucketsAndIsRecorded) {
  sync_all();
  ExportRequest r = request();
  r.markets = {"KRW-BTC"};
  r.timeframes = {Timeframe::day()};
  r.day_origin_ms = 15 * kHourMs;  // days that start at KST midnight
  r.range = {kDay0, kDay0 + 3 * kDayMs};
  auto m = export_candles(*engine, r);
  ASSERT_TRUE(m) << m.status().to_string();
  CandleSeries want = reference(btc_truth(), Timeframe::day().grid(15 * kHourMs), r.range, kNow);
  ASSERT_EQ(want.size(), 2u);  // 06-01 15:00 and 06-02 15:00; 06-03 15:00 is still open
  EXPECT_EQ(read_file(out + "/KRW-BTC_1d.csv"), candles_to_csv(want, true));
  EXPECT_EQ(nlohmann::json::parse(read_file(out + "/manifest.json"))["origin"], "15:00Z");
}

TEST_F(ExportTest, AnEmptyRangeGivesFilesWithNoRowsAndNullTimes) {
  sync_all();
  ExportRequest r = request();
  r.range = {kDay0 - 10 * kDayMs, kDay0 - 9 * kDayMs};
  auto m = export_candles(*engine, r);
  ASSERT_TRUE(m) << m.status().to_string();
  EXPECT_EQ(read_file(out + "/KRW-BTC_1h.csv"), "time,open,high,low,close,volume,value,closed\n");
  auto j = nlohmann::json::parse(read_file(out + "/manifest.json"));
  EXPECT_EQ(j["files"][0]["rows"], 0);
  EXPECT_TRUE(j["files"][0]["first"].is_null());
  EXPECT_TRUE(j["files"][0]["last"].is_null());
}

TEST_F(ExportTest, DuplicateMarketsAndTimeframesAreWrittenOnce) {
  sync_all();
  ExportRequest r = request();
  r.markets = {"KRW-BTC", "KRW-BTC"};
  r.timeframes = {Timeframe::hours(1), Timeframe::minutes(60)};
  auto m = export_candles(*engine, r);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->files.size(), 1u);
  EXPECT_EQ(m->markets, (std::vector<std::string>{"KRW-BTC"}));
}

TEST_F(ExportTest, BadRequestsAreInvalidArgumentsAndCreateNothing) {
  sync_all();
  auto bad = [&](auto edit) {
    ExportRequest r = request();
    edit(r);
    auto m = export_candles(*engine, r);
    EXPECT_FALSE(m);
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << m.status().to_string();
    EXPECT_FALSE(fs::exists(out));
  };
  bad([](ExportRequest& r) { r.markets.clear(); });
  bad([](ExportRequest& r) { r.timeframes.clear(); });
  bad([](ExportRequest& r) { r.range = {kDay0, kDay0}; });
  bad([](ExportRequest& r) { r.markets = {"../../etc"}; });
  bad([](ExportRequest& r) { r.markets = {".hidden"}; });
  ExportRequest r = request();
  r.out_dir.clear();
  EXPECT_EQ(export_candles(*engine, r).status().code(), StatusCode::kInvalidArgument);
}

TEST(ExportFormatTest, ParsesCsvAndNpyOnly) {
  EXPECT_EQ(*parse_export_format("csv"), ExportFormat::kCsv);
  EXPECT_EQ(*parse_export_format("npy"), ExportFormat::kNpy);
  EXPECT_FALSE(parse_export_format("parquet"));
  EXPECT_EQ(export_file_name("KRW-BTC", Timeframe::hours(4), ExportFormat::kNpy), "KRW-BTC_4h.npy");
}

}  // namespace
}  // namespace ck
