#include "cache/rocks_tier.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cmath>
#include <functional>
#include <map>
#include <thread>

#include "cache/coding.h"
#include "tests/cache/sample_data.h"
#include "tests/support/temp_dir.h"

namespace ck {
namespace {

constexpr Timestamp kDay0 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

Candle candle(Timestamp t, double base) {
  return Candle{t, base, base + 2, base - 1, base + 1, 0.5 + std::fmod(base, 3.0), base * 10.25};
}

// Candles at every `every`-th minute of [from, to), priced from `base` and the minute.
CandleSeries minutes(Timestamp from, Timestamp to, double base, int every = 1) {
  CandleSeries s;
  for (Timestamp t = from; t < to; t += every * kMinuteMs) s.push_back(candle(t, base + double((t - from) / kMinuteMs)));
  return s;
}

class RocksTierTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    tier_.reset();
    RocksTierOptions o;
    o.path = dir_.path() + "/l3";
    auto t = RocksTier::open(o);
    ASSERT_TRUE(t) << t.status().to_string();
    tier_ = std::move(*t);
  }

  uint32_t id(const std::string& name) {
    auto r = tier_->market_id(name, true);
    EXPECT_TRUE(r) << r.status().to_string();
    return r ? *r : 0;
  }

  CandleSeries read(uint32_t market, Timestamp from, Timestamp to) {
    auto r = tier_->read_minutes(market, {from, to});
    EXPECT_TRUE(r) << r.status().to_string();
    return r ? *r : CandleSeries();
  }

  testing::TempDir dir_;
  std::unique_ptr<RocksTier> tier_;
};

TEST_F(RocksTierTest, MarketIdsAreDenseAndStableAcrossReopen) {
  EXPECT_EQ(id("KRW-BTC"), 1u);
  EXPECT_EQ(id("KRW-ETH"), 2u);
  EXPECT_EQ(id("KRW-BTC"), 1u);
  reopen();
  EXPECT_EQ(*tier_->market_id("KRW-ETH", false), 2u);
  EXPECT_EQ(id("KRW-XRP"), 3u);
  auto all = tier_->markets();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "KRW-BTC");
  EXPECT_EQ((*all)[2].id, 3u);
}

TEST_F(RocksTierTest, UnknownMarketIsNotFoundUnlessCreated) {
  auto r = tier_->market_id("KRW-NONE", false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("KRW-NONE"), std::string::npos);
  EXPECT_EQ(tier_->market_id("", true).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RocksTierTest, MetadataPersists) {
  uint32_t m = id("KRW-BTC");
  ASSERT_TRUE(tier_->set_market_metadata(m, R"({"exchange":"upbit"})").is_ok());
  reopen();
  auto all = tier_->markets();
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)[0].metadata_json, R"({"exchange":"upbit"})");
  EXPECT_EQ(tier_->set_market_metadata(99, "{}").code(), StatusCode::kNotFound);
}

TEST_F(RocksTierTest, WrittenMinutesReadBackExactly) {
  uint32_t m = id("KRW-BTC");
  CandleSeries s = minutes(kDay0 + 100 * kMinuteMs, kDay0 + 3 * kDayMs, 11'500'000, 7);
  ASSERT_TRUE(tier_->write_minutes(m, s, {}).is_ok());
  EXPECT_EQ(read(m, kDay0 - kDayMs, kDay0 + 5 * kDayMs), s);
}

TEST_F(RocksTierTest, ReadsAcrossDayBoundariesReturnExactlyTheRange) {
  uint32_t m = id("KRW-BTC");
  CandleSeries s = minutes(kDay0, kDay0 + 3 * kDayMs, 100);
  ASSERT_TRUE(tier_->write_minutes(m, s, {}).is_ok());
  const Timestamp from = kDay0 + kDayMs - 5 * kMinuteMs, to = kDay0 + 2 * kDayMs + 3 * kMinuteMs;
  CandleSeries got = read(m, from, to);
  EXPECT_EQ(got, s.slice({from, to}));
  EXPECT_EQ(got.size(), 5u + 1440u + 3u);
  EXPECT_TRUE(read(m, from, from).empty());
}

