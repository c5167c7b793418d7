#include "collection/upbit_source.h"

#include <gtest/gtest.h>

namespace ck {
namespace {

TEST(UpbitSource, ParsesRemainingReqExactlyInUpbitsShape) {
  EXPECT_EQ(parse_remaining_req_sec("group=candles; min=600; sec=9"), 9);
  EXPECT_EQ(parse_remaining_req_sec("group=market; min=600; sec=0"), 0);
  EXPECT_EQ(parse_remaining_req_sec(""), -1);
  EXPECT_EQ(parse_remaining_req_sec("group=candles; sec=9"), -1);
}

HttpResponse response(long status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(UpbitSource, MapsErrorsToWhatTheCallerShouldDo) {
  const std::string url = "http://127.0.0.1:1/v1/candles/minutes/1";
  Status nf = status_from_upbit_error(url, response(404, R"({"error":{"name":404,"message":"Code not found"}})"));
  EXPECT_EQ(nf.code(), StatusCode::kNotFound);
  EXPECT_NE(nf.message().find("Code not found"), std::string::npos);
  EXPECT_NE(nf.message().find("HTTP 404"), std::string::npos);
  EXPECT_NE(nf.message().find(url), std::string::npos);
  EXPECT_EQ(status_from_upbit_error(url, response(429, "Too many API requests.")).code(),
            StatusCode::kResourceExhausted);
  Status ban = status_from_upbit_error(url, response(418, ""));
  EXPECT_EQ(ban.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(ban.message().find("banned"), std::string::npos);
  EXPECT_EQ(status_from_upbit_error(url, response(503, "<html>")).code(), StatusCode::kUnavailable);
  EXPECT_EQ(status_from_upbit_error(url, response(400, R"({"error":{"name":400,"message":"Invalid parameter"}})")).code(),
            StatusCode::kInvalidArgument);
}

TEST(UpbitSource, UnreachableExchangeIsUnavailableAndNamesTheUrl) {
  UpbitSourceOptions o;
  o.base_url = "http://127.0.0.1:9";  // discard port: nothing listens
  o.http.connect_timeout = std::chrono::milliseconds(500);
  UpbitSource s(o);
  auto page = s.minutes("KRW-BTC", 1704067200000, 200);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(page.status().message().find("127.0.0.1:9"), std::string::npos);
}

TEST(UrlEncode, EncodesReservedCharacters) {
  EXPECT_EQ(url_encode("2024-01-02T03:04:00+09:00"), "2024-01-02T03%3A04%3A00%2B09%3A00");
  EXPECT_EQ(url_encode("KRW-BTC"), "KRW-BTC");
}

}  // namespace
}  // namespace ck
