#include "tools/http/query_string.h"

#include <gtest/gtest.h>

namespace ck::http {
namespace {

TEST(QueryParams, DecodesPercentEscapesAndPlus) {
  auto p = QueryParams::parse("where=rsi14+%3C+30&market=KRW%2DBTC&empty=");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->get("where"), "rsi14 < 30");
  EXPECT_EQ(p->get("market"), "KRW-BTC");
  EXPECT_EQ(p->get("empty"), "");
  EXPECT_FALSE(p->get("missing"));
}

TEST(QueryParams, ANameGivenTwiceIsAnError) {
  auto p = QueryParams::parse("a=1&a=2");
  ASSERT_FALSE(p);
  EXPECT_NE(p.status().message().find("'a'"), std::string::npos);
}

TEST(QueryParams, BadEscapesAreErrors) {
  EXPECT_FALSE(QueryParams::parse("a=%"));
  EXPECT_FALSE(QueryParams::parse("a=%4"));
  EXPECT_FALSE(QueryParams::parse("a=%zz"));
  EXPECT_FALSE(QueryParams::parse("=5"));
}

TEST(QueryParams, EmptyItemsAreSkipped) {
  auto p = QueryParams::parse("&&a=1&");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->get("a"), "1");
}

TEST(QueryParams, RequireNamesTheMissingParameter) {
  auto p = QueryParams::parse("a=");
  auto r = p->require("a");
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("'a'"), std::string::npos);
}

TEST(QueryParams, AcceptOnlyNamesTheUnknownParameter) {
  auto p = QueryParams::parse("a=1&zzz=2");
  Status st = p->accept_only({"a", "b"});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'zzz'"), std::string::npos);
  EXPECT_NE(st.message().find("a, b"), std::string::npos);
  EXPECT_TRUE(p->accept_only({"a", "zzz"}).is_ok());
}

TEST(QueryParams, BooleansAcceptTheUsualSpellings) {
  auto p = QueryParams::parse("t=true&o=1&f=false&z=0&bare&bad=yes");
  EXPECT_TRUE(*p->get_bool("t", false));
  EXPECT_TRUE(*p->get_bool("o", false));
  EXPECT_TRUE(*p->get_bool("bare", false));
  EXPECT_FALSE(*p->get_bool("f", true));
  EXPECT_FALSE(*p->get_bool("z", true));
  EXPECT_TRUE(*p->get_bool("absent", true));
  EXPECT_FALSE(p->get_bool("bad", false));
}

TEST(SplitTarget, SeparatesPathAndQuery) {
  EXPECT_EQ(split_target("/v1/x?a=1").path, "/v1/x");
  EXPECT_EQ(split_target("/v1/x?a=1").query, "a=1");
  EXPECT_EQ(split_target("/v1/x").query, "");
}

}  // namespace
}  // namespace ck::http
