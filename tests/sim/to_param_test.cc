#include "tools/sim/to_param.h"

#include <gtest/gtest.h>

#include "tests/sim/sim_fixture.h"
#include "tools/sim/query.h"

namespace ck::sim {
namespace {

using testing::at;

TEST(ToParam, AcceptsEveryFormTheReferenceLists) {
  const Timestamp t = at("2025-06-24T04:56:53Z");
  EXPECT_EQ(*parse_to_param("2025-06-24T04:56:53Z"), t);
  EXPECT_EQ(*parse_to_param("2025-06-24 04:56:53"), t);         // naive = UTC
  EXPECT_EQ(*parse_to_param("2025-06-24T04:56:53"), t);         // naive with T
  EXPECT_EQ(*parse_to_param("2025-06-24T13:56:53+09:00"), t);   // KST
  EXPECT_EQ(*parse_to_param("2025-06-24T04:56:53.000Z"), t);    // ccxt: milliseconds + Z
  EXPECT_EQ(*parse_to_param("2025-06-24T04:56:53.250Z"), t + 250);
}

TEST(ToParam, AcceptsThePlusEncodedSpaceOfPyupbitAfterDecoding) {
  std::string path;
  Query q = Query::parse_target("/v1/candles/minutes/1?market=KRW-BTC&to=2023-10-30+12%3A32%3A00", &path);
  EXPECT_EQ(*parse_to_param(*q.get("to")), at("2023-10-30T12:32:00Z"));
}

TEST(ToParam, RejectsAnUnencodedPlusOffset) {
  std::string path;
  Query q = Query::parse_target("/v1/candles/days?to=2025-07-30T00:00:00+09:00", &path);
  EXPECT_EQ(*q.get("to"), "2025-07-30T00:00:00 09:00");
  EXPECT_FALSE(parse_to_param(*q.get("to")));
}

TEST(ToParam, RejectsWhatUpbitDoesNotDocument) {
  EXPECT_FALSE(parse_to_param("2020-10-10"));
  EXPECT_FALSE(parse_to_param("20201010"));
  EXPECT_FALSE(parse_to_param("2025-06-24T04:56"));
  EXPECT_FALSE(parse_to_param("2025-06-24T04:56:53ZZ"));
  EXPECT_FALSE(parse_to_param("2025-13-24T04:56:53Z"));
  EXPECT_FALSE(parse_to_param("yesterday"));
  EXPECT_FALSE(parse_to_param("1719204413000"));
}

}  // namespace
}  // namespace ck::sim
