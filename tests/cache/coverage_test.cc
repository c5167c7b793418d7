#include "cache/coverage.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "cache/coding.h"

namespace ck {
namespace {

constexpr Timestamp kT0 = 1'700'000'040'000;  // a minute boundary
TimeRange minutes(int64_t from, int64_t to) { return {kT0 + from * kMinuteMs, kT0 + to * kMinuteMs}; }

// The reference model: one flag per minute.
struct Bitmap {
  std::vector<bool> bits = std::vector<bool>(600);
  void add(int64_t from, int64_t to) {
    for (int64_t m = from; m < to; ++m) bits[size_t(m)] = true;
  }
  bool all(int64_t from, int64_t to) const {
    for (int64_t m = from; m < to; ++m) {
      if (!bits[size_t(m)]) return false;
    }
    return true;
  }
  // Maximal runs of `value` inside [from, to).
  std::vector<TimeRange> runs(int64_t from, int64_t to, bool value) const {
    std::vector<TimeRange> out;
    for (int64_t m = from; m < to;) {
      if (bits[size_t(m)] != value) {
        ++m;
        continue;
      }
      int64_t end = m;
      while (end < to && bits[size_t(end)] == value) ++end;
      out.push_back(minutes(m, end));
      m = end;
    }
    return out;
  }
};

TEST(CoverageSet, AddMergesOverlappingAndTouchingRanges) {
  CoverageSet c;
  c.add(minutes(10, 20));
  c.add(minutes(30, 40));
  c.add(minutes(20, 25));  // touches [10, 20)
  c.add(minutes(35, 50));  // overlaps [30, 40)
  EXPECT_EQ(c.ranges(), (std::vector<TimeRange>{minutes(10, 25), minutes(30, 50)}));
  c.add(minutes(0, 100));
  EXPECT_EQ(c.ranges(), (std::vector<TimeRange>{minutes(0, 100)}));
}

TEST(CoverageSet, EmptyRangeIsIgnored) {
  CoverageSet c;
  c.add(minutes(5, 5));
  c.add(minutes(9, 3));
  EXPECT_TRUE(c.empty());
  EXPECT_TRUE(c.contains(minutes(7, 7)));
}

TEST(CoverageSet, ContainsNeedsOneCoveringRange) {
  CoverageSet c;
  c.add(minutes(0, 10));
  c.add(minutes(11, 20));
  EXPECT_TRUE(c.contains(minutes(2, 10)));
  EXPECT_FALSE(c.contains(minutes(5, 15)));
  EXPECT_FALSE(c.contains(kT0 + 10 * kMinuteMs));
  EXPECT_TRUE(c.contains(kT0 + 11 * kMinuteMs));
}

TEST(CoverageSet, MissingListsTheGapsInsideARange) {
  CoverageSet c;
  c.add(minutes(10, 20));
  c.add(minutes(30, 40));
  EXPECT_EQ(c.missing(minutes(0, 50)),
            (std::vector<TimeRange>{minutes(0, 10), minutes(20, 30), minutes(40, 50)}));
  EXPECT_EQ(c.missing(minutes(12, 18)), std::vector<TimeRange>{});
  EXPECT_EQ(c.covered(minutes(15, 35)), (std::vector<TimeRange>{minutes(15, 20), minutes(30, 35)}));
}

TEST(CoverageSet, MatchesAMinuteBitmapUnderRandomAdds) {
  std::mt19937_64 rng(17);
  for (int trial = 0; trial < 50; ++trial) {
    CoverageSet c;
    Bitmap ref;
    for (int step = 0; step < 40; ++step) {
      int64_t a = int64_t(rng() % 600), len = int64_t(rng() % 40);
      int64_t b = std::min<int64_t>(600, a + len);
      c.add(minutes(a, b));
      ref.add(a, b);
      ASSERT_EQ(c.ranges(), ref.runs(0, 600, true)) << "trial " << trial << " step " << step;
      int64_t qa = int64_t(rng() % 600), qb = std::min<int64_t>(600, qa + int64_t(rng() % 80));
      EXPECT_EQ(c.contains(minutes(qa, qb)), ref.all(qa, qb));
      EXPECT_EQ(c.missing(minutes(qa, qb)), ref.runs(qa, qb, false));
      EXPECT_EQ(c.covered(minutes(qa, qb)), ref.runs(qa, qb, true));
    }
    int64_t total = 0;
    for (bool b : ref.bits) total += b;
    EXPECT_EQ(c.covered_ms(), total * kMinuteMs);
  }
}

TEST(CoverageSet, SerializationRoundTrips) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    CoverageSet c;
    for (int i = 0; i < trial; ++i) {
      Timestamp a = Timestamp(rng() % 1'000'000'000) - 500'000'000;
      c.add({a, a + Timestamp(rng() % 100'000) + 1});
    }
    auto back = CoverageSet::deserialize(c.serialize());
    ASSERT_TRUE(back) << back.status().to_string();
    EXPECT_EQ(*back, c);
  }
}

TEST(CoverageSet, TruncatedBytesAreCorruption) {
  CoverageSet c;
  c.add(minutes(0, 10));
  c.add(minutes(20, 30));
  std::string bytes = c.serialize();
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto r = CoverageSet::deserialize(bytes.substr(0, len));
    ASSERT_FALSE(r) << len;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  EXPECT_FALSE(CoverageSet::deserialize(bytes + "x"));
}

TEST(CoverageSet, NonCanonicalBytesAreCorruption) {
  auto encode = [](std::initializer_list<std::pair<int64_t, uint64_t>> gaps_and_lengths) {
    std::string out(1, char(kCoverageFormatVersion));
    coding::put_varint64(out, gaps_and_lengths.size());
    for (auto [gap, length] : gaps_and_lengths) {
      coding::put_varint_signed(out, gap);
      coding::put_varint64(out, length);
    }
    return out;
  };
  EXPECT_TRUE(CoverageSet::deserialize(encode({{100, 10}, {5, 10}})));
  EXPECT_FALSE(CoverageSet::deserialize(encode({{100, 10}, {0, 10}})));   // touching
  EXPECT_FALSE(CoverageSet::deserialize(encode({{100, 10}, {-3, 10}})));  // overlapping
  EXPECT_FALSE(CoverageSet::deserialize(encode({{100, 0}})));             // empty range
  EXPECT_FALSE(CoverageSet::deserialize(encode({{INT64_MAX - 5, 10}})));  // overflows
  std::string bad_version = encode({{100, 10}});
  bad_version[0] = char(kCoverageFormatVersion + 1);
  EXPECT_FALSE(CoverageSet::deserialize(bad_version));
}

TEST(CoverageSet, RandomBytesNeverCrash) {
  std::mt19937_64 rng(8);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string junk(rng() % 40, '\0');
    for (auto& ch : junk) ch = char(rng() % 4 == 0 ? 0 : rng());
    if (!junk.empty()) junk[0] = char(kCoverageFormatVersion);
    auto r = CoverageSet::deserialize(junk);
    if (r) {
      // Whatever decodes obeys the contract: sorted, disjoint, not touching, non-empty.
      for (size_t i = 0; i < r->ranges().size(); ++i) {
        EXPECT_FALSE(r->ranges()[i].empty());
        if (i > 0) {
          EXPECT_GT(r->ranges()[i].from, r->ranges()[i - 1].to);
        }
      }
    }
  }
}

}  // namespace
}  // namespace ck