TEST_F(RocksTierTest, ReadOfTheWholeTimeLineIsSafe) {
  uint32_t m = id("KRW-BTC");
  CandleSeries s = minutes(kDay0, kDay0 + 10 * kMinuteMs, 100);
  ASSERT_TRUE(tier_->write_minutes(m, s, {}).is_ok());
  EXPECT_EQ(read(m, INT64_MIN, INT64_MAX), s);
  CandleSeries far;
  far.push_back(candle(INT64_MAX / kMinuteMs * kMinuteMs, 1));
  EXPECT_EQ(tier_->write_minutes(m, far, {}).code(), StatusCode::kInvalidArgument);
}

TEST_F(RocksTierTest, ReadDayReturnsOneDayOrNothing) {
  uint32_t m = id("KRW-BTC");
  CandleSeries s = minutes(kDay0 + 1000 * kMinuteMs, kDay0 + kDayMs + 500 * kMinuteMs, 100);
  ASSERT_TRUE(tier_->write_minutes(m, s, {}).is_ok());
  auto day1 = tier_->read_day(m, kDay0 + kDayMs);
  ASSERT_TRUE(day1);
  EXPECT_EQ(*day1, s.slice({kDay0 + kDayMs, kDay0 + 2 * kDayMs}));
  auto none = tier_->read_day(m, kDay0 + 5 * kDayMs);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(tier_->read_day(m, kDay0 + kHourMs).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RocksTierTest, ReimportingTheSameDataChangesNothing) {
  uint32_t m = id("KRW-BTC");
  CandleSeries s = minutes(kDay0, kDay0 + 2 * kDayMs, 100, 3);
  TimeRange span{kDay0, kDay0 + 2 * kDayMs};
  ASSERT_TRUE(tier_->write_minutes(m, s, {span}).is_ok());
  auto stats1 = tier_->market_stats(m);
  auto cov1 = tier_->coverage(m);
  ASSERT_TRUE(tier_->write_minutes(m, s, {span}).is_ok());
  EXPECT_EQ(read(m, kDay0, kDay0 + 2 * kDayMs), s);
  EXPECT_EQ(tier_->market_stats(m)->candles, stats1->candles);
  EXPECT_EQ(tier_->market_stats(m)->chunk_bytes, stats1->chunk_bytes);
  EXPECT_EQ(*tier_->coverage(m), *cov1);
}

TEST_F(RocksTierTest, OverlappingWritesReplaceSameMinutesAndKeepOthers) {
  uint32_t m = id("KRW-BTC");
  CandleSeries first = minutes(kDay0, kDay0 + 60 * kMinuteMs, 100);          // minutes 0..59
  CandleSeries second = minutes(kDay0 + 30 * kMinuteMs, kDay0 + 90 * kMinuteMs, 500, 2);  // 30, 32, .. 88
  ASSERT_TRUE(tier_->write_minutes(m, first, {}).is_ok());
  ASSERT_TRUE(tier_->write_minutes(m, second, {}).is_ok());
  std::map<Timestamp, Candle> expected;
  for (size_t i = 0; i < first.size(); ++i) expected[first.time()[i]] = first[i];
  for (size_t i = 0; i < second.size(); ++i) expected[second.time()[i]] = second[i];
  CandleSeries want;
  for (const auto& [t, c] : expected) want.push_back(c);
  EXPECT_EQ(read(m, kDay0, kDay0 + kDayMs), want);
  EXPECT_EQ(tier_->market_stats(m)->candles, want.size());
}

TEST_F(RocksTierTest, MarketsDoNotMix) {
  uint32_t a = id("A"), b = id("B");
  ASSERT_TRUE(tier_->write_minutes(a, minutes(kDay0, kDay0 + kDayMs, 1), {{kDay0, kDay0 + kDayMs}}).is_ok());
  ASSERT_TRUE(tier_->write_minutes(b, minutes(kDay0, kDay0 + kDayMs, 2, 5), {}).is_ok());
  EXPECT_EQ(read(a, kDay0, kDay0 + kDayMs), minutes(kDay0, kDay0 + kDayMs, 1));
  EXPECT_EQ(read(b, kDay0, kDay0 + kDayMs), minutes(kDay0, kDay0 + kDayMs, 2, 5));
  EXPECT_TRUE(tier_->coverage(b)->empty());
}

TEST_F(RocksTierTest, TimesBeforeTheEpochSortBeforeLaterOnes) {
  uint32_t m = id("OLD");
  CandleSeries s = minutes(-kDayMs - 10 * kMinuteMs, kDayMs + 10 * kMinuteMs, 50, 13);
  ASSERT_TRUE(tier_->write_minutes(m, s, {}).is_ok());
  EXPECT_EQ(read(m, -3 * kDayMs, 3 * kDayMs), s);
  EXPECT_EQ(read(m, -5 * kMinuteMs, 5 * kMinuteMs), s.slice({-5 * kMinuteMs, 5 * kMinuteMs}));
}

TEST_F(RocksTierTest, CoverageIsExtendedAndPersistsAcrossReopen) {
  uint32_t m = id("KRW-BTC");
  ASSERT_TRUE(tier_->write_minutes(m, minutes(kDay0, kDay0 + kHourMs, 1), {{kDay0, kDay0 + kHourMs}}).is_ok());
  ASSERT_TRUE(tier_->write_minutes(m, {}, {{kDay0 + 2 * kHourMs, kDay0 + 3 * kHourMs}}).is_ok());
  ASSERT_TRUE(tier_->write_minutes(m, {}, {{kDay0 + kHourMs, kDay0 + 2 * kHourMs}}).is_ok());
  reopen();
  auto cov = tier_->coverage(m);
  ASSERT_TRUE(cov);
  EXPECT_EQ(cov->ranges(), (std::vector<TimeRange>{{kDay0, kDay0 + 3 * kHourMs}}));
  EXPECT_TRUE(tier_->coverage(id("OTHER"))->empty());
}

TEST_F(RocksTierTest, InvalidCandlesAreRejectedAndNothingIsWritten) {
  uint32_t m = id("KRW-BTC");
  CandleSeries bad = minutes(kDay0, kDay0 + 10 * kMinuteMs, 1);
  bad.push_back(Candle{kDay0 + 5 * kMinuteMs, 1, 1, 1, 1, 1, 1});  // out of order
  Status st = tier_->write_minutes(m, bad, {{kDay0, kDay0 + kDayMs}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  CandleSeries nan;
  nan.push_back(Candle{kDay0, std::nan(""), 1, 1, 1, 1, 1});
  EXPECT_FALSE(tier_->write_minutes(m, nan, {}).is_ok());
  EXPECT_TRUE(read(m, kDay0, kDay0 + kDayMs).empty());
  EXPECT_TRUE(tier_->coverage(m)->empty());
}

TEST_F(RocksTierTest, WriteToAnUnknownMarketFails) {
  EXPECT_EQ(tier_->write_minutes(42, minutes(kDay0, kDay0 + kMinuteMs, 1), {}).code(), StatusCode::kNotFound);
}

TEST_F(RocksTierTest, ConcurrentWritersOfOneMarketLoseNothing) {
  uint32_t m = id("KRW-BTC");
  // Four writers interleave minutes of the same days: every read-modify-write must see the others.
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int batch = 0; batch < 10; ++batch) {
        CandleSeries s;
        for (int i = 0; i < 20; ++i) {
          Timestamp t = kDay0 + (int64_t(batch) * 80 + i * 4 + w) * kMinuteMs * 9;
          s.push_back(candle(t, 100 + w));
        }
        EXPECT_TRUE(tier_->write_minutes(m, s, {}).is_ok());
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(read(m, kDay0, kDay0 + 10 * kDayMs).size(), 800u);
  EXPECT_EQ(tier_->market_stats(m)->candles, 800u);
}

TEST_F(RocksTierTest, StatsCountCandlesAndBytesOnDisk) {
  uint32_t m = id("BTCUSDT");
  CandleSeries real = testing::load_real("bybit_BTCUSDT_1m.csv.gz");
  ASSERT_FALSE(real.empty());
  ASSERT_TRUE(tier_->write_minutes(m, real, {}).is_ok());
  ASSERT_TRUE(tier_->flush_and_compact().is_ok());
  auto st = tier_->market_stats(m);
  ASSERT_TRUE(st) << st.status().to_string();
  EXPECT_EQ(st->candles, real.size());
  EXPECT_EQ(st->days, 31u);
  EXPECT_GT(st->l3_bytes, 0u);
  EXPECT_LE(double(st->l3_bytes) / double(st->candles), 12.0);
  EXPECT_EQ(tier_->market_stats(id("EMPTY"))->l3_bytes, 0u);
}

TEST_F(RocksTierTest, RecordsAreScannedByPrefixInKeyOrder) {
  auto key = [](uint64_t run) {
    std::string k;
    coding::put_fixed64_be(k, run);
    return k;
  };
  for (uint64_t run : {300, 2, 70}) ASSERT_TRUE(tier_->put_record(RecordFamily::kRuns, key(run), "run" + std::to_string(run)).is_ok());
  ASSERT_TRUE(tier_->put_record(RecordFamily::kIssues, "KRW-BTC/1", "gap").is_ok());
  ASSERT_TRUE(tier_->put_record(RecordFamily::kIssues, "KRW-ETH/1", "dup").is_ok());
  reopen();
  auto runs = tier_->scan_records(RecordFamily::kRuns, "");
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].second, "run2");
  EXPECT_EQ((*runs)[2].second, "run300");
  auto btc = tier_->scan_records(RecordFamily::kIssues, "KRW-BTC/");
  ASSERT_TRUE(btc);
  ASSERT_EQ(btc->size(), 1u);
  EXPECT_EQ((*btc)[0].second, "gap");
  ASSERT_TRUE(tier_->delete_record(RecordFamily::kIssues, "KRW-BTC/1").is_ok());
  EXPECT_TRUE(tier_->scan_records(RecordFamily::kIssues, "KRW-BTC/")->empty());
}

TEST_F(RocksTierTest, SecondOpenOfTheSameDirectoryFails) {
  RocksTierOptions o;
  o.path = tier_->path();
  auto second = RocksTier::open(o);
  EXPECT_FALSE(second);
}

TEST_F(RocksTierTest, OpenWithoutCreateFailsOnAnEmptyDirectory) {
  RocksTierOptions o;
  o.path = dir_.path() + "/nothing-here";
  o.create_if_missing = false;
  EXPECT_FALSE(RocksTier::open(o));
}

// Opens the database behind the tier with plain RocksDB, to damage it on purpose.
void with_raw_db(const std::string& path, const std::function<void(rocksdb::DB*, std::vector<rocksdb::ColumnFamilyHandle*>&)>& f) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &handles, &db).ok());
  f(db, handles);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

