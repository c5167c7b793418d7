#include "tools/sim/query.h"

#include <gtest/gtest.h>

namespace ck::sim {
namespace {

TEST(Query, SplitsThePathFromTheDecodedParameters) {
  std::string path;
  Query q = Query::parse_target("/v1/candles/minutes/1?market=KRW-BTC&count=200&to=2025-07-30T00%3A00%3A00%2B09%3A00",
                                &path);
  EXPECT_EQ(path, "/v1/candles/minutes/1");
  EXPECT_EQ(*q.get("market"), "KRW-BTC");
  EXPECT_EQ(*q.get("count"), "200");
  EXPECT_EQ(*q.get("to"), "2025-07-30T00:00:00+09:00");
  EXPECT_FALSE(q.get("unit"));
}

TEST(Query, TheFirstOfRepeatedParametersWins) {
  Query q = Query::parse_target("/x?a=1&a=2&&b", nullptr);
  EXPECT_EQ(*q.get("a"), "1");
  EXPECT_EQ(*q.get("b"), "");
}

TEST(Query, KeepsMalformedEscapesLiterally) {
  EXPECT_EQ(url_decode("100%"), "100%");
  EXPECT_EQ(url_decode("%G1%4"), "%G1%4");
  EXPECT_EQ(url_decode("a+b%20c"), "a b c");
}

}  // namespace
}  // namespace ck::sim
