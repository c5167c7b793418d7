#include "engine/npy_writer.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ck {
namespace {

size_t header_length(const std::string& file) { return uint8_t(file[8]) | size_t(uint8_t(file[9])) << 8; }

TEST(NpyWriterTest, HeaderIsVersionOneWithTheDictPaddedToA64ByteBoundary) {
  const NpyField fields[] = {{"a", NpyType::kInt64}, {"b", NpyType::kFloat64}};
  std::string h = npy_header(fields, 3);
  ASSERT_GE(h.size(), 10u);
  EXPECT_EQ(h.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(h[6], 1);
  EXPECT_EQ(h[7], 0);
  EXPECT_EQ(header_length(h), h.size() - 10);
  EXPECT_EQ(h.size() % 64, 0u);
  EXPECT_EQ(h.back(), '\n');
  std::string dict = "{'descr': [('a', '<i8'), ('b', '<f8')], 'fortran_order': False, 'shape': (3,), }";
  EXPECT_EQ(h.substr(10, dict.size()), dict);
  EXPECT_EQ(h.find_first_not_of(' ', 10 + dict.size()), h.size() - 1);  // only spaces, then '\n'
}

TEST(NpyWriterTest, CandlesBecomeLittleEndian56ByteRecordsInFieldOrder) {
  CandleSeries s;
  s.push_back(Candle{1717200000000, 1.5, 2.25, 1.0, 2.0, 0.125, 1e9});
  s.push_back(Candle{1717200060000, 2.0, 3.0, -0.5, 2.5, 7.0, 0.1});
  std::string f = candles_to_npy(s);
  size_t start = 10 + header_length(f);
  ASSERT_EQ(f.size(), start + 2 * 56);
  EXPECT_NE(f.find("'shape': (2,)"), std::string::npos);
  // Byte by byte, so the test does not depend on the host's order: time 1717200060000 of row 1.
  uint64_t t = 0;
  for (int b = 7; b >= 0; --b) t = t << 8 | uint8_t(f[start + 56 + size_t(b)]);
  EXPECT_EQ(t, 1717200060000u);
  double low;
  std::memcpy(&low, f.data() + start + 56 + 8 + 2 * 8, 8);  // row 1, field 3 ('low')
  EXPECT_EQ(low, -0.5);
  double value;
  std::memcpy(&value, f.data() + start + 6 * 8, 8);  // row 0, field 6 ('value')
  EXPECT_EQ(value, 1e9);
}

TEST(NpyWriterTest, AnEmptySeriesIsAnArrayOfShapeZero) {
  std::string f = candles_to_npy(CandleSeries{});
  EXPECT_NE(f.find("'shape': (0,), }"), std::string::npos);
  EXPECT_EQ(f.size(), 10 + header_length(f));
  EXPECT_EQ(f.size() % 64, 0u);
}

TEST(NpyWriterTest, TheCandleDtypeIsTheDocumentedOne) {
  std::string f = candles_to_npy(CandleSeries{});
  EXPECT_NE(f.find("{'descr': [('time', '<i8'), ('open', '<f8'), ('high', '<f8'), ('low', '<f8'), ('close', '<f8'), "
                   "('volume', '<f8'), ('value', '<f8')], 'fortran_order': False"),
            std::string::npos);
}

}  // namespace
}  // namespace ck
