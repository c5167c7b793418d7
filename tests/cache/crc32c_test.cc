#include "cache/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace ck {
namespace {

TEST(Crc32c, MatchesTheStandardCheckValue) { EXPECT_EQ(crc32c("123456789"), 0xE3069283u); }

TEST(Crc32c, EmptyInputIsZero) { EXPECT_EQ(crc32c(""), 0u); }

TEST(Crc32c, EveryLengthAndAlignmentAgreesWithTheBitwiseDefinition) {
  // The bitwise definition, independent of the table and the SSE4.2 path.
  auto reference = [](std::string_view s) {
    uint32_t c = ~0u;
    for (unsigned char b : s) {
      c ^= b;
      for (int j = 0; j < 8; ++j) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
  };
  std::string data;
  for (int i = 0; i < 100; ++i) data.push_back(char(i * 37 + 11));
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t len = 0; offset + len <= data.size(); ++len) {
      std::string_view s(data.data() + offset, len);
      ASSERT_EQ(crc32c(s), reference(s)) << offset << "+" << len;
    }
  }
}

}  // namespace
}  // namespace ck