rocksdb::ColumnFamilyHandle* family(std::vector<rocksdb::ColumnFamilyHandle*>& handles, const std::string& name) {
  for (auto* h : handles) {
    if (h->GetName() == name) return h;
  }
  return nullptr;
}

TEST_F(RocksTierTest, DamagedChunkIsCorruptionNotWrongCandles) {
  uint32_t m = id("KRW-BTC");
  ASSERT_TRUE(tier_->write_minutes(m, minutes(kDay0, kDay0 + 2 * kDayMs, 100, 10), {}).is_ok());
  const std::string path = tier_->path();
  tier_.reset();
  with_raw_db(path, [&](rocksdb::DB* db, auto& handles) {
    auto* candles = family(handles, "candles");
    ASSERT_NE(candles, nullptr);
    std::string key;
    coding::put_fixed32_be(key, m);
    coding::put_fixed64_be(key, uint64_t(kDay0 + kDayMs) ^ (uint64_t(1) << 63));
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), candles, key, &value).ok());
    value[value.size() / 2] ^= 0x20;
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), candles, key, value).ok());
  });
  reopen();
  auto r = tier_->read_minutes(m, {kDay0, kDay0 + 2 * kDayMs});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(tier_->read_day(m, kDay0).is_ok());  // the other day is intact
}

TEST_F(RocksTierTest, DatabaseOfAnotherLayoutVersionIsRefused) {
  const std::string path = tier_->path();
  tier_.reset();
  with_raw_db(path, [&](rocksdb::DB* db, auto& handles) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), family(handles, "default"), "candlekeep.l3.format", "99").ok());
  });
  RocksTierOptions o;
  o.path = path;
  auto r = RocksTier::open(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ck
