#include "cache/rice_code.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace ck::rice {
namespace {

TEST(RiceCode, SymbolsOfEveryMagnitudeRoundTrip) {
  std::mt19937_64 rng(1);
  std::vector<uint64_t> symbols;
  for (int i = 0; i < 20000; ++i) {
    int width = int(rng() % 65);  // 0..64 bits: small runs, sudden huge values (escapes), all ones
    symbols.push_back(width == 0 ? 0 : rng() >> (64 - width));
  }
  symbols.push_back(~uint64_t(0));
  std::string bytes;
  BitWriter w(bytes);
  RiceContext wa, wb;
  for (size_t i = 0; i < symbols.size(); ++i) w.put_rice(i % 2 ? wa : wb, symbols[i]);
  w.put(0x5A, 7);
  w.finish();
  BitReader r(bytes.data(), bytes.data() + bytes.size());
  RiceContext ra, rb;
  for (size_t i = 0; i < symbols.size(); ++i) ASSERT_EQ(r.get_rice(i % 2 ? ra : rb), symbols[i]) << i;
  EXPECT_EQ(r.get(7), 0x5Au);
  EXPECT_TRUE(r.ok());
  EXPECT_LT(r.available_bits() - r.consumed_bits(), 8u);
}

TEST(RiceCode, SmallSymbolsCostAboutTheirEntropy) {
  // Geometric-ish symbols with mean ~100 cost about log2(100) + 2 bits, not a byte-aligned varint.
  std::mt19937_64 rng(2);
  std::geometric_distribution<uint64_t> geo(0.01);
  std::string bytes;
  BitWriter w(bytes);
  RiceContext ctx;
  const int n = 10000;
  for (int i = 0; i < n; ++i) w.put_rice(ctx, geo(rng));
  w.finish();
  EXPECT_LT(double(bytes.size()) * 8 / n, 9.0);
}

TEST(RiceCode, ReadingPastTheEndIsNotOk) {
  std::string bytes;
  BitWriter w(bytes);
  RiceContext ctx;
  w.put_rice(ctx, 12345);
  w.finish();
  BitReader r(bytes.data(), bytes.data() + bytes.size());
  RiceContext rc;
  EXPECT_EQ(r.get_rice(rc), 12345u);
  EXPECT_TRUE(r.ok());
  (void)r.get_rice(rc);
  (void)r.get_rice(rc);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace ck::rice
